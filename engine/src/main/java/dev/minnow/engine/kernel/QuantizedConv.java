package dev.minnow.engine.kernel;

/**
 * Integer convolution (QLinearConv, ConvInteger): the quantized counterpart of {@link ConvGemm},
 * over 8-bit inputs and weights with int32 accumulation.
 *
 * <p>{@link #forwardPacked}: per image and group, one {@link QuantizedGemm} of the packed filters
 * with the image's implicit im2col ({@link Int8ConvColumns}, padded with the input's zero point;
 * or the image itself for a 1x1 convolution), requantized as it is written. Depthwise layers go
 * to {@link QuantizedDepthwise} instead. {@link #convolutionNaive} is the reference: the direct
 * loops of {@link ConvKernels#convolutionNaive} over {@code (x - zx)(w - zw)} in int32.
 */
public final class QuantizedConv {
    private QuantizedConv() {
    }

    /**
     * {@code y = rq(conv(x, w))} with packed weights: one {@link PackedInt8} and one
     * {@link Requantization} per group.
     *
     * @param xSigned int8 input (else uint8)
     * @param xZero   the input's zero point as stored
     */
    public static void forwardPacked(ConvGemm.Shape s, PackedInt8[] weights, Requantization[] rq, byte[] x, int xOff,
                                     boolean xSigned, int xZero, byte[] y, int yOff, Sources sources, int threads) {
        int m = s.outChannels() / s.group();
        int cin = s.inChannels() / s.group();
        int p = s.outPlane();
        boolean pointwise = s.pointwise();
        try {
            for (int n = 0; n < s.batch(); n++) {
                for (int g = 0; g < s.group(); g++) {
                    int xg = xOff + (n * s.inChannels() + g * cin) * s.inPlane();
                    Int8Columns src = pointwise
                            ? sources.matrix.set(x, xg, p, cin, p, false, xSigned)
                            : sources.conv.set(x, xg, cin, s.in(), s.out(), s.kernel(), s.strides(), s.padBegin(),
                                    s.dilations(), xSigned, xZero);
                    QuantizedGemm.multiply(weights[g], src, rq[g], y, yOff + (n * s.outChannels() + g * m) * p, p, 1,
                            threads);
                }
            }
        } finally {
            sources.matrix.clear();
            sources.conv.clear();
        }
    }

    /** The filters of each group packed by {@code kernels} ({@code w [C_out, C_in/group, k...]}). */
    public static PackedInt8[] packWeights(Int8Kernels kernels, ConvGemm.Shape s, byte[] w, int wOff, boolean signed) {
        int m = s.outChannels() / s.group();
        int k = s.taps();
        PackedInt8[] packed = new PackedInt8[s.group()];
        for (int g = 0; g < s.group(); g++) {
            packed[g] = kernels.pack(w, wOff + g * m * k, k, m, k, signed);
        }
        return packed;
    }

    /** Reusable column sources for {@link #forwardPacked} (one per node). */
    public static final class Sources {
        final Int8ConvColumns conv = new Int8ConvColumns();
        final Int8MatrixColumns matrix = new Int8MatrixColumns();
    }

    /**
     * The reference, in int32: {@code y[n, oc, o] = sum over ic', taps of (w - zw[oc]) * (x - zx)}
     * with the geometry of {@link ConvKernels#convolutionNaive}; positions in the padding hold
     * {@code zx}, so they add nothing. {@code wZero} holds one zero point or one per output channel.
     */
    public static void convolutionNaive(byte[] x, int xOff, boolean xSigned, int xZero, byte[] w, int wOff,
                                        boolean wSigned, int[] wZero, int[] y, int yOff, int batch, int inChannels,
                                        int outChannels, int group, int[] in, int[] out, int[] kernel, int[] strides,
                                        int[] padBegin, int[] dilations) {
        int inD = in[0], inH = in[1], inW = in[2];
        int outD = out[0], outH = out[1], outW = out[2];
        int kD = kernel[0], kH = kernel[1], kW = kernel[2];
        int inPlane = inD * inH * inW;
        int outPlane = outD * outH * outW;
        int kernelSize = kD * kH * kW;
        int inPerGroup = inChannels / group;
        int outPerGroup = outChannels / group;
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < outChannels; oc++) {
                int firstInChannel = (oc / outPerGroup) * inPerGroup;
                int zw = wZero.length == 1 ? wZero[0] : wZero[oc];
                int yPlane = yOff + (n * outChannels + oc) * outPlane;
                for (int od = 0; od < outD; od++) {
                    for (int oh = 0; oh < outH; oh++) {
                        for (int ow = 0; ow < outW; ow++) {
                            int sum = 0;
                            for (int icg = 0; icg < inPerGroup; icg++) {
                                int xPlane = xOff + (n * inChannels + firstInChannel + icg) * inPlane;
                                int wTaps = wOff + (oc * inPerGroup + icg) * kernelSize;
                                for (int kd = 0; kd < kD; kd++) {
                                    int id = od * strides[0] - padBegin[0] + kd * dilations[0];
                                    for (int kh = 0; kh < kH; kh++) {
                                        int ih = oh * strides[1] - padBegin[1] + kh * dilations[1];
                                        for (int kw = 0; kw < kW; kw++) {
                                            int iw = ow * strides[2] - padBegin[2] + kw * dilations[2];
                                            if (id < 0 || id >= inD || ih < 0 || ih >= inH || iw < 0 || iw >= inW) {
                                                continue;
                                            }
                                            int wv = QuantizedGemm.value(w[wTaps + (kd * kH + kh) * kW + kw], wSigned) - zw;
                                            int xv = QuantizedGemm.value(x[xPlane + (id * inH + ih) * inW + iw], xSigned)
                                                    - xZero;
                                            sum += wv * xv;
                                        }
                                    }
                                }
                            }
                            y[yPlane + (od * outH + oh) * outW + ow] = sum;
                        }
                    }
                }
            }
        }
    }
}
