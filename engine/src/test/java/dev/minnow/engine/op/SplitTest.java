package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitTest {
    private static final Tensor ROWS = Tensor.of(Shape.of(2, 6), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);

    @Test
    void variablePartsAlongTheSecondAxis() {
        // the ONNX node test test_split_variable_parts_2d: split [2, 4] along axis 1
        Tensor[] y = RunOp.withRuntimeData(new Split(1), ROWS, Tensor.ofLongs(Shape.of(2), 2, 4));
        assertThat(y).hasSize(2);
        assertThat(y[0].shape()).isEqualTo(Shape.of(2, 2));
        assertThat(y[0].toFloatArray()).containsExactly(1, 2, 7, 8);
        assertThat(y[1].shape()).isEqualTo(Shape.of(2, 4));
        assertThat(y[1].toFloatArray()).containsExactly(3, 4, 5, 6, 9, 10, 11, 12);
    }

    @Test
    void equalPartsAlongTheDefaultAndANegativeAxis() {
        // test_split_equal_parts_default_axis: [1..6] into 3 -> [1,2] [3,4] [5,6]
        Tensor[] y = RunOp.withRuntimeData(new Split(0, 3), Tensor.of(Shape.of(6), 1, 2, 3, 4, 5, 6));
        assertThat(y).extracting(Tensor::toFloatArray)
                .containsExactly(new float[] {1, 2}, new float[] {3, 4}, new float[] {5, 6});
        Tensor[] halves = RunOp.withRuntimeData(new Split(-1, 2), ROWS);
        assertThat(halves[0].toFloatArray()).containsExactly(1, 2, 3, 7, 8, 9);
        assertThat(halves[1].toFloatArray()).containsExactly(4, 5, 6, 10, 11, 12);
        // along axis 0 the rows are contiguous
        Tensor[] rows = RunOp.withRuntimeData(new Split(0, 2), ROWS);
        assertThat(rows[1].shape()).isEqualTo(Shape.of(1, 6));
        assertThat(rows[1].toFloatArray()).containsExactly(7, 8, 9, 10, 11, 12);
    }

    @Test
    void unevenEqualPartsLeaveTheRemainderToTheLast() {
        // opset 18's rule: ceil(7 / 3) = 3, so 3, 3, 1
        List<ValueInfo> outs = new Split(0, 3).inferOutputs(List.of(ValueInfo.of(Shape.of(7, 2))));
        assertThat(outs).extracting(ValueInfo::shape).containsExactly(Shape.of(3, 2), Shape.of(3, 2), Shape.of(1, 2));
        Tensor[] y = RunOp.withRuntimeData(new Split(0, 3), Tensor.of(Shape.of(7), 0, 1, 2, 3, 4, 5, 6));
        assertThat(y[2].toFloatArray()).containsExactly(6);
    }

    @Test
    void zeroSizeSplitsAndIntegerTensors() {
        // test_split_zero_size_splits: an empty input cut into three empty parts
        Tensor[] empty = RunOp.withRuntimeData(new Split(0), Tensor.zeros(0), Tensor.ofLongs(Shape.of(3), 0, 0, 0));
        assertThat(empty).extracting(Tensor::shape).containsOnly(Shape.of(0));
        Tensor[] longs = RunOp.outputs(new Split(0), Tensor.ofLongs(Shape.of(3), 8, 3, -1),
                Tensor.ofLongs(Shape.of(2), 1, 2));
        assertThat(longs[0].type()).isEqualTo(DataType.INT64);
        assertThat(longs[1].toLongArray()).containsExactly(3, -1);
    }

    @Test
    void backwardAddsEachPartsGradientIntoItsSlice() {
        Split split = new Split(1);
        Tensor lengths = Tensor.ofLongs(Shape.of(2), 2, 4);
        Tensor[] ins = {ROWS, lengths};
        Tensor[] outs = {Tensor.zeros(2, 2), Tensor.zeros(2, 4)};
        Tensor dy0 = Tensor.of(Shape.of(2, 2), 1, 2, 3, 4);
        Tensor dy1 = Tensor.of(Shape.of(2, 4), 10, 20, 30, 40, 50, 60, 70, 80);
        Tensor dx = Tensor.of(Shape.of(2, 6), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        split.backward(ins, outs, new Tensor[] {dy0, dy1}, new Tensor[] {dx, null}, ExecutionContext.standalone(1));
        assertThat(dx.toFloatArray()).containsExactly(2, 3, 11, 21, 31, 41, 4, 5, 51, 61, 71, 81);
        // a part nobody reads contributes nothing
        Tensor dx2 = Tensor.zeros(2, 6);
        split.backward(ins, outs, new Tensor[] {null, dy1}, new Tensor[] {dx2, null}, ExecutionContext.standalone(1));
        assertThat(dx2.toFloatArray()).containsExactly(0, 0, 10, 20, 30, 40, 0, 0, 50, 60, 70, 80);
    }

    @Test
    void aPlanRunsASplitAndItsRejoining() {
        Graph g = Graph.builder("split-concat").input("x", Shape.UNKNOWN, 6)
                .node("split", new Split(1, 2), List.of("x"), List.of("a", "b"))
                .node("swap", new Concat(1), List.of("b", "a"), List.of("y"))
                .output("y").build();
        Plan plan = Plan.compile(g, Map.of("x", Shape.of(2, 6)), PlanOptions.inference());
        assertThat(plan.runSingle(ROWS).toFloatArray()).containsExactly(4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9);
    }

    @Test
    void attributesRoundTripAndErrorsExplain() {
        for (Split op : List.of(new Split(1, 2), new Split(0), new Split(-1, 3))) {
            assertThat(OpRegistry.create("", "Split", op.attributes(), 13)).isEqualTo(op).hasSameHashCodeAs(op);
        }
        assertThat(new Split(0).attributes().isEmpty()).isTrue();
        assertThatThrownBy(() -> new Split(1).inferOutputs(List.of(ValueInfo.of(Shape.of(2, 6)))))
                .hasMessageContaining("input 1 (split) or num_outputs");
        assertThatThrownBy(() -> new Split(1).inferOutputs(List.of(ValueInfo.of(Shape.of(2, 6)),
                ValueInfo.constant(Tensor.ofLongs(Shape.of(2), 2, 3)))))
                .hasMessageContaining("add up to 5 but the axis has 6");
        assertThatThrownBy(() -> new Split(1).inferOutputs(List.of(ValueInfo.of(Shape.of(2, 6)),
                ValueInfo.of(DataType.INT64, Shape.of(2)))))
                .hasMessageContaining("must be a constant");
        assertThatThrownBy(() -> new Split(0, 4).inferOutputs(List.of(ValueInfo.of(Shape.of(5)))))
                .hasMessageContaining("the last part would be negative");
        assertThatThrownBy(() -> Split.fromOnnx(Attributes.builder().set("split", new long[] {1, 2}).build()))
                .hasMessageContaining("split");
        assertThatThrownBy(() -> new Split(2, 2).inferOutputs(List.of(ValueInfo.of(Shape.of(2, 6)))))
                .hasMessageContaining("out of range");
    }
}
