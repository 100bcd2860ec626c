package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Flatten, Reshape, Squeeze, Unsqueeze and Identity: new shapes, same elements. */
class ReshapeFamilyTest {
    private static final Shape S234 = Shape.of(2, 3, 4);

    private static Tensor counting(Shape s) {
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return Tensor.of(s, v);
    }

    private static Tensor longs(long... v) {
        return Tensor.ofLongs(Shape.of(v.length), v);
    }

    private static Shape reshaped(long... spec) {
        return Reshape.targetShape(S234, spec, false);
    }

    @Test
    void reshapeTargets() {
        // the ONNX node tests' test_reshape_* cases
        assertThat(reshaped(2, 3, 2, 2)).isEqualTo(Shape.of(2, 3, 2, 2));
        assertThat(reshaped(2, -1, 2)).isEqualTo(Shape.of(2, 6, 2));
        assertThat(reshaped(-1, 2, 3, 4)).isEqualTo(Shape.of(1, 2, 3, 4));
        assertThat(reshaped(24)).isEqualTo(Shape.of(24));
        assertThat(reshaped(2, 12)).isEqualTo(Shape.of(2, 12));
        assertThat(reshaped(4, 2, 3)).isEqualTo(Shape.of(4, 2, 3));
        assertThat(reshaped(2, 0, 1, -1)).isEqualTo(Shape.of(2, 3, 1, 4));
        assertThat(reshaped(2, 0, 4, 1)).isEqualTo(Shape.of(2, 3, 4, 1));
        assertThat(Reshape.targetShape(Shape.of(0, 3, 4), new long[] {3, 4, 0}, true)).isEqualTo(Shape.of(3, 4, 0));
    }

    @Test
    void reshapeErrorsAreSpecific() {
        assertThatThrownBy(() -> reshaped(-1, -1)).hasMessageContaining("more than one -1");
        assertThatThrownBy(() -> reshaped(5, 5))
                .hasMessageContaining("cannot reshape [2, 3, 4] (24 elements) to [5, 5]")
                .hasMessageContaining("25 elements");
        assertThatThrownBy(() -> reshaped(5, -1)).hasMessageContaining("not a multiple of the other sizes' product 5");
        assertThatThrownBy(() -> reshaped(2, -2, 12)).hasMessageContaining("entry 1 is -2");
        assertThatThrownBy(() -> reshaped(1, 1, 1, 0)).hasMessageContaining("only 3 dimensions");
        assertThatThrownBy(() -> Reshape.targetShape(Shape.of(0, 3), new long[] {0, -1}, true))
                .hasMessageContaining("both 0 and -1");
        ValueInfo data = ValueInfo.of(S234);
        assertThatThrownBy(() -> new Reshape().inferOutputs(List.of(data, ValueInfo.of(DataType.INT64, Shape.of(2)))))
                .hasMessageContaining("input 1 (shape) must be a constant");
        assertThatThrownBy(() -> new Reshape().inferOutputs(List.of(data, ValueInfo.constant(Tensor.ofInts(Shape.of(1), 24)))))
                .hasMessageContaining("shape must be INT64, found INT32");
    }

    @Test
    void reshapeForwardCopiesWhenRun() {
        Tensor x = counting(S234);
        Tensor y = RunOp.output(new Reshape(), x, longs(4, -1));
        assertThat(y.shape()).isEqualTo(Shape.of(4, 6));
        assertThat(y.toFloatArray()).containsExactly(x.toFloatArray());
        assertThat(new Reshape().isReshapeOfInput()).isTrue();
        assertThat(Reshape.fromOnnx(Attributes.builder().set("allowzero", 1L).build()).attributes().asMap())
                .containsEntry("allowzero", 1L);
    }

