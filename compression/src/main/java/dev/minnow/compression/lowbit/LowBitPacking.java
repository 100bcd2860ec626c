package dev.minnow.compression.lowbit;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.kernel.BinaryConv;
import dev.minnow.engine.kernel.BitPacking;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.DequantizeLowBit;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.XnorConv;
import dev.minnow.engine.op.XnorGemm;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a fake-quantized training graph into the inference graph that is saved, with the weights
 * bit-packed:
 * <ul>
 *   <li>{@code W -> LowBitFakeQuantize -> Wq} becomes {@code (codes, scale) -> DequantizeLowBit -> Wq}:
 *       codes INT64 {@code [rows, bits * ceil(rowLength / 64)]} ({@link BitPacking}: 2 bits per ternary
 *       weight, 1 per binary one) and the float scales; the layer reading {@code Wq} is unchanged. The
 *       planner folds DequantizeLowBit once, so inference runs the float kernels on {@code alpha * C};</li>
 *   <li>{@code x -> BinaryActivation -> Conv(W -> LowBitFakeQuantize)} becomes one
 *       {@code XnorConv(x, signs, alpha, B)}: the weight signs packed channel-innermost
 *       ({@link BinaryConv#packWeights}) and the per-filter {@code alpha}; it binarises x itself and
 *       runs on XOR and popcount; a Gemm fed by a BinaryActivation becomes an {@code XnorGemm} the same
 *       way (its signs one row per output).</li>
 * </ul>
 * All compute, for the trained weights, exactly what the fake-quantized graph computes.
 */
public final class LowBitPacking {
    private LowBitPacking() {
    }

    /** The packed inference graph. */
    public static Graph pack(Graph fake) {
        Graph.Builder b = fake.toBuilder();
        for (Node f : fake.nodes()) {
            if (!(f.op() instanceof LowBitFakeQuantize fq)) {
                continue;
            }
            String w = f.input(0);
            Tensor weights = fake.initializer(w);
            if (weights == null) {
                throw new IllegalArgumentException("node " + f.describe() + " must read a weight initializer; '" + w
                        + "' is computed by the graph");
            }
            LowBitWeights.Quantized q = LowBitWeights.quantize(weights, fq.coding(), fq.axis());
            List<Node> readers = fake.consumers(f.output());
            Node layer = readers.size() == 1 ? readers.get(0) : null;
            Node binarize = layer == null ? null : fake.producer(layer.input(0));
            b.removeNode(f.name());
            b.removeInitializer(w);
            if (binarize != null && binarize.op() instanceof BinaryActivation act && layer.op() instanceof Conv conv) {
                packXnor(b, layer, conv, binarize, act, weights, q);
            } else if (binarize != null && binarize.op() instanceof BinaryActivation act
                    && layer.op() instanceof Gemm gemm) {
                packXnorGemm(b, layer, gemm, binarize, act, q);
            } else {
                packWeights(b, f, w, q);
            }
        }
        return dropUnusedInitializers(b.build());
    }

    private static void packWeights(Graph.Builder b, Node f, String w, LowBitWeights.Quantized q) {
        Shape s = q.shape();
        int rows = s.dim(0);
        int rowLength = s.size() / rows;
        int bits = q.coding().bits();
        long[] packed = new long[rows * BitPacking.rowLongs(bits, rowLength)];
        BitPacking.pack(q.codes(), rows, rowLength, bits, packed, 0);
        String codes = b.freshName(w + "_codes");
        String scale = b.freshName(w + "_scale");
        b.initializer(codes, Tensor.ofLongs(Shape.of(rows, BitPacking.rowLongs(bits, rowLength)), packed));
        b.initializer(scale, Tensor.of(Shape.of(q.scales().length), q.scales()));
        b.node(f.name(), new DequantizeLowBit(bits, s.dims(), q.axis() == LowBitWeights.PER_LAYER ? 0 : q.axis()),
                List.of(codes, scale), f.outputs());
    }

    private static void packXnor(Graph.Builder b, Node layer, Conv conv, Node binarize, BinaryActivation act,
                                 Tensor weights, LowBitWeights.Quantized q) {
        if (q.coding() != LowBitWeights.Coding.BINARY) {
            throw new IllegalArgumentException("layer " + layer.describe() + " has binary activations but "
                    + q.coding() + " weights; an XnorConv needs binary weights");
        }
        Shape ws = weights.shape();
        int filters = ws.dim(0);
        long[] signs = new long[filters * ws.dim(2) * ws.dim(3) * BinaryConv.words(ws.dim(1))];
        float[] codes = new float[q.codes().length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = q.codes()[i];
        }
        BinaryConv.packWeights(codes, 0, filters, ws.dim(1), ws.dim(2), ws.dim(3), signs, 0);
        float[] alpha = perOutput(q, filters);
        String w = layer.input(1);
        String signName = b.freshName(w + "_signs");
        String alphaName = b.freshName(w + "_alpha");
        b.initializer(signName, Tensor.ofLongs(Shape.of(filters, ws.dim(2), ws.dim(3), BinaryConv.words(ws.dim(1))),
                signs));
        b.initializer(alphaName, Tensor.of(Shape.of(filters), alpha));
        List<String> inputs = new ArrayList<>(List.of(binarize.input(0), signName, alphaName));
        if (!layer.input(2).isEmpty()) {
            inputs.add(layer.input(2));
        }
        b.removeNode(binarize.name());
        b.replaceNode(new Node(layer.name(), new XnorConv(conv.window(), act.scale()), inputs, layer.outputs()));
    }

    private static void packXnorGemm(Graph.Builder b, Node layer, Gemm gemm, Node binarize, BinaryActivation act,
                                     LowBitWeights.Quantized q) {
        if (q.coding() != LowBitWeights.Coding.BINARY) {
            throw new IllegalArgumentException("layer " + layer.describe() + " has binary inputs but "
                    + q.coding() + " weights; an XnorGemm needs binary weights");
        }
        Shape ws = q.shape();
        int outputs = gemm.transB() ? ws.dim(0) : ws.dim(1);
        int k = gemm.transB() ? ws.dim(1) : ws.dim(0);
        float[] rows = new float[outputs * k];      // row j: the codes of output j's weights
        for (int j = 0; j < outputs; j++) {
            for (int i = 0; i < k; i++) {
                rows[j * k + i] = q.codes()[gemm.transB() ? j * k + i : i * outputs + j];
            }
        }
        long[] signs = new long[outputs * BinaryConv.words(k)];
        BinaryConv.packWeights(rows, 0, outputs, k, 1, 1, signs, 0);
        String w = layer.input(1);
        String signName = b.freshName(w + "_signs");
        String alphaName = b.freshName(w + "_alpha");
        b.initializer(signName, Tensor.ofLongs(Shape.of(outputs, BinaryConv.words(k)), signs));
        b.initializer(alphaName, Tensor.of(Shape.of(outputs), perOutput(q, outputs)));
        List<String> inputs = new ArrayList<>(List.of(binarize.input(0), signName, alphaName));
        if (!layer.input(2).isEmpty()) {
            inputs.add(layer.input(2));
        }
        b.removeNode(binarize.name());
        b.replaceNode(new Node(layer.name(), new XnorGemm(act.scale()), inputs, layer.outputs()));
    }

    /** One scale per output: the per-filter scales, or the layer's scale repeated. */
    private static float[] perOutput(LowBitWeights.Quantized q, int outputs) {
        float[] alpha = new float[outputs];
        for (int j = 0; j < outputs; j++) {
            alpha[j] = q.scales().length == 1 ? q.scales()[0] : q.scales()[j];
        }
        return alpha;
    }

    private static Graph dropUnusedInitializers(Graph g) {
        Graph.Builder b = g.toBuilder();
        for (String name : g.initializers().keySet()) {
            if (g.consumers(name).isEmpty() && !g.outputs().contains(name)) {
                b.removeInitializer(name);
            }
        }
        return b.build();
    }

    /**
     * Weight storage of the packed layers of {@code packed}: their bytes as float32 and as stored
     * (codes or sign words, plus scales).
     *
     * @param layers       number of packed layers (DequantizeLowBit, XnorConv and XnorGemm nodes)
     * @param floatBytes   4 bytes per weight of those layers
     * @param packedBytes  8 per INT64 word of codes or signs, plus 4 per scale
     */
    public record PackedSize(int layers, long floatBytes, long packedBytes) {
        /** {@code floatBytes / packedBytes}: ~16 for ternary, ~32 for binary. */
        public double ratio() {
            return packedBytes == 0 ? Double.NaN : (double) floatBytes / packedBytes;
        }
    }

    /** The storage of the packed layers of a graph made by {@link #pack}. */
    public static PackedSize packedSize(Graph packed) {
        int layers = 0;
        Plan plan = null;
        long floatBytes = 0;
        long packedBytes = 0;
        for (Node n : packed.nodes()) {
            if (n.op() instanceof DequantizeLowBit d) {
                layers++;
                floatBytes += 4L * d.shape().size();
                packedBytes += bytes(packed.initializer(n.input(0))) + bytes(packed.initializer(n.input(1)));
            } else if (n.op() instanceof XnorConv) {
                Tensor signs = packed.initializer(n.input(1));
                layers++;
                plan = plan != null ? plan : planOf(packed);
                floatBytes += 4L * signs.shape().dim(0) * signs.shape().dim(1) * signs.shape().dim(2)
                        * plan.info(n.input(0)).shape().dim(1);
                packedBytes += bytes(signs) + bytes(packed.initializer(n.input(2)));
            } else if (n.op() instanceof XnorGemm) {
                Tensor signs = packed.initializer(n.input(1));
                layers++;
                plan = plan != null ? plan : planOf(packed);
                floatBytes += 4L * signs.shape().dim(0) * plan.info(n.input(0)).shape().dim(1);
                packedBytes += bytes(signs) + bytes(packed.initializer(n.input(2)));
            }
        }
        return new PackedSize(layers, floatBytes, packedBytes);
    }

    /** A plan for batch 1, to read the input shapes of the XnorConv layers. */
    private static Plan planOf(Graph g) {
        Shape in = g.inputs().get(0).shape();
        return Plan.compile(g, in.isConcrete() ? in : in.withDim(0, 1));
    }

    private static long bytes(Tensor t) {
        return t == null ? 0 : (long) t.size() * (t.type() == DataType.INT64 ? 8 : t.type().byteSize());
    }
}
