package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElementwiseBinaryTest {

    private static Tensor t(int[] dims, float... v) {
        return Tensor.of(Shape.of(dims), v);
    }

    @Test
    void sameShapeHandComputed() {
        Tensor a = t(new int[] {2, 2}, 1, 2, 3, 4);
        Tensor b = t(new int[] {2, 2}, 10, 20, 30, 40);
        assertThat(RunOp.output(new Add(), a, b).toFloatArray()).containsExactly(11, 22, 33, 44);
        assertThat(RunOp.output(new Sub(), a, b).toFloatArray()).containsExactly(-9, -18, -27, -36);
        assertThat(RunOp.output(new Mul(), a, b).toFloatArray()).containsExactly(10, 40, 90, 160);
        assertThat(RunOp.output(new Div(), b, a).toFloatArray()).containsExactly(10, 10, 10, 10);
    }

    @Test
    void scalarOnEitherSide() {
        Tensor a = t(new int[] {3}, 1, 2, 3);
        Tensor s = Tensor.scalar(2);
        assertThat(RunOp.output(new Sub(), a, s).toFloatArray()).containsExactly(-1, 0, 1);
        assertThat(RunOp.output(new Sub(), s, a).toFloatArray()).containsExactly(1, 0, -1);
        assertThat(RunOp.output(new Div(), s, a).toFloatArray()).containsExactly(2f, 1f, 2f / 3);
    }

    @Test
    void bothSidesBroadcast() {
        Tensor col = t(new int[] {3, 1}, 1, 2, 3);
        Tensor row = t(new int[] {1, 4}, 10, 20, 30, 40);
        Tensor y = RunOp.output(new Add(), col, row);
        assertThat(y.shape()).isEqualTo(Shape.of(3, 4));
        assertThat(y.toFloatArray()).containsExactly(11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43);
        assertThat(RunOp.output(new Mul(), row, col).toFloatArray())
                .containsExactly(10, 20, 30, 40, 20, 40, 60, 80, 30, 60, 90, 120);
    }

    @Test
    void perChannelBiasMatchesNumpy() {
        Tensor y = RunOp.output(new Add(), ReferenceFixtures.get("bias.x"), ReferenceFixtures.get("bias.b"));
        assertThat(y.shape()).isEqualTo(Shape.of(2, 3, 2, 2));
        assertThat(y.toFloatArray()).containsExactly(ReferenceFixtures.get("bias.add").toFloatArray());
    }

    @Test
    void fourDimensionalBroadcastMatchesNumpy() {
        Tensor a = ReferenceFixtures.get("bcast.a");
        Tensor b = ReferenceFixtures.get("bcast.b");
        assertThat(RunOp.output(new Add(), a, b).toFloatArray())
                .containsExactly(ReferenceFixtures.get("bcast.add").toFloatArray());
        assertThat(RunOp.output(new Sub(), a, b).toFloatArray())
                .containsExactly(ReferenceFixtures.get("bcast.sub").toFloatArray());
        assertThat(RunOp.output(new Mul(), a, b).toFloatArray())
                .containsExactly(ReferenceFixtures.get("bcast.mul").toFloatArray());
        assertThat(RunOp.output(new Div(), a, b).toFloatArray())
                .containsExactly(ReferenceFixtures.get("bcast.div").toFloatArray());
    }

    @Test
    void int64ArithmeticAndCStyleDivision() {
        Tensor a = Tensor.ofLongs(Shape.of(4), 7, -7, 7, -7);
        Tensor b = Tensor.ofLongs(Shape.of(4), 2, 2, -2, -2);
        assertThat(RunOp.output(new Div(), a, b).toLongArray()).containsExactly(3, -3, -3, 3);
        Tensor shape = Tensor.ofLongs(Shape.of(2), 6, 224);
        Tensor two = Tensor.ofLongs(Shape.scalar(), 2);
        assertThat(RunOp.output(new Mul(), shape, two).toLongArray()).containsExactly(12, 448);
        assertThat(RunOp.output(new Sub(), shape, two).toLongArray()).containsExactly(4, 222);
        assertThat(RunOp.output(new Add(), shape, two).type()).isEqualTo(DataType.INT64);
        // beyond 2^53, where a detour through double would round
        Tensor big = Tensor.ofLongs(Shape.of(1), (1L << 60) + 1);
        assertThat(RunOp.output(new Add(), big, Tensor.ofLongs(Shape.of(1), 1)).toLongArray())
                .containsExactly((1L << 60) + 2);
    }

    @Test
    void smallIntegerTypesWrapAroundLikeOnnxRuntime() {
        Tensor a = Tensor.ofBytes(Shape.of(3), DataType.UINT8, (byte) 200, (byte) 16, (byte) 250);
        Tensor b = Tensor.ofBytes(Shape.of(3), DataType.UINT8, (byte) 100, (byte) 5, (byte) 3);
        assertThat(RunOp.output(new Add(), a, b).toLongArray()).containsExactly(44, 21, 253);
        assertThat(RunOp.output(new Sub(), b, a).toLongArray()).containsExactly(156, 245, 9);
        assertThat(RunOp.output(new Div(), a, b).toLongArray()).containsExactly(2, 3, 83);
        Tensor c = Tensor.ofBytes(Shape.of(2), DataType.INT8, (byte) -7, (byte) 100);
        Tensor d = Tensor.ofBytes(Shape.of(2), DataType.INT8, (byte) 2, (byte) 2);
        assertThat(RunOp.output(new Div(), c, d).toLongArray()).containsExactly(-3, 50);
        assertThat(RunOp.output(new Mul(), c, d).toLongArray()).containsExactly(-14, -56); // 200 wraps to -56
        Tensor e = Tensor.ofInts(Shape.of(2), -9, 9);
        assertThat(RunOp.output(new Div(), e, Tensor.ofInts(Shape.scalar(), 4)).toLongArray()).containsExactly(-2, 2);
    }

    @Test
    void integerDivisionByZeroFailsWithAMessage() {
        Tensor a = Tensor.ofLongs(Shape.of(2), 1, 2);
        Tensor zero = Tensor.ofLongs(Shape.of(2), 1, 0);
        assertThatThrownBy(() -> RunOp.output(new Div(), a, zero))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("division by zero");
        assertThat(RunOp.output(new Div(), Tensor.scalar(1), Tensor.scalar(0)).get(0)).isInfinite();
    }

    @Test
    void refusesMixedTypesAndBadShapes() {
        assertThatThrownBy(() -> new Add().inferOutputs(List.of(ValueInfo.of(Shape.of(2)),
                ValueInfo.of(DataType.INT64, Shape.of(2)))))
                .hasMessageContaining("same element type").hasMessageContaining("FLOAT").hasMessageContaining("INT64");
        assertThatThrownBy(() -> new Mul().inferOutputs(List.of(ValueInfo.of(Shape.of(2, 3)), ValueInfo.of(Shape.of(2)))))
                .hasMessageContaining("cannot be broadcast");
        assertThatThrownBy(() -> new Sub().inferOutputs(List.of(ValueInfo.of(Shape.of(2)))))
                .hasMessageContaining("expected 2 input(s), got 1");
    }

    @Test
    void legacyBroadcastAlignsBAtTheAxis() {
        Op add = Add.fromOnnx(Attributes.builder().set("broadcast", 1L).set("axis", 1L).build(), 6);
        Tensor a = Tensor.of(Shape.of(2, 3, 2), 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1);
        Tensor b = Tensor.of(Shape.of(3), 10, 20, 30); // read as [3, 1]
        assertThat(RunOp.output(add, a, b).toFloatArray())
                .containsExactly(10, 10, 20, 20, 30, 30, 11, 11, 21, 21, 31, 31);
        assertThat(add.attributes().asMap()).containsEntry("axis", 1L);
        // without axis: numpy alignment, the same as opset 7
        Op plain = Sub.fromOnnx(Attributes.builder().set("broadcast", 1L).build(), 6);
        assertThat(plain).isEqualTo(new Sub());
        assertThatThrownBy(() -> Mul.fromOnnx(Attributes.builder().set("broadcast", 1L).build(), 7))
                .hasMessageContaining("does not support attribute(s) [broadcast]");
    }

    @Test
    void identityOfTheOps() {
        assertThat(new Add()).isEqualTo(new Add()).hasSameHashCodeAs(new Add()).isNotEqualTo(new Sub());
        assertThat(new Div().toString()).isEqualTo("Div");
        assertThat(new Mul().attributes().isEmpty()).isTrue();
    }
}
