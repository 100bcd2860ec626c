package dev.minnow.compression.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.compression.prune.MagnitudePruner;
import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.op.Activation;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.MatMul;
import dev.minnow.engine.op.SlidingWindow;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sparse graph computes what the dense graph computes, and exports as the dense graph. */
class SparseInferenceTest {

    /** conv (pad 1, 2 groups) -> relu -> maxpool -> conv (stride 2, dilation 2) -> flatten -> fc -> relu -> fc. */
    static Graph network() {
        ModelBuilder b = new ModelBuilder("sparse_net", 5);
        String x = b.input("x", Shape.UNKNOWN, 4, 12, 12);
        x = b.maxPool(b.relu(b.conv(x, ConvSpec.of(8, 3).withPad(1).withGroups(2))), 2, 2);
        x = b.conv(x, ConvSpec.of(6, 3).withStride(2).withDilation(2).withPad(2));
        x = b.relu(b.dense(b.flatten(x), 40));
        return b.output(b.dense(x, 10)).build();
    }

    static Tensor input(int batch, long seed) {
        Tensor t = Tensor.zeros(Shape.of(batch, 4, 12, 12));
        Init.uniform(t, 1, new Random(seed));
        return t;
    }

    static Tensor run(Graph g, Tensor x) {
        Plan p = Plan.compile(g, Map.of("x", x.shape()), PlanOptions.inference().withThreads(2));
        return p.runSingle(x).copy();
    }

    static void assertClose(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        for (int i = 0; i < expected.size(); i++) {
            float e = expected.get(i);
            assertThat(Math.abs(actual.get(i) - e)).as("element %d", i).isLessThanOrEqualTo(1e-4f * (1 + Math.abs(e)));
        }
    }

