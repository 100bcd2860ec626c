package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransposeTest {

    @Test
    void matrixTransposeByDefault() {
        Tensor y = RunOp.output(Transpose.reversed(), Tensor.of(Shape.of(2, 3), 1, 2, 3, 4, 5, 6));
        assertThat(y.shape()).isEqualTo(Shape.of(3, 2));
        assertThat(y.toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(Transpose.fromOnnx(Attributes.empty())).isEqualTo(Transpose.reversed());
    }

    @Test
    void matchesNumpyForSeveralPermutations() {
        Tensor x = ReferenceFixtures.get("transpose.x");
        check(new Transpose(0, 2, 3, 1), x, "transpose.0231");
        check(new Transpose(3, 1, 0, 2), x, "transpose.3102");
        check(Transpose.reversed(), x, "transpose.reversed");
        Tensor same = RunOp.output(new Transpose(0, 1, 2, 3), x);
        assertThat(same.toFloatArray()).containsExactly(x.toFloatArray());
    }

    private static void check(Transpose op, Tensor x, String expected) {
        Tensor y = RunOp.output(op, x);
        Tensor e = ReferenceFixtures.get(expected);
        assertThat(y.shape()).isEqualTo(e.shape());
        assertThat(y.toFloatArray()).as(op.toString()).containsExactly(e.toFloatArray());
    }

    @Test
    void int64AndScalars() {
        Tensor x = Tensor.ofLongs(Shape.of(2, 2), 1, 2, 3, 4);
        assertThat(RunOp.output(new Transpose(1, 0), x).toLongArray()).containsExactly(1, 3, 2, 4);
        assertThat(RunOp.output(Transpose.reversed(), Tensor.scalar(7)).toFloatArray()).containsExactly(7);
    }

    @Test
    void errors() {
        assertThatThrownBy(() -> new Transpose(0, 0, 1)).hasMessageContaining("is not a permutation of 0..2");
        assertThatThrownBy(() -> new Transpose(1, 0).inferOutputs(List.of(ValueInfo.of(Shape.of(2, 3, 4)))))
                .hasMessageContaining("perm [1, 0] has 2 entries but the input [2, 3, 4] has rank 3");
    }
}
