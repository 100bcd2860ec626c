package dev.minnow.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.op.Activation;
import dev.minnow.engine.op.Concat;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The memory planner lets convolutions write straight into their slices of a batch-1 channel
 * concatenation, which then never runs; the results equal a plan without buffer reuse (where every
 * node runs), and a concatenation that does not qualify still runs.
 */
class InPlaceConcatTest {

    /** A fire-module-like block: two convolutions of x concatenated, then a 1x1 convolution of that. */
    private static Graph fire(boolean shareFirstBranch) {
        Random r = new Random(3);
        Tensor w3 = Tensor.zeros(6, 8, 3, 3);
        Tensor b3 = Tensor.zeros(6);
        Tensor w1 = Tensor.zeros(5, 8, 1, 1);
        Tensor wOut = Tensor.zeros(4, 11, 1, 1);
        for (Tensor t : List.of(w3, b3, w1, wOut)) {
            Init.uniform(t, 1, r);
        }
        Graph.Builder g = Graph.builder("fire").input("x", -1, 8, 10, 10)
                .initializer("w3", w3).initializer("b3", b3).initializer("w1", w1).initializer("wOut", wOut)
                .node("e3", Conv.of2d(3, 1, 1).withActivation(Activation.relu()), List.of("x", "w3", "b3"),
                        List.of("a"))
                .node("e1", Conv.of2d(1, 1, 0), List.of("x", "w1"), List.of("b"))
                .node("cat", new Concat(1), List.of("a", "b"), List.of("c"))
                .node("out", Conv.of2d(1, 1, 0), List.of("c", "wOut"), List.of("y"));
        if (shareFirstBranch) {
            g.node("relu", new Relu(), List.of("a"), List.of("z")).output("z");
        }
        return g.output("y").build();
    }

    private static long concatNanos(Plan plan) {
        return plan.profile().stream().filter(t -> t.node().name().equals("cat")).findFirst().orElseThrow()
                .forwardNanos();
    }

    @Test
    void aBatchOneConcatenationOfConvolutionsIsWrittenInPlace() {
        for (boolean shared : new boolean[] {false, true}) {
            for (int batch : new int[] {1, 2}) {
                Graph g = fire(shared);
                Shape shape = Shape.of(batch, 8, 10, 10);
                Tensor x = Tensor.zeros(shape.dims());
                Init.uniform(x, 1, new Random(batch));
                Plan reused = Plan.compile(g, Map.of("x", shape), PlanOptions.inference());
                Plan separate = Plan.compile(g, Map.of("x", shape), PlanOptions.inference().withReuseBuffers(false));
                reused.setProfiling(true);
                Map<String, Tensor> got = reused.run(x);
                Map<String, Tensor> want = separate.run(x);
                for (String out : want.keySet()) {
                    Tensor a = got.get(out);
                    Tensor b = want.get(out);
                    assertThat(a.shape()).isEqualTo(b.shape());
                    for (int i = 0; i < a.size(); i++) {
                        assertThat(a.get(i)).as("%s batch %d shared %s element %d", out, batch, shared, i)
                                .isEqualTo(b.get(i));
                    }
                }
                boolean inPlace = batch == 1 && !shared;
                assertThat(concatNanos(reused)).as("batch %d, first branch also read elsewhere: %s", batch, shared)
                        .matches(nanos -> inPlace ? nanos == 0 : nanos > 0);
            }
        }
    }
}