    @Test
    void aPrunedNetworkGivesTheSameOutputsWithSparseOpsAtBatchOneAndThree() {
        Graph g = network();
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, 0.9));
        Graph sparse = SparseInference.sparsify(g);
        assertThat(SparseInference.sparseNodes(sparse)).hasSize(4);
        assertThat(sparse.nodes().stream().filter(n -> n.op() instanceof SparseConv)).hasSize(2);
        assertThat(sparse.nodes().stream().filter(n -> n.op() instanceof SparseGemm)).hasSize(2);
        for (int batch : new int[] {1, 3}) {
            Tensor x = input(batch, batch);
            assertClose(run(sparse, x), run(g, x));
        }
    }

    @Test
    void aConvolutionWithAFusedActivationStaysDense() {
        Graph g = network();
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, 0.9));
        Graph.Builder b = g.toBuilder();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Conv c) {
                b.replaceNode(n.withOp(c.withActivation(Activation.relu())));
            }
        }
        Graph fused = b.build();
        Graph sparse = SparseInference.sparsify(fused);
        assertThat(sparse.nodes().stream().filter(n -> n.op() instanceof SparseConv)).isEmpty();
        assertThat(sparse.nodes().stream().filter(n -> n.op() instanceof SparseGemm)).hasSize(2);
        Tensor x = input(2, 5);
        assertClose(run(sparse, x), run(fused, x));
    }

    @Test
    void bothKernelImplementationsGiveTheDenseOutputs() {
        Graph g = network();
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, 0.8));
        Tensor x = input(2, 9);
        Tensor expected = run(g, x);
        for (SparseKernels k : SparseKernelsTest.implementations().toList()) {
            Graph.Builder b = g.toBuilder();
            for (Node n : g.nodes()) {
                Tensor w = n.inputs().size() > 1 ? g.initializer(n.input(1)) : null;
                if (n.op() instanceof Conv c) {
                    b.replaceNode(n.withOp(new SparseConv(c, w.shape(), CsrMatrix.fromDense(w), k)));
                } else if (n.op() instanceof Gemm) {
                    b.replaceNode(n.withOp(new SparseGemm(n.op(), CsrMatrix.fromDense(w), k)));
                }
            }
            assertClose(run(b.build(), x), expected);
        }
    }

    @Test
    void theThresholdsDecideWhichLayersGoSparse() {
        Graph g = network();
        List<String> weights = List.of("conv1.weight", "conv2.weight", "fc1.weight", "fc2.weight");
        assertThat(weights).allMatch(w -> g.initializer(w) != null);
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, Map.of("conv1.weight", 0.95, "conv2.weight", 0.5,
                "fc1.weight", 0.95, "fc2.weight", 0.5)));
        Graph sparse = SparseInference.sparsify(g);
        assertThat(SparseInference.sparseNodes(sparse)).extracting(n -> n.input(1))
                .containsExactly("conv1.weight", "fc1.weight");
        assertThat(SparseInference.sparseNodes(SparseInference.sparsify(g, 2, 2))).isEmpty();
        assertThat(SparseInference.sparseNodes(SparseInference.sparsify(g, 0.4, 0.4))).hasSize(4);
        assertThat(SparseInference.sparseNodes(SparseInference.densify(sparse))).isEmpty();
        assertThat(SparseInference.densify(sparse).nodes()).extracting(Node::op)
                .containsExactlyElementsOf(g.nodes().stream().map(Node::op).toList());
    }

    @Test
    void aSparseGraphExportsToOnnxAsTheDenseGraphAndComputesTheSame() throws Exception {
        Graph g = network();
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, 0.92));
        Graph sparse = SparseInference.sparsify(g);
        byte[] onnx = OnnxWriter.toBytes(sparse);
        assertThat(onnx).isEqualTo(OnnxWriter.toBytes(g));
        Graph back = OnnxReader.read(onnx, "sparse.onnx");
        assertThat(back.nodes()).noneMatch(n -> n.op() instanceof SparseConv || n.op() instanceof SparseGemm);
        assertThat(back.nodes().stream().map(n -> n.op().opType()).toList())
                .containsExactlyElementsOf(g.nodes().stream().map(n -> n.op().opType()).toList());
        Tensor x = input(2, 4);
        assertClose(run(SparseInference.sparsify(back), x), run(g, x));
        assertClose(run(back, x), run(sparse, x));
    }

    @Test
    void matMulByAConstantAndGemmWithoutTransBAndWithAlphaBetaGoSparseToo() {
        Random r = new Random(2);
        Tensor w = Tensor.zeros(Shape.of(12, 7));
        Tensor w2 = Tensor.zeros(Shape.of(7, 5));
        Tensor c = Tensor.zeros(Shape.of(1, 5));
        for (Tensor t : new Tensor[] {w, w2, c}) {
            Init.gaussian(t, 1, r);
        }
        Graph g = Graph.builder("mm").input("x", Shape.UNKNOWN, 12)
                .initializer("w", w).initializer("w2", w2).initializer("c", c)
                .node("mm", new MatMul(), List.of("x", "w"), List.of("h"))
                .node("gemm", new Gemm(0.5f, 2f, false, false), List.of("h", "w2", "c"), List.of("y"))
                .output("y").build();
        // zero 4 of every 5 weights by hand: the pass looks at zeros, whoever made them
        for (Tensor t : new Tensor[] {w, w2}) {
            for (int i = 0; i < t.size(); i++) {
                if (i % 5 != 0) {
                    t.data()[i] = 0f;
                }
            }
        }
        Graph sparse = SparseInference.sparsify(g, 0.5, 0.5);
        assertThat(SparseInference.sparseNodes(sparse)).hasSize(2);
        Tensor x = Tensor.zeros(Shape.of(3, 12));
        Init.uniform(x, 1, r);
        Tensor expected = run(g, x);
        // the reference by hand: y = 0.5 * (x w) w2 + 2 c
        for (int i = 0; i < 3; i++) {
            for (int o = 0; o < 5; o++) {
                double y = 0;
                for (int h = 0; h < 7; h++) {
                    double hv = 0;
                    for (int k = 0; k < 12; k++) {
                        hv += (double) x.get(i, k) * w.get(k, h);
                    }
                    y += hv * w2.get(h, o);
                }
                assertThat(expected.get(i, o)).isCloseTo((float) (0.5 * y + 2 * c.get(0, o)),
                        org.assertj.core.api.Assertions.within(1e-4f));
            }
        }
        assertClose(run(sparse, x), expected);
        assertClose(run(sparse, x.reshape(Shape.of(3, 12))), expected);
        Tensor one = Tensor.of(Shape.of(1, 12), java.util.Arrays.copyOf(x.toFloatArray(), 12));
        assertClose(run(sparse, one), run(g, one));
    }

    @Test
    void sameAutoPaddingIsResolvedAsTheDenseConvDoes() {
        Random r = new Random(8);
        Tensor w = Tensor.zeros(Shape.of(6, 3, 3, 2));
        Init.gaussian(w, 1, r);
        for (int i = 0; i < w.size(); i += 2) {
            w.data()[i] = 0f;
        }
        for (SlidingWindow.AutoPad pad : new SlidingWindow.AutoPad[] {SlidingWindow.AutoPad.SAME_UPPER,
                SlidingWindow.AutoPad.SAME_LOWER, SlidingWindow.AutoPad.VALID}) {
            Conv conv = new Conv(new SlidingWindow(null, new int[] {2, 1}, null, null, pad, false), 1);
            Graph g = Graph.builder("same").input("x", Shape.UNKNOWN, 3, 7, 6).initializer("w", w)
                    .node("conv", conv, List.of("x", "w"), List.of("y")).output("y").build();
            Tensor x = Tensor.zeros(Shape.of(2, 3, 7, 6));
            Init.uniform(x, 1, r);
            assertClose(run(SparseInference.sparsify(g, 0.4, 0.4), x), run(g, x));
        }
    }

    @Test
    void depthwiseConvolutionsStayDenseAndTheOpRefusesThem() {
        ModelBuilder b = new ModelBuilder("dw", 1);
        String x = b.input("x", Shape.UNKNOWN, 4, 8, 8);
        Graph g = b.output(b.conv(x, ConvSpec.of(4, 3).withGroups(4))).build();
        String wName = g.nodes().get(0).input(1);
        g.initializer(wName).fillZero();
        assertThat(SparseInference.sparseNodes(SparseInference.sparsify(g, 0, 0))).isEmpty();
        assertThatThrownBy(() -> SparseConv.of((Conv) g.nodes().get(0).op(), g.initializer(wName)))
                .hasMessageContaining("depthwise");
    }

    @Test
    void aConvolutionOfOneInputChannelIsNotDepthwiseAndGoesSparse() {
        ModelBuilder b = new ModelBuilder("first", 1);
        String x = b.input("x", Shape.UNKNOWN, 1, 10, 10);
        Graph g = b.output(b.conv(x, ConvSpec.of(6, 5))).build();   // LeNet-5's first layer: W [6, 1, 5, 5]
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, 0.9));
        Graph sparse = SparseInference.sparsify(g);
        assertThat(SparseInference.sparseNodes(sparse)).hasSize(1);
        Tensor in = Tensor.zeros(Shape.of(2, 1, 10, 10));
        Init.uniform(in, 1, new Random(1));
        assertClose(run(sparse, in), run(g, in));
    }
}