    @Test
    void flattenAtEveryAxis() {
        Shape s = Shape.of(2, 3, 4, 5);
        int[][] expected = {{1, 120}, {2, 60}, {6, 20}, {24, 5}, {120, 1}};
        for (int axis = 0; axis <= 4; axis++) {
            Shape out = new Flatten(axis).inferOutputs(List.of(ValueInfo.of(s))).get(0).shape();
            assertThat(out).as("axis %s", axis).isEqualTo(Shape.of(expected[axis]));
            if (axis < 4) {
                Shape neg = new Flatten(axis - 4).inferOutputs(List.of(ValueInfo.of(s))).get(0).shape();
                assertThat(neg).as("axis %s", axis - 4).isEqualTo(out);
            }
        }
        Tensor x = counting(s);
        assertThat(RunOp.output(new Flatten(), x).toFloatArray()).containsExactly(x.toFloatArray());
        assertThat(new Flatten().inferOutputs(List.of(ValueInfo.of(Shape.of(1)))).get(0).shape()).isEqualTo(Shape.of(1, 1));
        assertThatThrownBy(() -> new Flatten(5).inferOutputs(List.of(ValueInfo.of(s))))
                .hasMessageContaining("axis 5 is out of range").hasMessageContaining("[-4, 4]");
    }

    @Test
    void squeeze() {
        Tensor x = counting(Shape.of(1, 3, 1, 5));
        assertThat(RunOp.output(new Squeeze(), x, longs(-2)).shape()).isEqualTo(Shape.of(1, 3, 5));
        assertThat(RunOp.output(new Squeeze(), x, longs(0, 2)).shape()).isEqualTo(Shape.of(3, 5));
        Tensor all = RunOp.output(new Squeeze(), x);
        assertThat(all.shape()).isEqualTo(Shape.of(3, 5));
        assertThat(all.toFloatArray()).containsExactly(x.toFloatArray());
        assertThatThrownBy(() -> RunOp.output(new Squeeze(), x, longs(1)))
                .hasMessageContaining("cannot squeeze axis 1 of [1, 3, 1, 5]: its size is 3, not 1");
        assertThatThrownBy(() -> RunOp.output(new Squeeze(), x, longs(4))).hasMessageContaining("out of range");
        assertThatThrownBy(() -> RunOp.output(new Squeeze(), x, longs(0, -4))).hasMessageContaining("twice");
    }

    @Test
    void unsqueeze() {
        Shape s = Shape.of(3, 4, 5);
        assertThat(unsqueezed(s, 0)).isEqualTo(Shape.of(1, 3, 4, 5));
        assertThat(unsqueezed(s, 2)).isEqualTo(Shape.of(3, 4, 1, 5));
        assertThat(unsqueezed(s, 1, 4)).isEqualTo(Shape.of(3, 1, 4, 5, 1));
        assertThat(unsqueezed(s, -2)).isEqualTo(Shape.of(3, 4, 1, 5));
        assertThat(unsqueezed(s, 5, 4, 2)).isEqualTo(Shape.of(3, 4, 1, 5, 1, 1));
        assertThat(unsqueezed(s, 0, 4, 2)).isEqualTo(Shape.of(1, 3, 1, 4, 1, 5));
        assertThat(unsqueezed(Shape.scalar(), 0)).isEqualTo(Shape.of(1));
        Tensor scalar = Tensor.ofLongs(Shape.scalar(), 8);
        Tensor v = RunOp.output(new Unsqueeze(), scalar, longs(0));
        assertThat(v.shape()).isEqualTo(Shape.of(1));
        assertThat(v.toLongArray()).containsExactly(8);
        assertThatThrownBy(() -> unsqueezed(s, 4)).hasMessageContaining("out of range for an output of rank 4");
        assertThatThrownBy(() -> unsqueezed(s, 0, -5)).hasMessageContaining("twice");
    }

    private static Shape unsqueezed(Shape s, long... axes) {
        return new Unsqueeze().inferOutputs(List.of(ValueInfo.of(s), ValueInfo.constant(longs(axes)))).get(0).shape();
    }

    @Test
    void identityOfAnyType() {
        Tensor x = Tensor.ofLongs(Shape.of(2), 4, 5);
        assertThat(RunOp.output(new Identity(), x).toLongArray()).containsExactly(4, 5);
        assertThat(RunOp.output(new Identity(), Tensor.of(Shape.of(1, 1, 2, 2), 1, 2, 3, 4)).toFloatArray())
                .containsExactly(1, 2, 3, 4);
        assertThat(new Identity().isReshapeOfInput()).isTrue();
        assertThat(new Squeeze().isReshapeOfInput()).isTrue();
        assertThat(new Unsqueeze().isReshapeOfInput()).isTrue();
        assertThat(new Flatten().isReshapeOfInput()).isTrue();
    }
}
