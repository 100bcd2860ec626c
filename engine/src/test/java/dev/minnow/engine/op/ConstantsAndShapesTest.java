package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Constant, Shape, ConstantOfShape, Expand and Cast. */
class ConstantsAndShapesTest {

    @Test
    void constantFromEveryAttributeForm() {
        Tensor t = Tensor.of(Shape.of(2), 1.5f, 2.5f);
        assertThat(Constant.fromOnnx(Attributes.builder().set("value", t).build()).value().contentEquals(t)).isTrue();
        Tensor f = Constant.fromOnnx(Attributes.builder().set("value_float", 3f).build()).value();
        assertThat(f.shape()).isEqualTo(Shape.scalar());
        assertThat(f.get(0)).isEqualTo(3f);
        Tensor fs = Constant.fromOnnx(Attributes.builder().set("value_floats", new float[] {1, 2}).build()).value();
        assertThat(fs.toFloatArray()).containsExactly(1, 2);
        Tensor i = Constant.fromOnnx(Attributes.builder().set("value_int", 7L).build()).value();
        assertThat(i.type()).isEqualTo(DataType.INT64);
        assertThat(i.shape()).isEqualTo(Shape.scalar());
        Tensor is = Constant.fromOnnx(Attributes.builder().set("value_ints", new long[] {1, -1}).build()).value();
        assertThat(is.shape()).isEqualTo(Shape.of(2));
        assertThat(is.toLongArray()).containsExactly(1, -1);
    }

    @Test
    void constantIsKnownWhenPlanning() {
        Constant c = new Constant(Tensor.ofLongs(Shape.of(2), 3, 4));
        ValueInfo out = c.inferOutputs(List.of()).get(0);
        assertThat(out.isConstant()).isTrue();
        assertThat(out.constant().toLongArray()).containsExactly(3, 4);
        assertThat(RunOp.output(c).toLongArray()).containsExactly(3, 4);
        assertThat(c).isEqualTo(new Constant(Tensor.ofLongs(Shape.of(2), 3, 4)));
        assertThatThrownBy(() -> Constant.fromOnnx(Attributes.empty())).hasMessageContaining("exactly one of");
        assertThatThrownBy(() -> Constant.fromOnnx(Attributes.builder().set("value_string", "x").build()))
                .hasMessageContaining("does not support attribute(s) [value_string]");
    }

    @Test
    void shapeWithStartAndEnd() {
        Shape s = Shape.of(3, 4, 5);
        assertThat(shapeOf(new ShapeOf(), s)).containsExactly(3, 4, 5);
        // the ONNX node tests' test_shape_* cases
        assertThat(shapeOf(new ShapeOf(0, 10L), s)).containsExactly(3, 4, 5);
        assertThat(shapeOf(new ShapeOf(-10, null), s)).containsExactly(3, 4, 5);
        assertThat(shapeOf(new ShapeOf(0, 1L), s)).containsExactly(3);
        assertThat(shapeOf(new ShapeOf(0, -1L), s)).containsExactly(3, 4);
        assertThat(shapeOf(new ShapeOf(1, null), s)).containsExactly(4, 5);
        assertThat(shapeOf(new ShapeOf(1, 2L), s)).containsExactly(4);
        assertThat(shapeOf(new ShapeOf(1, -1L), s)).containsExactly(4);
        assertThat(shapeOf(new ShapeOf(-1, null), s)).containsExactly(5);
        assertThat(shapeOf(new ShapeOf(2, 1L), s)).isEmpty();
        assertThat(ShapeOf.fromOnnx(Attributes.builder().set("start", 1L).build())).isEqualTo(new ShapeOf(1, null));
    }

    private static long[] shapeOf(ShapeOf op, Shape s) {
        ValueInfo out = op.inferOutputs(List.of(ValueInfo.of(s))).get(0);
        assertThat(out.isConstant()).isTrue();
        assertThat(out.type()).isEqualTo(DataType.INT64);
        long[] forward = RunOp.withRuntimeData(op, Tensor.zeros(s))[0].toLongArray();
        assertThat(forward).containsExactly(out.constant().toLongArray());
        return forward;
    }

