package dev.minnow.engine.op;

import static dev.minnow.engine.op.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Slice against hand-written numpy slicing of a 3x4 matrix holding 0..11. */
class SliceTest {
    private static final Tensor M = Tensor.of(Shape.of(3, 4), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);

    private static Tensor longs(long... v) {
        return Tensor.ofLongs(Shape.of(v.length), v);
    }

    @Test
    void rowsAndColumnsLikeNumpy() {
        // M[1:3, 0:4:2]
        Tensor y = RunOp.output(new Slice(), M, longs(1, 0), longs(3, 4), longs(0, 1), longs(1, 2));
        assertThat(y.shape()).isEqualTo(Shape.of(2, 2));
        assertThat(y.toFloatArray()).containsExactly(4, 6, 8, 10);
    }

    @Test
    void defaultAxesAreTheFirstOnesAndBoundsAreClamped() {
        // M[1:] with end INT64_MAX; M[:, -3:-1]; a start beyond the end gives an empty axis
        Tensor y = RunOp.output(new Slice(), M, longs(1), longs(Long.MAX_VALUE));
        assertThat(y.shape()).isEqualTo(Shape.of(2, 4));
        assertThat(y.toFloatArray()).containsExactly(4, 5, 6, 7, 8, 9, 10, 11);
        Tensor z = RunOp.output(new Slice(), M, longs(-3), longs(-1), longs(-1));
        assertThat(z.shape()).isEqualTo(Shape.of(3, 2));
        assertThat(z.toFloatArray()).containsExactly(1, 2, 5, 6, 9, 10);
        Tensor empty = RunOp.output(new Slice(), M, longs(7), longs(9), longs(1));
        assertThat(empty.shape()).isEqualTo(Shape.of(3, 0));
    }

    @Test
    void negativeStepsWalkBackwards() {
        // M[::-1, 3:0:-2] = rows 2, 1, 0, columns 3, 1
        Tensor y = RunOp.output(new Slice(), M, longs(Long.MAX_VALUE, 3), longs(Long.MIN_VALUE, 0), longs(0, 1),
                longs(-1, -2));
        assertThat(y.shape()).isEqualTo(Shape.of(3, 2));
        assertThat(y.toFloatArray()).containsExactly(11, 9, 7, 5, 3, 1);
    }

    @Test
    void int64ShapeVectorsAndInt32Bounds() {
        // the exporters' pattern: Shape(x)[1:2]
        Tensor shape = longs(8, 3, 32, 32);
        Tensor y = RunOp.output(new Slice(), shape, Tensor.ofInts(Shape.of(1), 1), Tensor.ofInts(Shape.of(1), 2));
        assertThat(y.type()).isEqualTo(DataType.INT64);
        assertThat(y.toLongArray()).containsExactly(3);
    }

    @Test
    void runtimeDataWithConstantBounds() {
        Tensor y = RunOp.withRuntimeData(new Slice(), M, longs(2), longs(4), longs(1))[0];
        assertThat(y.toFloatArray()).containsExactly(2, 3, 6, 7, 10, 11);
    }

    @Test
    void theGradientGoesBackToWhereEachElementCameFrom() {
        Random r = new Random(5);
        Tensor x = gaussian(r, 4, 5, 6);
        int n = GradientCheck.of(new Slice()).check(x, longs(1, 5, -1), longs(3, 0, 0), longs(0, 1, 2), longs(1, -2, -2));
        assertThat(n).isEqualTo(x.size());
        Slice op = new Slice();
        Tensor dx = Tensor.zeros(3, 4);
        Tensor[] in = {M, longs(0), longs(4), longs(1), longs(3)};
        op.backward(in, RunOp.outputs(op, in), new Tensor[] {Tensor.of(Shape.of(3, 2), 1, 2, 3, 4, 5, 6)},
                new Tensor[] {dx, null, null, null, null}, ExecutionContext.standalone(1));
        assertThat(dx.toFloatArray()).containsExactly(1, 0, 0, 2, 3, 0, 0, 4, 5, 0, 0, 6);
    }

    @Test
    void badBoundsAreExplained() {
        ValueInfo data = ValueInfo.of(Shape.of(3, 4));
        assertThatThrownBy(() -> new Slice().inferOutputs(List.of(data, ValueInfo.constant(longs(0)),
                ValueInfo.constant(longs(1)), ValueInfo.constant(longs(0)), ValueInfo.constant(longs(0)))))
                .hasMessageContaining("steps must not be 0");
        assertThatThrownBy(() -> new Slice().inferOutputs(List.of(data, ValueInfo.constant(longs(0)),
                ValueInfo.constant(longs(1)), ValueInfo.constant(longs(2)))))
                .hasMessageContaining("axis 2 is out of range for data of rank 2");
        assertThatThrownBy(() -> new Slice().inferOutputs(List.of(data, ValueInfo.constant(longs(0, 0)),
                ValueInfo.constant(longs(1)))))
                .hasMessageContaining("must have the same length");
        assertThatThrownBy(() -> new Slice().inferOutputs(List.of(data, ValueInfo.of(DataType.INT64, Shape.of(1)),
                ValueInfo.constant(longs(1)))))
                .hasMessageContaining("(starts) must be a constant");
        assertThatThrownBy(() -> Slice.fromOnnx(Attributes.builder().set("starts", new long[] {0}).build()))
                .hasMessageContaining("starts");
    }
}
