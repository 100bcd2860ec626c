package dev.minnow.compression.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batch-norm folding against the equations worked by hand, and against the unfolded graph. */
class FoldBatchNormTest {

    /** conv (2 filters of 1x1 over 1 channel, weights 2 and -1, bias 0.5 and 0) then BN. */
    private static Graph convBn(boolean bias, boolean extraReader) {
        Graph.Builder b = Graph.builder("g").input("x", 1, 1, 2, 2)
                .initializer("w", Tensor.of(Shape.of(2, 1, 1, 1), 2f, -1f))
                .initializer("gamma", Tensor.of(Shape.of(2), 3f, 0.5f))
                .initializer("beta", Tensor.of(Shape.of(2), 1f, -2f))
                .initializer("mean", Tensor.of(Shape.of(2), 0.25f, 4f))
                .initializer("var", Tensor.of(Shape.of(2), 3.99f, 0.24f));
        if (bias) {
            b.initializer("b", Tensor.of(Shape.of(2), 0.5f, 0f));
        }
        b.node("conv", Conv.of2d(1, 1, 0), bias ? List.of("x", "w", "b") : List.of("x", "w"), List.of("y"))
                .node("bn", new BatchNormalization(0.01f, 0.9f), List.of("y", "gamma", "beta", "mean", "var"), List.of("z"))
                .output("z");
        if (extraReader) {
            b.node("peek", new Relu(), List.of("y"), List.of("p")).output("p");
        }
        return b.build();
    }

    @Test
    void foldsIntoTheConvolutionAsTheEquationsSay() {
        // a = gamma / sqrt(var + eps) = 3 / sqrt(4) = 1.5 and 0.5 / sqrt(0.25) = 1
        // w' = w * a = [3, -1];  b' = (b - mean) * a + beta = (0.5 - 0.25) * 1.5 + 1 = 1.375, (0 - 4) * 1 - 2 = -6
        PassResult r = new FoldBatchNorm().apply(convBn(true, false));
        Graph g = r.graph();
        assertThat(g.nodes()).hasSize(1);
        Node conv = g.nodes().get(0);
        assertThat(conv.name()).isEqualTo("conv");
        assertThat(conv.output()).isEqualTo("z");
        assertThat(g.initializer(conv.input(1)).toFloatArray()).containsExactly(new float[] {3f, -1f}, within(1e-6f));
        assertThat(g.initializer(conv.input(2)).toFloatArray()).containsExactly(new float[] {1.375f, -6f}, within(1e-6f));
        assertThat(g.initializers().keySet()).containsExactlyInAnyOrder("w", "b");
        assertThat(r.changes()).containsExactly("folded 'bn' (BatchNormalization) into 'conv' (Conv) (2 channels, eps 0.01)");
        // without a bias the conv gains one: b' = -mean * a + beta
        Graph nb = new FoldBatchNorm().apply(convBn(false, false)).graph();
        Node c = nb.nodes().get(0);
        assertThat(c.inputs()).hasSize(3);
        assertThat(nb.initializer(c.input(2)).toFloatArray()).containsExactly(new float[] {0.625f, -6f}, within(1e-6f));
    }

    @Test
    void leavesAConvolutionWhoseOutputSomeoneElseReads() {
        Graph g = convBn(true, true);
        PassResult r = new FoldBatchNorm().apply(g);
        assertThat(r.changed()).isFalse();
        assertThat(r.graph()).isSameAs(g);
    }

    @Test
    void foldsIntoGemmForEveryLayoutAndBias() {
        Random rnd = new Random(4);
        for (boolean transB : new boolean[] {false, true}) {
            for (int cKind = 0; cKind < 4; cKind++) {   // no C, scalar C, [N] C, [1, N] C
                Tensor w = random(rnd, transB ? Shape.of(3, 5) : Shape.of(5, 3));
                Graph.Builder b = Graph.builder("fc").input("x", 4, 5).initializer("w", w);
                List<String> ins = List.of("x", "w");
                if (cKind > 0) {
                    b.initializer("c", random(rnd, cKind == 1 ? Shape.scalar() : cKind == 2 ? Shape.of(3) : Shape.of(1, 3)));
                    ins = List.of("x", "w", "c");
                }
                b.node("fc", new Gemm(0.7f, 1.3f, false, transB), ins, List.of("y"));
                addBn(b, rnd, 3, "y", "z");
                Graph g = b.output("z").build();
                Graph folded = new FoldBatchNorm().apply(g).graph();
                assertThat(folded.nodes()).as("transB %s C kind %d", transB, cKind).hasSize(1);
                assertSameOutputs(g, folded, Shape.of(4, 5));
            }
        }
    }

    @Test
    void copiesAWeightThatAnotherNodeShares() {
        Random rnd = new Random(5);
        Graph.Builder b = Graph.builder("shared").input("x", 2, 3, 5, 5).initializer("w", random(rnd, Shape.of(3, 3, 3, 3)));
        b.node("conv1", Conv.of2d(3, 1, 1), List.of("x", "w"), List.of("y1"));
        addBn(b, rnd, 3, "y1", "z1");
        b.node("conv2", Conv.of2d(3, 1, 1), List.of("z1", "w"), List.of("y2"));
        Graph g = b.output("y2").build();
        Graph folded = new FoldBatchNorm().apply(g).graph();
        assertThat(folded.node("conv1").input(1)).isNotEqualTo("w");
        assertThat(folded.node("conv2").input(1)).isEqualTo("w");
        assertThat(folded.initializer("w")).isSameAs(g.initializer("w"));
        assertSameOutputs(g, folded, Shape.of(2, 3, 5, 5));
    }

    static void addBn(Graph.Builder b, Random rnd, int c, String in, String out) {
        String p = out + ".bn";
        b.initializer(p + ".gamma", uniform(rnd, c, 0.5f, 1.5f));
        b.initializer(p + ".beta", uniform(rnd, c, -0.5f, 0.5f));
        b.initializer(p + ".mean", uniform(rnd, c, -0.5f, 0.5f));
        b.initializer(p + ".var", uniform(rnd, c, 0.5f, 2f));
        b.node(p, new BatchNormalization(1e-3f, 0.9f), List.of(in, p + ".gamma", p + ".beta", p + ".mean", p + ".var"),
                List.of(out));
    }

    static Tensor uniform(Random rnd, int n, float lo, float hi) {
        Tensor t = Tensor.zeros(n);
        for (int i = 0; i < n; i++) {
            t.data()[i] = lo + rnd.nextFloat() * (hi - lo);
        }
        return t;
    }

    static Tensor random(Random rnd, Shape s) {
        Tensor t = Tensor.zeros(s);
        Init.uniform(t, 1, rnd);
        return t;
    }

    static void assertSameOutputs(Graph a, Graph b, Shape input) {
        Tensor x = random(new Random(9), input);
        Tensor ya = Plan.compile(a, input).runSingle(x).copy();
        Tensor yb = Plan.compile(b, input).runSingle(x);
        assertThat(yb.shape()).isEqualTo(ya.shape());
        for (int i = 0; i < ya.size(); i++) {
            assertThat(yb.get(i)).as("element %d", i).isCloseTo(ya.get(i), within(1e-5f * (1 + Math.abs(ya.get(i)))));
        }
    }
}
