package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConcatTest {
    private static final Tensor A = Tensor.of(Shape.of(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
    private static final Tensor B = Tensor.of(Shape.of(2, 2, 2), 9, 10, 11, 12, 13, 14, 15, 16);

    @Test
    void everyAxisOfA3dPair() {
        // the ONNX node tests' test_concat_3d_axis_* values
        Tensor y0 = RunOp.output(new Concat(0), A, B);
        assertThat(y0.shape()).isEqualTo(Shape.of(4, 2, 2));
        assertThat(y0.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        Tensor y1 = RunOp.output(new Concat(1), A, B);
        assertThat(y1.shape()).isEqualTo(Shape.of(2, 4, 2));
        assertThat(y1.toFloatArray()).containsExactly(1, 2, 3, 4, 9, 10, 11, 12, 5, 6, 7, 8, 13, 14, 15, 16);
        Tensor y2 = RunOp.output(new Concat(2), A, B);
        assertThat(y2.shape()).isEqualTo(Shape.of(2, 2, 4));
        assertThat(y2.toFloatArray()).containsExactly(1, 2, 9, 10, 3, 4, 11, 12, 5, 6, 13, 14, 7, 8, 15, 16);
        assertThat(RunOp.output(new Concat(-1), A, B).toFloatArray()).containsExactly(y2.toFloatArray());
        assertThat(RunOp.output(new Concat(-3), A, B).toFloatArray()).containsExactly(y0.toFloatArray());
    }

    @Test
    void channelsOfDifferentWidthsAndThreeInputs() {
        Tensor a = Tensor.of(Shape.of(1, 1, 2), 1, 2);
        Tensor b = Tensor.of(Shape.of(1, 2, 2), 3, 4, 5, 6);
        Tensor c = Tensor.of(Shape.of(1, 0, 2));
        Tensor y = RunOp.output(new Concat(1), a, c, b);
        assertThat(y.shape()).isEqualTo(Shape.of(1, 3, 2));
        assertThat(y.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void int64ShapeVectors() {
        Tensor batch = Tensor.ofLongs(Shape.of(1), 8);
        Tensor rest = Tensor.ofLongs(Shape.of(1), -1);
        Tensor y = RunOp.output(new Concat(0), batch, rest);
        assertThat(y.type()).isEqualTo(DataType.INT64);
        assertThat(y.toLongArray()).containsExactly(8, -1);
    }

    @Test
    void errorsNameTheOffendingInput() {
        assertThatThrownBy(() -> new Concat(1).inferOutputs(List.of(ValueInfo.of(Shape.of(2, 3)), ValueInfo.of(Shape.of(3, 3)))))
                .hasMessageContaining("input 1 of shape [3, 3] does not fit input 0 of shape [2, 3]");
        assertThatThrownBy(() -> new Concat(0).inferOutputs(List.of(ValueInfo.of(Shape.of(2)),
                ValueInfo.of(DataType.INT64, Shape.of(2)))))
                .hasMessageContaining("input 0 is FLOAT, input 1 is INT64");
        assertThatThrownBy(() -> new Concat(2).inferOutputs(List.of(ValueInfo.of(Shape.of(2, 3)))))
                .hasMessageContaining("axis 2 is out of range for rank 2");
        assertThatThrownBy(() -> Concat.fromOnnx(Attributes.empty())).hasMessageContaining("needs the attribute 'axis'");
    }
}
