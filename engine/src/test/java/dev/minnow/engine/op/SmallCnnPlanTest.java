package dev.minnow.engine.op;

import static dev.minnow.engine.op.OpFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The spatial ops inside a compiled plan: shapes inferred node to node, a MaxPool whose Indices
 * output is unused, buffers reused, and each node's cached window geometry kept apart from the
 * others'. The reference is the same ops run one by one (their arithmetic is checked against
 * PyTorch in each op's own test).
 */
class SmallCnnPlanTest {

    private static Tensor random(Random r, int... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(s, v);
    }

    private static Tensor positive(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.5f + r.nextFloat();
        }
        return Tensor.of(Shape.of(n), v);
    }

    @Test
    void runsConvBatchNormPoolChainLikeTheOpsOneByOne() {
        Random r = new Random(7);
        Map<String, Tensor> weights = Map.of(
                "w1", random(r, 6, 3, 3, 3), "b1", random(r, 6),
                "scale", random(r, 6), "shift", random(r, 6), "mean", random(r, 6), "var", positive(r, 6),
                "w2", random(r, 12, 1, 3, 3));
        Conv conv1 = Conv.of2d(3, 1, 1);
        BatchNormalization bn = new BatchNormalization(1e-3f, 0.9f);
        MaxPool pool = new MaxPool(SlidingWindow.of2d(3, 2, 0).withCeilMode(true));
        Conv depthwise = Conv.depthwise2d(3, 2, 1, 6);
        Lrn lrn = new Lrn(5, 1e-2f, 0.75f, 2f);
        Graph.Builder g = Graph.builder("small-cnn").input("x", Shape.UNKNOWN, 3, 11, 11);
        weights.forEach(g::initializer);
        Graph graph = g
                .node("conv1", conv1, List.of("x", "w1", "b1"), List.of("c1"))
                .node("bn", bn, List.of("c1", "scale", "shift", "mean", "var"), List.of("n1"))
                .node("relu", new Relu(), List.of("n1"), List.of("r1"))
                .node("pool", pool, List.of("r1"), List.of("p1"))
                .node("dw", depthwise, List.of("p1", "w2"), List.of("d1"))
                .node("lrn", lrn, List.of("d1"), List.of("l1"))
                .node("gap", new GlobalAveragePool(), List.of("l1"), List.of("y"))
                .output("y").build();
        Plan plan = Plan.compile(graph, Map.of("x", Shape.of(2, 3, 11, 11)), PlanOptions.inference());
        assertThat(plan.info("p1").shape()).isEqualTo(Shape.of(2, 6, 5, 5));  // ceil((11-3)/2)+1 = 5
        assertThat(plan.info("d1").shape()).isEqualTo(Shape.of(2, 12, 3, 3));
        assertThat(plan.info("y").shape()).isEqualTo(Shape.of(2, 12, 1, 1));

        for (int trial = 0; trial < 2; trial++) {
            Tensor x = random(r, 2, 3, 11, 11);
            Tensor y = plan.runSingle(x);
            Tensor expected = run(new GlobalAveragePool(), run(lrn, run(depthwise, run(pool, run(new Relu(),
                    run(bn, run(conv1, x, weights.get("w1"), weights.get("b1"))[0], weights.get("scale"),
                            weights.get("shift"), weights.get("mean"), weights.get("var"))[0])[0])[0],
                    weights.get("w2"))[0])[0])[0];
            assertThat(y.toFloatArray()).containsExactly(expected.toFloatArray());
        }
    }

    @Test
    void foldsAConvolutionOfConstants() {
        Graph graph = Graph.builder("folded").input("unused", 1)
                .initializer("x", Tensor.of(Shape.of(1, 1, 3), 1, 2, 3))
                .initializer("w", Tensor.of(Shape.of(1, 1, 2), 1, 1))
                .node("conv", new Conv(SlidingWindow.of(2), 1), List.of("x", "w"), List.of("y"))
                .output("y").build();
        Plan plan = Plan.compile(graph, Map.of("unused", Shape.of(1)), PlanOptions.inference());
        assertThat(plan.runtimeNodes()).isEmpty();
        assertThat(plan.info("y").constant().toFloatArray()).containsExactly(3, 5);
    }
}
