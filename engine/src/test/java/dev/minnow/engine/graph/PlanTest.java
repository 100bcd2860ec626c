package dev.minnow.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanTest {

    private static Graph chainOfRelus(int length) {
        Graph.Builder b = Graph.builder("chain").input("x", Shape.UNKNOWN, 3);
        String prev = "x";
        for (int i = 0; i < length; i++) {
            String out = "r" + i;
            b.node("relu" + i, new Relu(), List.of(prev), List.of(out));
            prev = out;
        }
        return b.output(prev).build();
    }

    @Test
    void runsAChainAndReusesBuffers() {
        Graph g = chainOfRelus(6);
        Plan plan = Plan.compile(g, Map.of("x", Shape.of(2, 3)), PlanOptions.inference());
        Tensor y = plan.runSingle(Tensor.of(Shape.of(2, 3), -1, 2, -3, 4, -5, 6));
        assertThat(y.toFloatArray()).containsExactly(0, 2, 0, 4, 0, 6);
        // six tensors of six floats, but only two are ever alive at once (plus the kept output)
        assertThat(plan.bufferFloats()).isLessThanOrEqualTo(3 * 6);
    }

    @Test
    void withoutReuseEveryTensorHasItsOwnBuffer() {
        Plan plan = Plan.compile(chainOfRelus(6), Map.of("x", Shape.of(2, 3)),
                PlanOptions.inference().withReuseBuffers(false));
        plan.runSingle(Tensor.of(Shape.of(2, 3), -1, 2, -3, 4, -5, 6));
        assertThat(plan.bufferFloats()).isEqualTo(6 * 6);
        assertThat(plan.value("r0").toFloatArray()).containsExactly(0, 2, 0, 4, 0, 6);
    }

    @Test
    void rejectsAnInputOfTheWrongShape() {
        assertThatThrownBy(() -> Plan.compile(chainOfRelus(1), Map.of("x", Shape.of(2, 4)), PlanOptions.inference()))
                .isInstanceOf(GraphException.class)
                .hasMessageContaining("'x'").hasMessageContaining("[?, 3]").hasMessageContaining("[2, 4]");
    }

    @Test
    void graphRejectsUndefinedTensorsAndCycles() {
        assertThatThrownBy(() -> Graph.builder("g").input("x", 1)
                .node("a", new Relu(), List.of("nope"), List.of("y")).output("y").build())
                .hasMessageContaining("node 'a' (Relu) reads tensor 'nope'");
        assertThatThrownBy(() -> Graph.builder("g").input("x", 1)
                .node("a", new Relu(), List.of("z"), List.of("y"))
                .node("b", new Relu(), List.of("y"), List.of("z")).output("y").build())
                .hasMessageContaining("cycle");
    }

    @Test
    void sortsNodesTopologically() {
        Graph g = Graph.builder("g").input("x", 1)
                .node("second", new Relu(), List.of("y"), List.of("z"))
                .node("first", new Relu(), List.of("x"), List.of("y"))
                .output("z").build();
        assertThat(g.nodes()).extracting(Node::name).containsExactly("first", "second");
    }
}
