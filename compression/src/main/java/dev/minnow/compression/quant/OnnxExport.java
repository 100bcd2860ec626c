package dev.minnow.compression.quant;

import dev.minnow.compression.fuse.RemoveUnused;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.AveragePool;
import dev.minnow.engine.op.Add;
import dev.minnow.engine.op.Concat;
import dev.minnow.engine.op.DequantizeLinear;
import dev.minnow.engine.op.FakeQuantize;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.GlobalAveragePool;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.QGemm;
import dev.minnow.engine.op.QLinearAdd;
import dev.minnow.engine.op.QLinearAveragePool;
import dev.minnow.engine.op.QLinearConcat;
import dev.minnow.engine.op.QLinearGlobalAveragePool;
import dev.minnow.engine.op.QuantizeLinear;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A quantized graph in standard ONNX only, for other runtimes: QLinearConv and QLinearMatMul,
 * QuantizeLinear and DequantizeLinear, and max pooling and reshapes on 8-bit tensors are standard
 * (opset 13) and stay; Minnow's native integer ops are written in the <b>QDQ</b> form, the float
 * op between DequantizeLinear on its inputs and QuantizeLinear on its output, which ONNX Runtime
 * recognises and runs as the fused integer op:
 * <pre>
 *   QGemm(A, W, C)      -&gt;  DQ(A), DQ(W, per column), DQ(C: int32 at scale S_a * S_w) -&gt; Gemm -&gt; Q
 *   QLinearAdd(A, B)    -&gt;  DQ(A), DQ(B) -&gt; Add -&gt; Q
 *   QLinearConcat(...)  -&gt;  DQ(each) -&gt; Concat -&gt; Q
 *   QLinearAveragePool, QLinearGlobalAveragePool  -&gt;  DQ -&gt; AveragePool / GlobalAveragePool -&gt; Q
 * </pre>
 * The result is a Minnow graph too (Minnow runs QDQ graphs, in float between the Q/DQ pairs), so
 * the export can be checked against the integer graph without leaving Java.
 */
public final class OnnxExport {
    private OnnxExport() {
    }

    /** {@code quantized} with every native integer op lowered to QDQ form. */
    public static Graph toStandardOnnx(Graph quantized) {
        Graph.Builder b = quantized.toBuilder();
        for (Node n : quantized.nodes()) {
            Op op = n.op();
            if (op instanceof QGemm q) {
                b.removeNode(n.name());
                lowerGemm(b, quantized, n, q);
            } else if (op instanceof QLinearAdd) {
                b.removeNode(n.name());
                String a = dequantize(b, n, 0, 1, 2, -1);
                String c = dequantize(b, n, 3, 4, 5, -1);
                quantizeOutput(b, n, new Add(), List.of(a, c), 6, 7);
            } else if (op instanceof QLinearConcat cc) {
                b.removeNode(n.name());
                List<String> xs = new ArrayList<>();
                for (int i = 2; i < n.inputs().size(); i += 3) {
                    xs.add(dequantize(b, n, i, i + 1, i + 2, -1));
                }
                quantizeOutput(b, n, new Concat(cc.axis()), xs, 0, 1);
            } else if (op instanceof QLinearAveragePool p) {
                b.removeNode(n.name());
                AveragePool pool = p.pool();
                quantizeOutput(b, n, pool, List.of(dequantize(b, n, 0, 1, 2, -1)), 3, 4);
            } else if (op instanceof QLinearGlobalAveragePool) {
                b.removeNode(n.name());
                quantizeOutput(b, n, new GlobalAveragePool(), List.of(dequantize(b, n, 0, 1, 2, -1)), 3, 4);
            } else if (op instanceof FakeQuantize) {
                throw new IllegalArgumentException("node " + n.describe() + ": strip the fake quantization of a"
                        + " training graph first (QuantizationAwareTraining.strip), then convert it");
            }
        }
        return new RemoveUnused().apply(b.build()).graph();
    }

    /** {@code DequantizeLinear(n.input(x), n.input(s), n.input(z))}, per axis when {@code axis >= 0}. */
    private static String dequantize(Graph.Builder b, Node n, int x, int s, int z, int axis) {
        String out = b.freshName(n.input(x) + "_dequantized");
        List<String> in = n.input(z).isEmpty() ? List.of(n.input(x), n.input(s)) : List.of(n.input(x), n.input(s), n.input(z));
        b.node(b.freshName(n.name() + "_dq_" + x), new DequantizeLinear(axis < 0 ? 1 : axis), in,
                List.of(out));
        return out;
    }

    /** The float op on dequantized inputs, then QuantizeLinear to the node's output with its (scale, zero point). */
    private static void quantizeOutput(Graph.Builder b, Node n, Op floatOp, List<String> in, int s, int z) {
        String real = b.freshName(n.output() + "_real");
        b.node(b.freshName(n.name() + "_float"), floatOp, in, List.of(real));
        b.node(n.name(), new QuantizeLinear(), List.of(real, n.input(s), n.input(z)), List.of(n.output()));
    }

    private static void lowerGemm(Graph.Builder b, Graph g, Node n, QGemm q) {
        String a = dequantize(b, n, 0, 1, 2, -1);
        Tensor sw = g.initializer(n.input(4));
        int wAxis = sw.size() == 1 ? -1 : q.transB() ? 0 : 1;
        String w = b.freshName(n.input(3) + "_dequantized");
        List<String> wIn = List.of(n.input(3), n.input(4), n.input(5));
        b.node(b.freshName(n.name() + "_dq_weights"), new DequantizeLinear(wAxis < 0 ? 1 : wAxis), wIn, List.of(w));
        List<String> in = new ArrayList<>(List.of(a, w));
        if (!n.input(6).isEmpty()) {
            // the int32 bias at scale S_a * S_w[j]
            float sa = g.initializer(n.input(1)).get(0);
            Tensor c = g.initializer(n.input(6));
            float[] scales = new float[sw.size()];
            for (int j = 0; j < scales.length; j++) {
                scales[j] = sa * sw.get(j);
            }
            String cs = b.freshName(n.input(6) + "_scale");
            b.initializer(cs, scales.length == 1 ? Tensor.scalar(scales[0]) : Tensor.of(Shape.of(scales.length), scales));
            String cf = b.freshName(n.input(6) + "_dequantized");
            b.node(b.freshName(n.name() + "_dq_bias"), new DequantizeLinear(0), List.of(n.input(6), cs), List.of(cf));
            in.add(cf);
            if (c.rank() != 1) {
                throw new IllegalArgumentException("node " + n.describe() + ": bias of shape " + c.shape() + " (expected 1-D)");
            }
        }
        String real = b.freshName(n.output() + "_real");
        b.node(b.freshName(n.name() + "_float"), new Gemm(1f, 1f, false, q.transB()), in, List.of(real));
        b.node(n.name(), new QuantizeLinear(), List.of(real, n.input(7), n.input(8)), List.of(n.output()));
    }
}
