package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class PadTest {

    private static Tensor pads(long... p) {
        return Tensor.ofLongs(Shape.of(p.length), p);
    }

    @Test
    void constantPaddingOfAMatrix() {
        Tensor x = Tensor.of(Shape.of(2, 2), 1, 2, 3, 4);
        Tensor y = RunOp.output(new Pad(), x, pads(1, 0, 0, 2), Tensor.scalar(9));
        assertThat(y.shape()).isEqualTo(Shape.of(3, 4));
        assertThat(y.toFloatArray()).containsExactly(9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9);
        Tensor zeros = RunOp.output(new Pad(), x, pads(0, 1, 0, 0));
        assertThat(zeros.toFloatArray()).containsExactly(0, 1, 2, 0, 3, 4);
    }

    @Test
    void reflectAndEdgeHandComputed() {
        Tensor x = Tensor.of(Shape.of(4), 1, 2, 3, 4);
        assertThat(RunOp.output(new Pad(Pad.Mode.REFLECT), x, pads(2, 2)).toFloatArray())
                .containsExactly(3, 2, 1, 2, 3, 4, 3, 2);
        assertThat(RunOp.output(new Pad(Pad.Mode.EDGE), x, pads(2, 1)).toFloatArray())
                .containsExactly(1, 1, 1, 2, 3, 4, 4);
    }

    @Test
    void matchesPyTorchReflectionAndReplicationPad2d() {
        Tensor x = ReferenceFixtures.get("pad.x");
        Tensor p = pads(0, 0, 2, 1, 0, 0, 1, 3);
        assertThat(RunOp.output(new Pad(Pad.Mode.REFLECT), x, p).toFloatArray())
                .containsExactly(ReferenceFixtures.get("pad.reflect").toFloatArray());
        assertThat(RunOp.output(new Pad(Pad.Mode.EDGE), x, p).toFloatArray())
                .containsExactly(ReferenceFixtures.get("pad.edge").toFloatArray());
    }

    @Test
    void negativePadsCrop() {
        Tensor x = ReferenceFixtures.get("pad.x");
        Tensor y = RunOp.output(new Pad(), x, pads(0, 0, -1, 2, 0, 1, 1, -2), Tensor.scalar(1.5f));
        Tensor expected = ReferenceFixtures.get("pad.constant_crop");
        assertThat(y.shape()).isEqualTo(expected.shape());
        assertThat(y.toFloatArray()).containsExactly(expected.toFloatArray());
        Tensor r = RunOp.output(new Pad(Pad.Mode.REFLECT), x, pads(0, 0, 1, -1, 0, 0, -1, 2));
        assertThat(r.toFloatArray()).containsExactly(ReferenceFixtures.get("pad.reflect_crop").toFloatArray());
    }

    @Test
    void padsWiderThanTheInputContinueTheMirror() {
        Tensor v = ReferenceFixtures.get("pad.wide.x");
        assertThat(RunOp.output(new Pad(Pad.Mode.REFLECT), v, pads(7, 9)).toFloatArray())
                .containsExactly(ReferenceFixtures.get("pad.wide.reflect").toFloatArray());
        assertThat(RunOp.output(new Pad(Pad.Mode.EDGE), v, pads(7, 9)).toFloatArray())
                .containsExactly(ReferenceFixtures.get("pad.wide.edge").toFloatArray());
    }

    @Test
    void integerDataAndAnAxesInput() {
        Tensor x = Tensor.ofInts(Shape.of(2, 2), 1, 2, 3, 4);
        Tensor y = RunOp.output(new Pad(Pad.Mode.EDGE), x, pads(1, 1, 1, 1));
        assertThat(y.type()).isEqualTo(DataType.INT32);
        assertThat(y.shape()).isEqualTo(Shape.of(4, 4));
        assertThat(y.toLongArray()).containsExactly(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
        // opset 18: pads for the listed axes only ([-1]: the columns)
        Tensor cols = RunOp.outputs(new Pad(), x, pads(0, 1), Tensor.ofInts(Shape.scalar(), 7),
                Tensor.ofLongs(Shape.of(1), -1))[0];
        assertThat(cols.shape()).isEqualTo(Shape.of(2, 3));
        assertThat(cols.toLongArray()).containsExactly(1, 2, 7, 3, 4, 7);
    }

    @Test
    void wholeRowsOfConstant() {
        Tensor x = Tensor.of(Shape.of(1, 1, 1, 2), 5, 6);
        Tensor y = RunOp.output(new Pad(), x, pads(0, 0, 1, 0, 0, 0, 1, 0), Tensor.scalar(-1));
        assertThat(y.shape()).isEqualTo(Shape.of(1, 1, 3, 2));
        assertThat(y.toFloatArray()).containsExactly(-1, -1, 5, 6, -1, -1);
    }

    @Test
    void errors() {
        ValueInfo x = ValueInfo.of(Shape.of(2, 2));
        assertThatThrownBy(() -> new Pad().inferOutputs(List.of(x, ValueInfo.constant(pads(1, 1)))))
                .hasMessageContaining("pads must be a vector of 2 * 2 = 4 amounts");
        assertThatThrownBy(() -> new Pad().inferOutputs(List.of(x, ValueInfo.of(DataType.INT64, Shape.of(4)))))
                .hasMessageContaining("pads").hasMessageContaining("must be a constant");
        assertThatThrownBy(() -> new Pad().inferOutputs(List.of(x, ValueInfo.constant(pads(0, -3, 0, 0)))))
                .hasMessageContaining("crop axis 1 of [2, 2] below zero elements");
        assertThatThrownBy(() -> new Pad().inferOutputs(List.of(x, ValueInfo.constant(pads(0, 0, 0, 0)),
                ValueInfo.of(DataType.INT64, Shape.scalar()))))
                .hasMessageContaining("constant_value must have data's type FLOAT, found INT64");
        assertThatThrownBy(() -> Pad.fromOnnx(Attributes.builder().set("mode", "wrap").build()))
                .hasMessageContaining("mode 'wrap' is not supported");
        assertThat(Pad.fromOnnx(Attributes.builder().set("mode", "reflect").build())).isEqualTo(new Pad(Pad.Mode.REFLECT));
    }
}
