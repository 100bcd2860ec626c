package dev.minnow.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.op.Add;
import dev.minnow.engine.op.Concat;
import dev.minnow.engine.op.Constant;
import dev.minnow.engine.op.Dropout;
import dev.minnow.engine.op.Gather;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.op.Reshape;
import dev.minnow.engine.op.ShapeOf;
import dev.minnow.engine.op.Softmax;
import dev.minnow.engine.op.Unsqueeze;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The int64 shape arithmetic exporters emit in front of a Reshape (PyTorch's
 * {@code x.view(x.size(0), -1)}), planned end to end: everything but the Reshape folds into
 * constants, and the Reshape only re-views its input.
 */
class ShapeArithmeticPlanTest {

    private static Graph flattenByShapeArithmetic() {
        return Graph.builder("view")
                .input("x", Shape.UNKNOWN, 3, 4, 4)
                .initializer("zero", Tensor.ofLongs(Shape.scalar(), 0))
                .initializer("axes", Tensor.ofLongs(Shape.of(1), 0))
                .initializer("minusOne", Tensor.ofLongs(Shape.of(1), -1))
                .node("shape", new ShapeOf(), List.of("x"), List.of("s"))
                .node("batch", new Gather(0), List.of("s", "zero"), List.of("n"))
                .node("unsqueeze", new Unsqueeze(), List.of("n", "axes"), List.of("n1"))
                .node("concat", new Concat(0), List.of("n1", "minusOne"), List.of("target"))
                .node("reshape", new Reshape(), List.of("x", "target"), List.of("flat"))
                .node("relu", new Relu(), List.of("flat"), List.of("y"))
                .output("y")
                .build();
    }

    @Test
    void shapeChainFoldsAndReshapeAliases() {
        Plan plan = Plan.compile(flattenByShapeArithmetic(), Map.of("x", Shape.of(2, 3, 4, 4)), PlanOptions.inference());
        assertThat(plan.runtimeNodes()).extracting(Node::name).containsExactly("reshape", "relu");
        assertThat(plan.info("s").constant().toLongArray()).containsExactly(2, 3, 4, 4);
        assertThat(plan.info("n").shape()).isEqualTo(Shape.scalar());
        assertThat(plan.info("target").constant().toLongArray()).containsExactly(2, -1);
        assertThat(plan.info("flat").shape()).isEqualTo(Shape.of(2, 48));

        float[] v = new float[2 * 48];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 2 == 0 ? i : -i;
        }
        Tensor y = plan.runSingle(Tensor.of(Shape.of(2, 3, 4, 4), v));
        assertThat(y.shape()).isEqualTo(Shape.of(2, 48));
        for (int i = 0; i < v.length; i++) {
            assertThat(y.get(i)).isEqualTo(Math.max(0, v[i]));
        }
        // another batch size gives another folded target
        Plan five = Plan.compile(flattenByShapeArithmetic(), Map.of("x", Shape.of(5, 3, 4, 4)), PlanOptions.inference());
        assertThat(five.info("y").shape()).isEqualTo(Shape.of(5, 48));
    }

    @Test
    void constantNodesFeedReshapeAndArithmetic() {
        Graph g = Graph.builder("g")
                .input("x", 2, 3)
                .node("target", new Constant(Tensor.ofLongs(Shape.of(1), 6)), List.of(), List.of("t"))
                .node("bias", new Constant(Tensor.scalar(1)), List.of(), List.of("b"))
                .node("flat", new Reshape(), List.of("x", "t"), List.of("f"))
                .node("add", new Add(), List.of("f", "b"), List.of("a"))
                .node("softmax", new Softmax(), List.of("a"), List.of("y"))
                .output("y")
                .build();
        Plan plan = Plan.compile(g, Shape.of(2, 3));
        assertThat(plan.runtimeNodes()).extracting(Node::name).containsExactly("flat", "add", "softmax");
        Tensor y = plan.runSingle(Tensor.of(Shape.of(2, 3), 0, 0, 0, 0, 0, Float.MAX_VALUE / 2));
        assertThat(y.shape()).isEqualTo(Shape.of(6));
        assertThat(y.toFloatArray()).containsExactly(0, 0, 0, 0, 0, 1);
    }

    @Test
    void dropoutAtInferenceCopiesAndItsMaskIsAllTrue() {
        Graph g = Graph.builder("g")
                .input("x", 2, 2)
                .node("drop", new Dropout(), List.of("x"), List.of("y", "mask"))
                .output("y").output("mask")
                .build();
        Plan plan = Plan.compile(g, Shape.of(2, 2));
        assertThat(plan.runtimeNodes()).extracting(Node::name).containsExactly("drop");
        Tensor x = Tensor.of(Shape.of(2, 2), 1, 2, 3, 4);
        Map<String, Tensor> out = plan.run(x);
        assertThat(out.get("y").toFloatArray()).containsExactly(1, 2, 3, 4);
        assertThat(out.get("y").data()).as("a copy, not a view of the input").isNotSameAs(x.data());
        assertThat(out.get("mask").type()).isEqualTo(DataType.BOOL);
        assertThat(out.get("mask").toLongArray()).containsExactly(1, 1, 1, 1);
    }

    @Test
    void aRuntimeReshapeTargetIsRefusedWithTheNodeName() {
        Graph g = Graph.builder("g")
                .input("x", 2, 3)
                .input("target", DataType.INT64, Shape.of(1))
                .node("flat", new Reshape(), List.of("x", "target"), List.of("y"))
                .output("y")
                .build();
        assertThatThrownBy(() -> Plan.compile(g, Map.of(), PlanOptions.inference()))
                .isInstanceOf(GraphException.class)
                .hasMessageContaining("'flat' (Reshape)")
                .hasMessageContaining("input 1 (shape) must be a constant");
    }
}
