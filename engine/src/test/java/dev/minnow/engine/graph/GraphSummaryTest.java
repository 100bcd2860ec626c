package dev.minnow.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.GraphSummary.NodeSummary;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphSummaryTest {

    /**
     * x [N, 4] -> dense(4 -> 3, W1 + b1) -> relu -> dense(3 -> 2, W2) -> y, plus a Relu of a
     * constant (folded by the planner) and a second dense layer sharing W2.
     */
    static Graph twoLayerNet() {
        return Graph.builder("mlp").input("x", Shape.UNKNOWN, 4)
                .initializer("W1", Tensor.zeros(4, 3))
                .initializer("b1", Tensor.zeros(3))
                .initializer("W2", Tensor.zeros(3, 2))
                .initializer("c", Tensor.of(Shape.of(1, 3), -1, 0, 1))
                .initializer("unused", Tensor.zeros(100))
                .initializer("shape", Tensor.ofLongs(Shape.of(2), 1, 3))
                .node("fc1", new MatMulForTests(), List.of("x", "W1", "b1"), List.of("h"))
                .node("act", new Relu(), List.of("h"), List.of("a"))
                .node("fc2", new MatMulForTests(), List.of("a", "W2"), List.of("y"))
                .node("const_relu", new Relu(), List.of("c"), List.of("c2"))
                .node("fc3", new MatMulForTests(), List.of("c2", "W2", "", "shape"), List.of("z"))
                .output("y").output("z")
                .build();
    }

    @Test
    void countsParametersAndMacsPerNodeAndInTotal() {
        GraphSummary s = GraphSummary.of(twoLayerNet(), Map.of("x", Shape.of(5, 4)));
        assertThat(s.graphName()).isEqualTo("mlp");
        assertThat(s.inputShapes()).containsExactly(Map.entry("x", Shape.of(5, 4)));
        assertThat(s.nodes()).extracting(NodeSummary::name)
                .containsExactly("fc1", "act", "fc2", "const_relu", "fc3");

        NodeSummary fc1 = s.nodes().get(0);
        assertThat(fc1.opType()).isEqualTo("TestMatMul");
        assertThat(fc1.outputShape()).isEqualTo(Shape.of(5, 3));
        assertThat(fc1.params()).isEqualTo(4 * 3 + 3);
        assertThat(fc1.macs()).isEqualTo(5 * 4 * 3);
        assertThat(fc1.folded()).isFalse();

        NodeSummary act = s.nodes().get(1);
        assertThat(act.params()).isZero();
        assertThat(act.macs()).isZero();

        assertThat(s.nodes().get(2).macs()).isEqualTo(5 * 3 * 2);
        assertThat(s.nodes().get(2).params()).isEqualTo(3 * 2);

        NodeSummary constRelu = s.nodes().get(3);
        assertThat(constRelu.folded()).isTrue();
        assertThat(constRelu.params()).isEqualTo(3);   // it reads the float initializer c

        NodeSummary fc3 = s.nodes().get(4);
        assertThat(fc3.folded()).isTrue();             // every input is constant: computed once, costs nothing
        assertThat(fc3.macs()).isZero();
        assertThat(fc3.params()).isEqualTo(6);         // W2 again; the int64 "shape" is not a parameter

        // W1 12 + b1 3 + W2 6 (shared, counted once) + c 3; "unused" is read by nobody
        assertThat(s.params()).isEqualTo(12 + 3 + 6 + 3);
        assertThat(s.macs()).isEqualTo(5 * 4 * 3 + 5 * 3 * 2);
        assertThat(s.bufferFloats()).isPositive();
    }
}
