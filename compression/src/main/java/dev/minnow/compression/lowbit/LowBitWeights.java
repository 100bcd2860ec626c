package dev.minnow.compression.lowbit;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;

/**
 * Ternary and binary approximations of a weight tensor, {@code W ~ alpha * C} with codes
 * {@code C} in {-1, 0, +1} or {-1, +1} and one scale {@code alpha} per layer or per filter.
 *
 * <p><b>Ternary Weight Networks</b> (Li &amp; Liu 2016). Minimising {@code ||W - alpha C||^2} over
 * ternary codes gives, for a threshold {@code delta} and {@code I = {i : |W_i| > delta}},
 * <pre>
 *   C_i = sign(W_i) for i in I, 0 elsewhere      alpha = (1/|I|) * sum over I of |W_i|
 *   delta* = argmax over delta of (sum over I of |W_i|)^2 / |I|
 * </pre>
 * which has no closed form; for weights roughly uniform or normal around 0 the paper approximates
 * it by {@code delta = 0.7 * E|W|} (eq. 9), the rule used here. With 4 weights
 * {@code (0.9, -0.1, 0.3, -0.6)}: E|W| = 0.475, delta = 0.3325, I = {0.9, -0.6}, alpha = 0.75,
 * codes {@code (+1, 0, 0, -1)}.
 *
 * <p><b>Binary weights</b>: BinaryConnect's deterministic binarisation {@code C = sign(W)}
 * (Courbariaux et al. 2015; sign(0) = +1), scaled as in XNOR-Net (Rastegari et al. 2016, eq. 3-4):
 * minimising {@code ||W - alpha C||^2} over {@code C in {-1,+1}^n} gives {@code C = sign(W)} and
 * {@code alpha = (1/n) ||W||_1 = E|W|}, per filter.
 *
 * <p>Scales are per layer ({@link #PER_LAYER}) or per index of an axis: axis 0 for a Conv's
 * filters and a Gemm with {@code transB} ({@code [out, in]}), axis 1 for a Gemm without it.
 */
public final class LowBitWeights {
    /** The axis value meaning one scale for the whole tensor. */
    public static final int PER_LAYER = -1;
    /** TWN's threshold factor: delta = 0.7 * E|W|. */
    public static final float TWN_THRESHOLD = 0.7f;

    private LowBitWeights() {
    }

    /** How weights are coded. */
    public enum Coding {
        /** {-1, 0, +1}: 2 bits per weight. */
        TERNARY(2),
        /** {-1, +1}: 1 bit per weight. */
        BINARY(1);

        private final int bits;

        Coding(int bits) {
            this.bits = bits;
        }

        /** Bits per weight in storage. */
        public int bits() {
            return bits;
        }
    }

    /**
     * Codes and scales of one tensor.
     *
     * @param codes  one per weight, row-major like the tensor
     * @param scales one (per layer) or one per index of {@code axis}
     * @param axis   {@link #PER_LAYER} or the axis the scales run along
     */
    public record Quantized(Coding coding, Shape shape, int axis, byte[] codes, float[] scales) {
        /** {@code alpha * C} as a float tensor. */
        public Tensor dequantized() {
            Tensor t = Tensor.zeros(shape);
            writeDequantized(t.data(), t.offset());
            return t;
        }

        /** Writes {@code alpha * C} into {@code out[off ...]}. */
        public void writeDequantized(float[] out, int off) {
            Layout l = Layout.of(shape, axis);
            for (int o = 0; o < l.outer; o++) {
                for (int c = 0; c < l.channels; c++) {
                    int base = (o * l.channels + c) * l.inner;
                    for (int i = 0; i < l.inner; i++) {
                        out[off + base + i] = scales[c] * codes[base + i];
                    }
                }
            }
        }

        /** The fraction of codes that are 0 (ternary sparsity). */
        public double zeroFraction() {
            int zeros = 0;
            for (byte c : codes) {
                zeros += c == 0 ? 1 : 0;
            }
            return codes.length == 0 ? 0 : (double) zeros / codes.length;
        }
    }

    /** Quantizes {@code w} with a coding, per layer ({@link #PER_LAYER}) or per index of {@code axis}. */
    public static Quantized quantize(Tensor w, Coding coding, int axis) {
        return quantize(w.data(), w.offset(), w.shape(), coding, axis);
    }

    /** As {@link #quantize(Tensor, Coding, int)}, for the values at {@code w[off ...]} of the given shape. */
    public static Quantized quantize(float[] w, int off, Shape shape, Coding coding, int axis) {
        Layout l = Layout.of(shape, axis);
        byte[] codes = new byte[shape.size()];
        float[] scales = new float[l.channels];
        int count = l.outer * l.inner;
        for (int c = 0; c < l.channels; c++) {
            double sumAbs = 0;
            for (int o = 0; o < l.outer; o++) {
                int base = off + (o * l.channels + c) * l.inner;
                for (int i = 0; i < l.inner; i++) {
                    sumAbs += Math.abs(w[base + i]);
                }
            }
            double meanAbs = count == 0 ? 0 : sumAbs / count;
            if (coding == Coding.BINARY) {
                scales[c] = (float) meanAbs;
                for (int o = 0; o < l.outer; o++) {
                    int base = (o * l.channels + c) * l.inner;
                    for (int i = 0; i < l.inner; i++) {
                        codes[base + i] = (byte) (w[off + base + i] >= 0f ? 1 : -1);
                    }
                }
                continue;
            }
            double delta = TWN_THRESHOLD * meanAbs;
            double above = 0;
            int n = 0;
            for (int o = 0; o < l.outer; o++) {
                int base = (o * l.channels + c) * l.inner;
                for (int i = 0; i < l.inner; i++) {
                    float v = w[off + base + i];
                    if (Math.abs(v) > delta) {
                        above += Math.abs(v);
                        n++;
                        codes[base + i] = (byte) (v > 0 ? 1 : -1);
                    }
                }
            }
            scales[c] = n == 0 ? 0f : (float) (above / n);
        }
        return new Quantized(coding, shape, axis, codes, scales);
    }

    /** A tensor seen as {@code [outer, channels, inner]} around the scale axis (channels 1 per layer). */
    record Layout(int outer, int channels, int inner) {
        static Layout of(Shape s, int axis) {
            if (axis == PER_LAYER) {
                return new Layout(1, 1, s.size());
            }
            if (axis < 0 || axis >= s.rank()) {
                throw new IllegalArgumentException("scale axis " + axis + " is outside the weights' shape " + s);
            }
            return new Layout(s.sizeBetween(0, axis), s.dim(axis), s.sizeBetween(axis + 1, s.rank()));
        }
    }
}
