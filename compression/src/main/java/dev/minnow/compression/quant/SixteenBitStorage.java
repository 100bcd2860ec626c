package dev.minnow.compression.quant;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Cast;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.MatMul;
import dev.minnow.engine.op.Mul;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Float16;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights stored in 16 bits, computed in float: half the file, the same arithmetic. Two forms,
 * both plain ONNX (opset 13), so other runtimes read the files too:
 * <ul>
 *   <li><b>float16</b> ({@link #toFloat16}): every float initializer of at least
 *       {@value #MIN_ELEMENTS} elements is rounded to IEEE half precision ({@link Float16}: 10
 *       fraction bits, a relative error of at most {@code 2^-11} ~ 0.05 %, magnitudes up to 65504)
 *       and read through {@code Cast(to = FLOAT)}.</li>
 *   <li><b>int16</b> ({@link #toInt16}): the weights of Conv, Gemm and MatMul are quantized
 *       symmetrically per output channel, {@code s_c = max|W_c| / 32767},
 *       {@code q = round(W / s_c)} in {@code [-32767, 32767]}, and read through
 *       {@code Mul(Cast(q, FLOAT), s)} with {@code s} shaped to broadcast along the channel axis.
 *       The rounding error is at most {@code s_c / 2}, 256 times finer than int8's.</li>
 * </ul>
 * The widening nodes read only constants, so constant folding (the planner at every compile, and
 * {@link dev.minnow.compression.fuse.FoldConstants}) turns them back into float weights once, at
 * load time: inference then runs exactly as for a float model whose weights happen to be those
 * rounded values. Small tensors (biases of a few channels, scalars) stay float: they cost nothing.
 */
public final class SixteenBitStorage {
    /** Float initializers smaller than this stay float. */
    public static final int MIN_ELEMENTS = 16;
    /** The largest int16 magnitude used (symmetric, "narrow range"). */
    public static final int INT16_QMAX = 32767;

    private SixteenBitStorage() {
    }

    /** {@code g} with its float initializers of {@value #MIN_ELEMENTS}+ elements stored as float16. */
    public static Graph toFloat16(Graph g) {
        Graph.Builder b = g.toBuilder();
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (t.type() != DataType.FLOAT || t.size() < MIN_ELEMENTS || g.consumers(name).isEmpty()
                    || g.outputs().contains(name)) {
                continue;
            }
            String stored = b.freshName(name + "_float16");
            b.removeInitializer(name);
            b.initializer(stored, Float16.narrow(t));
            b.node(b.freshName(name + "_widen"), new Cast(DataType.FLOAT), List.of(stored), List.of(name));
        }
        return b.build();
    }

    /** {@code g} with the weights of its Conv, Gemm and MatMul layers stored as int16, per output channel. */
    public static Graph toInt16(Graph g) {
        Graph.Builder b = g.toBuilder();
        for (Map.Entry<String, Integer> w : int16Weights(g).entrySet()) {
            String name = w.getKey();
            Tensor t = g.initializer(name);
            int axis = w.getValue();
            Int16 q = quantize(t, axis);
            String stored = b.freshName(name + "_int16");
            String scale = b.freshName(name + "_scale");
            String widened = b.freshName(name + "_int16_float");
            b.removeInitializer(name);
            b.initializer(stored, q.values());
            b.initializer(scale, q.scaleTensor(t.shape(), axis));
            b.node(b.freshName(name + "_widen"), new Cast(DataType.FLOAT), List.of(stored), List.of(widened));
            b.node(b.freshName(name + "_rescale"), new Mul(), List.of(widened, scale), List.of(name));
        }
        return b.build();
    }

    /**
     * The weights {@link #toInt16} quantizes, with their output-channel axis: Conv weights (axis 0),
     * Gemm's B (axis 0 when transposed, else 1) and a 2-D MatMul's B (axis 1). A weight read by
     * anything else as well is left alone.
     */
    static Map<String, Integer> int16Weights(Graph g) {
        Map<String, Integer> r = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            String w = n.input(1);
            Tensor t = w.isEmpty() ? null : g.initializer(w);
            if (t == null || t.type() != DataType.FLOAT || t.size() < MIN_ELEMENTS || r.containsKey(w)) {
                continue;
            }
            Integer axis = null;
            if (n.op() instanceof Conv && t.rank() >= 3) {
                axis = 0;
            } else if (n.op() instanceof Gemm gm && t.rank() == 2) {
                axis = gm.transB() ? 0 : 1;
            } else if (n.op() instanceof MatMul && t.rank() == 2) {
                axis = 1;
            }
            if (axis != null && g.consumers(w).size() == 1 && !g.outputs().contains(w)) {
                r.put(w, axis);
            }
        }
        return r;
    }

    /** int16 values and one scale per index of {@code axis}. */
    record Int16(Tensor values, float[] scales) {

        /** The scales shaped to broadcast against the weight: size C along {@code axis}, 1 elsewhere. */
        Tensor scaleTensor(Shape weight, int axis) {
            int[] dims = new int[weight.rank()];
            java.util.Arrays.fill(dims, 1);
            dims[axis] = scales.length;
            return Tensor.of(Shape.of(dims), scales.clone());
        }
    }

    /** Symmetric int16 quantization of {@code w} per index of {@code axis}: {@code q = round(w / s_c)}, {@code s_c = max|w_c| / 32767}. */
    static Int16 quantize(Tensor w, int axis) {
        Shape s = w.shape();
        int channels = s.dim(axis);
        int outer = s.sizeBetween(0, axis);
        int inner = s.sizeBetween(axis + 1, s.rank());
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
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = absMax[c] > 0 ? absMax[c] / INT16_QMAX : 1f;
        }
        short[] q = new short[d.length];
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                int base = (o * channels + c) * inner;
                for (int i = 0; i < inner; i++) {
                    double v = Math.rint(d[base + i] / (double) scales[c]);
                    q[base + i] = (short) Math.max(-INT16_QMAX, Math.min(INT16_QMAX, v));
                }
            }
        }
        return new Int16(Tensor.ofShorts(s, DataType.INT16, q), scales);
    }
}
