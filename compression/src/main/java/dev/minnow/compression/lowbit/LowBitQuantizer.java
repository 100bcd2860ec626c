package dev.minnow.compression.lowbit;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.EpochStats;
import dev.minnow.engine.train.Optimizer;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ternary, binary and XNOR quantization of a classifier, with straight-through training:
 * <ol>
 *   <li>{@link #select}: the layers to quantize, every Conv and Gemm whose weights are an
 *       initializer except the first and the last, which stay float as in TWN, BinaryConnect and
 *       XNOR-Net (they hold few weights and matter most for accuracy);</li>
 *   <li>{@link #withFakeQuantization}: each selected weight is read through a
 *       {@link LowBitFakeQuantize} (the float weights stay the parameters: "shadow" weights); in
 *       {@link Mode#XNOR} the input of each selected layer with an XNOR form also goes through a
 *       {@link BinaryActivation};</li>
 *   <li>training with the ordinary {@link Trainer}, the gradients passing straight through; for
 *       binary codes the shadow weights are clipped to [-1, 1] after every step (BinaryConnect);</li>
 *   <li>{@link #pack}: the fake nodes become bit-packed codes and scales read by
 *       {@code DequantizeLowBit} (2 or 1 bits per weight in the file), and a binarised activation
 *       feeding a layer becomes, with it, one {@code XnorConv} or {@code XnorGemm} running on XOR
 *       and popcount.</li>
 * </ol>
 * The packed graph computes exactly what the trained fake-quantized graph computes at inference.
 */
public final class LowBitQuantizer {
    private LowBitQuantizer() {
    }

    /** What is quantized. */
    public enum Mode {
        /** Ternary weights, a scale per filter (TWN with per-filter alpha). */
        TERNARY("ternary", LowBitWeights.Coding.TERNARY, true),
        /** Ternary weights, one scale per layer (TWN as published). */
        TERNARY_PER_LAYER("ternary-per-layer", LowBitWeights.Coding.TERNARY, false),
        /** Binary weights, a scale E|W| per filter; activations stay float (BinaryConnect + XNOR-Net's alpha). */
        BINARY("binary", LowBitWeights.Coding.BINARY, true),
        /** Binary weights and binary inputs (XNOR-Net) for the layers that have an XNOR form (see {@link #select}). */
        XNOR("xnor", LowBitWeights.Coding.BINARY, true);

        private final String cliName;
        private final LowBitWeights.Coding coding;
        private final boolean perFilter;

        Mode(String cliName, LowBitWeights.Coding coding, boolean perFilter) {
            this.cliName = cliName;
            this.coding = coding;
            this.perFilter = perFilter;
        }

        public String cliName() {
            return cliName;
        }

        public LowBitWeights.Coding coding() {
            return coding;
        }

        public boolean perFilter() {
            return perFilter;
        }

        /** The mode for a CLI name, or null. */
        public static Mode fromCliName(String name) {
            for (Mode m : values()) {
                if (m.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            return null;
        }
    }

    /**
     * One quantized layer.
     *
     * @param node   the Conv or Gemm node
     * @param weight its weight initializer
     * @param axis   the axis of its per-filter scales, or {@link LowBitWeights#PER_LAYER}
     * @param xnor   whether its input is binarised too (an XnorConv after packing)
     */
    public record Layer(String node, String weight, int axis, boolean xnor) {
    }

    /** The packed graph, the training history, and the layers that were quantized. */
    public record Result(Graph graph, List<EpochStats> history, List<Layer> layers) {
    }

    /**
     * The layers {@code mode} quantizes in {@code g}: Conv and Gemm nodes reading a float weight
     * initializer (read by no other node), in graph order, without the first and the last of them
     * unless {@code allLayers}. In XNOR mode a layer also gets binary inputs when it has an XNOR form
     * ({@link #supportsBinaryInput}) and its input is not a graph input.
     */
    public static List<Layer> select(Graph g, Mode mode, boolean allLayers) {
        List<Layer> all = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof Conv) && !(n.op() instanceof Gemm)) {
                continue;
            }
            String w = n.input(1);
            Tensor t = g.initializer(w);
            if (t == null || t.type() != DataType.FLOAT || g.consumers(w).size() != 1) {
                continue;
            }
            int axis = !mode.perFilter() ? LowBitWeights.PER_LAYER
                    : n.op() instanceof Gemm gemm && !gemm.transB() ? 1 : 0;
            boolean xnor = mode == Mode.XNOR && supportsBinaryInput(g, n, t)
                    && g.inputs().stream().noneMatch(in -> in.name().equals(n.input(0)));
            all.add(new Layer(n.name(), w, axis, xnor));
        }
        if (allLayers) {
            return List.copyOf(all);
        }
        return all.size() <= 2 ? List.of() : List.copyOf(all.subList(1, all.size() - 1));
    }

    /**
     * Whether the layer has an XNOR form: a 2-D Conv with one group and no fused activation
     * ({@code XnorConv}), or a Gemm {@code Y = X W^T + B} or {@code X W + B} with alpha = beta = 1,
     * X not transposed and a bias of shape {@code [M]} or none ({@code XnorGemm}).
     */
    static boolean supportsBinaryInput(Graph g, Node n, Tensor w) {
        if (n.op() instanceof Conv c) {
            return c.group() == 1 && c.activation() == null && w.rank() == 4;
        }
        if (n.op() instanceof Gemm gemm && gemm.alpha() == 1f && gemm.beta() == 1f && !gemm.transA() && w.rank() == 2) {
            Tensor bias = n.input(2).isEmpty() ? null : g.initializer(n.input(2));
            int outputs = gemm.transB() ? w.shape().dim(0) : w.shape().dim(1);
            return n.input(2).isEmpty() || bias != null && bias.rank() == 1 && bias.shape().dim(0) == outputs;
        }
        return false;
    }

    /**
     * The training graph: {@code g} (whose tensors are copied, so training leaves {@code g} as it
     * was) with a {@link LowBitFakeQuantize} between each selected weight and its layer and, for
     * XNOR layers, a {@link BinaryActivation} before the layer's input.
     */
    public static Graph withFakeQuantization(Graph g, List<Layer> layers, Mode mode) {
        Graph.Builder b = g.toBuilder();
        g.initializers().forEach((name, t) -> b.initializer(name, t.copy()));
        for (Layer layer : layers) {
            Node n = current(b, layer.node());
            List<String> inputs = new ArrayList<>(n.inputs());
            String wq = b.freshName(layer.weight() + "_" + mode.coding().name().toLowerCase(Locale.ROOT));
            b.node(b.freshName(layer.node() + "_fake_" + mode.coding().name().toLowerCase(Locale.ROOT)),
                    new LowBitFakeQuantize(mode.coding(), layer.axis()), List.of(layer.weight()), List.of(wq));
            inputs.set(1, wq);
            if (layer.xnor()) {
                String xb = b.freshName(n.input(0) + "_binary");
                b.node(b.freshName(layer.node() + "_binarize_input"), new BinaryActivation(true),
                        List.of(n.input(0)), List.of(xb));
                inputs.set(0, xb);
            }
            b.replaceNode(new Node(n.name(), n.op(), inputs, n.outputs()));
        }
        return b.build();
    }

    /**
     * The whole pipeline: fake quantization, {@code config.epochs()} epochs of straight-through
     * training on {@code train} (none when 0: post-training quantization), packing.
     *
     * @param allLayers quantize the first and last layers too
     */
    public static Result quantize(Graph floatGraph, Mode mode, boolean allLayers, ImageDataset train,
                                  TrainConfig config, Optimizer optimizer, PrintStream log) {
        List<Layer> layers = select(floatGraph, mode, allLayers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("graph '" + floatGraph.name() + "' has no layer to quantize: it needs"
                    + " Conv or Gemm layers with weight initializers, and more than two of them unless all layers"
                    + " are quantized (the first and the last stay float)");
        }
        Graph fake = withFakeQuantization(floatGraph, layers, mode);
        List<EpochStats> history = List.of();
        if (config.epochs() > 0) {
            Trainer trainer = new Trainer(fake, config, optimizer).log(log);
            if (mode.coding() == LowBitWeights.Coding.BINARY) {
                List<Tensor> shadows = layers.stream().map(l -> fake.initializer(l.weight())).toList();
                trainer.onStep((epoch, step, steps) -> shadows.forEach(LowBitQuantizer::clipToUnit));
            }
            history = trainer.fit(train, null);
        }
        return new Result(pack(fake), history, layers);
    }

    /** BinaryConnect's clip of the shadow weights to [-1, 1], which keeps them where sign can still flip. */
    static void clipToUnit(Tensor w) {
        float[] d = w.data();
        for (int i = w.offset(); i < w.offset() + w.size(); i++) {
            d[i] = Math.max(-1f, Math.min(1f, d[i]));
        }
    }

    /** The inference graph of a fake-quantized one: see {@link LowBitPacking}. */
    public static Graph pack(Graph fake) {
        return LowBitPacking.pack(fake);
    }

    static Node current(Graph.Builder b, String name) {
        for (Node n : b.nodes()) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw new IllegalStateException("no node '" + name + "' in the graph being built");
    }
}
