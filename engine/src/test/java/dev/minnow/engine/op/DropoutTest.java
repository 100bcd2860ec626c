package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class DropoutTest {
    private static final Tensor X = Tensor.of(Shape.of(2, 2), 1, -2, 3, -4);

    private static Tensor bool(boolean v) {
        return Tensor.ofBytes(Shape.scalar(), DataType.BOOL, (byte) (v ? 1 : 0));
    }

    @Test
    void inferenceIsTheIdentityWithAnAllTrueMask() {
        Tensor[] out = RunOp.withRuntimeData(new Dropout(), X, Tensor.scalar(0.3f));
        assertThat(out[0].toFloatArray()).containsExactly(1, -2, 3, -4);
        assertThat(out[1].type()).isEqualTo(DataType.BOOL);
        assertThat(out[1].toLongArray()).containsExactly(1, 1, 1, 1);
        List<ValueInfo> infos = new Dropout().inferOutputs(List.of(ValueInfo.of(Shape.of(2, 2))));
        assertThat(infos.get(1).isConstant()).isTrue();
        assertThat(new Dropout().isReshapeOfInput()).isTrue();
    }

    @Test
    void trainingModeIsRefusedUntilTheTrainerExists() {
        ValueInfo x = ValueInfo.of(Shape.of(2, 2));
        assertThatThrownBy(() -> new Dropout().inferOutputs(List.of(x, ValueInfo.constant(Tensor.scalar(0.5f)),
                ValueInfo.constant(bool(true)))))
                .hasMessageContaining("training_mode = true is not implemented yet");
        assertThatThrownBy(() -> new Dropout().inferOutputs(List.of(x, ValueInfo.constant(Tensor.scalar(0.5f)),
                ValueInfo.of(DataType.BOOL, Shape.scalar()))))
                .hasMessageContaining("training_mode must be a constant");
        // a zero ratio drops nothing, even in training mode
        Tensor[] out = RunOp.withRuntimeData(new Dropout(), X, Tensor.scalar(0f), bool(true));
        assertThat(out[0].toFloatArray()).containsExactly(1, -2, 3, -4);
        assertThat(RunOp.withRuntimeData(new Dropout(), X, Tensor.scalar(0.5f), bool(false))[0].toFloatArray())
                .containsExactly(1, -2, 3, -4);
    }

    @Test
    void attributesOfOldAndNewOpsets() {
        assertThat(Dropout.fromOnnx(Attributes.builder().set("seed", 3L).build(), 13)).isEqualTo(new Dropout(3L));
        assertThat(Dropout.fromOnnx(Attributes.builder().set("ratio", 0.2f).build(), 11)).isEqualTo(new Dropout());
        assertThatThrownBy(() -> Dropout.fromOnnx(Attributes.builder().set("ratio", 0.2f).build(), 13))
                .hasMessageContaining("does not support attribute(s) [ratio]");
        assertThatThrownBy(() -> new Dropout().inferOutputs(List.of(ValueInfo.of(Shape.of(2)),
                ValueInfo.constant(Tensor.scalar(1f)))))
                .hasMessageContaining("ratio must be in [0, 1)");
    }
}
