package dev.minnow.compression.quant;

import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;

/**
 * Weights quantized to int8 symmetrically ({@code zero_point = 0}, integers in {@code [-127, 127]}),
 * per tensor or per output channel: {@code scale_c = max|W_c| / 127}, {@code q = round(W / scale_c)}
 * (half to even). Per channel (Krishnamoorthi 2018, "Quantizing deep convolutional networks for
 * efficient inference") each filter gets its own grid, which matters most for depthwise layers:
 * their filters see one channel each, and their ranges differ by orders of magnitude, so a single
 * per-tensor scale rounds the small filters to a handful of levels, or to zero.
 * The rule is {@link dev.minnow.engine.op.FakeQuantize#weights}'s, so a model trained with fake
 * quantization is converted to exactly the grid it trained on.
 *
 * @param values int8 weights, same shape as the float ones
 * @param scales one scale, or one per channel along {@code axis}
 * @param axis   the channel axis, or -1 for one scale
 */
public record SymmetricWeights(Tensor values, float[] scales, int axis) {

    /** The largest integer used: {@code [-127, 127]}, the "narrow range" (TFLite, ONNX Runtime). */
    public static final int QMAX = 127;

    /** Quantizes {@code w} with one scale per index of {@code axis}, or one scale when {@code axis < 0}. */
    public static SymmetricWeights of(Tensor w, int axis) {
        Shape s = w.shape();
        int channels = axis < 0 ? 1 : s.dim(axis);
        int outer = axis < 0 ? 1 : s.sizeBetween(0, axis);
        int inner = axis < 0 ? s.size() : s.sizeBetween(axis + 1, s.rank());
        float[] d = w.toFloatArray();
        float[] absMax = new float[channels];
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                int base = (o * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    absMax[c] = Math.max(absMax[c], Math.abs(d[base + i]));
                }
            }
        }
        AffineQuantization[] q = new AffineQuantization[channels];
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            q[c] = AffineQuantization.symmetric(absMax[c], QMAX);
            scales[c] = q[c].scale();
        }
        byte[] v = new byte[d.length];
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                int base = (o * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    v[base + i] = (byte) q[c].quantize(d[base + i]);
                }
            }
        }
        return new SymmetricWeights(Tensor.ofBytes(s, DataType.INT8, v), scales, axis);
    }

    /** The scale that applies to output channel {@code c}. */
    public float scale(int c) {
        return scales.length == 1 ? scales[0] : scales[c];
    }

    /** The scales as a tensor: a scalar, or a 1-D list. */
    public Tensor scaleTensor() {
        return scales.length == 1 ? Tensor.scalar(scales[0]) : Tensor.of(Shape.of(scales.length), scales.clone());
    }

    /** Zero points of the same shape as {@link #scaleTensor()}: all 0, int8. */
    public Tensor zeroPointTensor() {
        return scales.length == 1 ? Tensor.ofBytes(Shape.scalar(), DataType.INT8, (byte) 0)
                : Tensor.ofBytes(Shape.of(scales.length), DataType.INT8, new byte[scales.length]);
    }

    /** The weights as real numbers again: {@code scale_c * q}. */
    public Tensor dequantized() {
        Shape s = values.shape();
        int channels = scales.length;
        int outer = axis < 0 ? 1 : s.sizeBetween(0, axis);
        int inner = axis < 0 ? s.size() : s.sizeBetween(axis + 1, s.rank());
        float[] r = new float[s.size()];
        byte[] v = values.byteData();
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                int base = (o * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    r[base + i] = v[base + i] * scales[c];
                }
            }
        }
        return Tensor.of(s, r);
    }
}
