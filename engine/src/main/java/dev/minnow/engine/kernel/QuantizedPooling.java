package dev.minnow.engine.kernel;

/**
 * Integer average pooling: the sum of a window's centred inputs {@code x - zx} in int32, rescaled
 * by {@code Sx / (Sy * count)} as a fixed-point multiplier, one per possible count (windows at the
 * border cover fewer inputs when the padding is not counted):
 * <pre>
 *   y = saturate(zy + round(sum_window (x - zx) * Sx / (Sy * count)))
 * </pre>
 * Max pooling needs no kernel of its own: the maximum commutes with the (increasing) affine map,
 * so it runs on the 8-bit values directly (MaxPool accepts int8 and uint8).
 */
public final class QuantizedPooling {
    private QuantizedPooling() {
    }

    /** {@code M[count] = Sx / (Sy * count)} for {@code count = 1 .. maxCount} (index 0 unused). */
    public static FixedPointMultiplier[] countMultipliers(float sx, float sy, int maxCount) {
        FixedPointMultiplier[] m = new FixedPointMultiplier[maxCount + 1];
        m[0] = FixedPointMultiplier.of(0);
        for (int c = 1; c <= maxCount; c++) {
            m[c] = FixedPointMultiplier.of((double) sx / ((double) sy * c));
        }
        return m;
    }

    /**
     * Average pooling of {@code planes} planes (N*C) over three spatial axes with the geometry of
     * {@link ConvKernels#convolutionNaive} and ends of padding {@code padEnd}; {@code countIncludePad}
     * counts padded positions (within the padded input) in the divisor.
     */
    public static void averagePool(byte[] x, int xOff, boolean signed, int zx, byte[] y, int yOff, int zy, int qmin,
                                   int qmax, int planes, int[] in, int[] out, int[] kernel, int[] strides,
                                   int[] padBegin, int[] padEnd, boolean countIncludePad, FixedPointMultiplier[] m) {
        int inPlane = in[0] * in[1] * in[2];
        int outPlane = out[0] * out[1] * out[2];
        for (int p = 0; p < planes; p++) {
            int xp = xOff + p * inPlane;
            int yp = yOff + p * outPlane;
            for (int od = 0; od < out[0]; od++) {
                for (int oh = 0; oh < out[1]; oh++) {
                    for (int ow = 0; ow < out[2]; ow++) {
                        int d0 = od * strides[0] - padBegin[0];
                        int h0 = oh * strides[1] - padBegin[1];
                        int w0 = ow * strides[2] - padBegin[2];
                        int sum = 0;
                        int count = 0;
                        for (int d = Math.max(0, d0); d < Math.min(in[0], d0 + kernel[0]); d++) {
                            for (int h = Math.max(0, h0); h < Math.min(in[1], h0 + kernel[1]); h++) {
                                for (int w = Math.max(0, w0); w < Math.min(in[2], w0 + kernel[2]); w++) {
                                    sum += QuantizedGemm.value(x[xp + (d * in[1] + h) * in[2] + w], signed) - zx;
                                    count++;
                                }
                            }
                        }
                        if (countIncludePad) {
                            count = span(d0, kernel[0], in[0] + padEnd[0]) * span(h0, kernel[1], in[1] + padEnd[1])
                                    * span(w0, kernel[2], in[2] + padEnd[2]);
                        }
                        FixedPointMultiplier f = m[Math.max(1, count)];
                        int q = zy + FixedPointMultiplier.multiply(sum, f.m0(), f.shift());
                        y[yp + (od * out[1] + oh) * out[2] + ow] = (byte) (q < qmin ? qmin : q > qmax ? qmax : q);
                    }
                }
            }
        }
    }

    /** The length of {@code [start, start + k)} clipped to the padded input {@code [-pad_begin, end)}. */
    private static int span(int start, int k, int end) {
        return Math.min(start + k, end) - start;
    }

    /** {@code y[p] = saturate(zy + round(sum_i (x[p, i] - zx) * M))} over planes of {@code size} values. */
    public static void globalAveragePool(byte[] x, int xOff, boolean signed, int zx, byte[] y, int yOff, int zy,
                                         int qmin, int qmax, int planes, int size, FixedPointMultiplier m) {
        for (int p = 0; p < planes; p++) {
            int sum = 0;
            int base = xOff + p * size;
            for (int i = 0; i < size; i++) {
                sum += QuantizedGemm.value(x[base + i], signed) - zx;
            }
            int q = zy + FixedPointMultiplier.multiply(sum, m.m0(), m.shift());
            y[yOff + p] = (byte) (q < qmin ? qmin : q > qmax ? qmax : q);
        }
    }
}