    @Test
    void constantOfShape() {
        Tensor ones = RunOp.output(new ConstantOfShape(Tensor.of(Shape.of(1), 1f)), Tensor.ofLongs(Shape.of(3), 4, 3, 2));
        assertThat(ones.shape()).isEqualTo(Shape.of(4, 3, 2));
        assertThat(ones.toFloatArray()).containsOnly(1f);
        Tensor ints = RunOp.output(ConstantOfShape.fromOnnx(Attributes.builder()
                .set("value", Tensor.ofInts(Shape.of(1), 5)).build()), Tensor.ofLongs(Shape.of(2), 2, 3));
        assertThat(ints.type()).isEqualTo(DataType.INT32);
        assertThat(ints.toLongArray()).containsExactly(5, 5, 5, 5, 5, 5);
        Tensor empty = RunOp.output(new ConstantOfShape(), Tensor.ofLongs(Shape.of(1), 0));
        assertThat(empty.shape()).isEqualTo(Shape.of(0));
        assertThat(RunOp.output(new ConstantOfShape(), Tensor.ofLongs(Shape.of(1), 2)).toFloatArray()).containsExactly(0, 0);
        assertThatThrownBy(() -> new ConstantOfShape().inferOutputs(List.of(ValueInfo.constant(Tensor.ofLongs(Shape.of(1), -2)))))
                .hasMessageContaining("negative");
    }

    @Test
    void expandBroadcastsBothWays() {
        Tensor x = Tensor.of(Shape.of(3, 1), 1, 2, 3);
        Tensor y = RunOp.output(new Expand(), x, Tensor.ofLongs(Shape.of(2), 3, 4));
        assertThat(y.shape()).isEqualTo(Shape.of(3, 4));
        assertThat(y.toFloatArray()).containsExactly(1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
        Tensor e = ReferenceFixtures.get("expand.x");
        assertThat(RunOp.output(new Expand(), e, Tensor.ofLongs(Shape.of(3), 2, 1, 6)).toFloatArray())
                .containsExactly(ReferenceFixtures.get("expand.216").toFloatArray());
        // a 1 in the target gives way to the input's size (ONNX's simple/test_expand_shape_model1)
        Tensor ones = Tensor.of(Shape.of(1, 3, 1), 1, 2, 3);
        assertThat(RunOp.output(new Expand(), ones, Tensor.ofLongs(Shape.of(2), 3, 1)).shape()).isEqualTo(Shape.of(1, 3, 1));
        Tensor row = Tensor.ofLongs(Shape.of(2), 5, 6);
        assertThat(RunOp.output(new Expand(), row, Tensor.ofLongs(Shape.of(2), 2, 1)).toLongArray())
                .containsExactly(5, 6, 5, 6);
        assertThatThrownBy(() -> RunOp.output(new Expand(), x, Tensor.ofLongs(Shape.of(2), 2, 4)))
                .hasMessageContaining("cannot be broadcast");
    }

    @Test
    void castBetweenTypes() {
        Tensor f = Tensor.of(Shape.of(5), -2.7f, -0.5f, 0f, 2.7f, 300.9f);
        assertThat(RunOp.output(new Cast(DataType.INT64), f).toLongArray()).containsExactly(-2, 0, 0, 2, 300);
        assertThat(RunOp.output(new Cast(DataType.INT32), f).toLongArray()).containsExactly(-2, 0, 0, 2, 300);
        assertThat(RunOp.output(new Cast(DataType.UINT8), f).toLongArray()).containsExactly(254, 0, 0, 2, 44);
        assertThat(RunOp.output(new Cast(DataType.BOOL), f).toLongArray()).containsExactly(1, 1, 0, 1, 1);
        Tensor l = Tensor.ofLongs(Shape.of(3), 224, -1, 1L << 40);
        assertThat(RunOp.output(new Cast(DataType.FLOAT), l).toFloatArray()).containsExactly(224f, -1f, (float) (1L << 40));
        assertThat(RunOp.output(new Cast(DataType.INT32), l).toLongArray()).containsExactly(224, -1, 0);
        Tensor u = Tensor.ofBytes(Shape.of(2), DataType.UINT8, (byte) 255, (byte) 1);
        assertThat(RunOp.output(new Cast(DataType.FLOAT), u).toFloatArray()).containsExactly(255f, 1f);
        assertThat(RunOp.output(new Cast(DataType.INT64), l).toLongArray()).containsExactly(224, -1, 1L << 40);
        Tensor nan = Tensor.of(Shape.of(1), Float.NaN);
        assertThat(RunOp.output(new Cast(DataType.INT64), nan).toLongArray()).containsExactly(0);
    }

    @Test
    void castAttributes() {
        Cast c = Cast.fromOnnx(Attributes.builder().set("to", 7L).build());
        assertThat(c.to()).isEqualTo(DataType.INT64);
        assertThat(c.attributes().asMap()).containsEntry("to", 7L);
        assertThatThrownBy(() -> Cast.fromOnnx(Attributes.builder().set("to", 11L).build()))
                .hasMessageContaining("Cast to DOUBLE is not supported");
        assertThatThrownBy(() -> Cast.fromOnnx(Attributes.empty())).hasMessageContaining("needs the attribute 'to'");
    }
}
