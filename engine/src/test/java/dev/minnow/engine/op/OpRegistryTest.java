package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpRegistryTest {

    /** One configured instance of every op of this set, each with non-default settings where it has any. */
    private static final List<Op> OPS = List.of(
            new Add(), new Sub(), new Mul(), new Div(),
            new Cast(DataType.INT32), new Clip(), new Concat(-2),
            new Constant(Tensor.ofLongs(Shape.of(2), 1, -1)),
            new ConstantOfShape(Tensor.ofLongs(Shape.of(1), 7)),
            new Dropout(5L), new Expand(), new Flatten(2), new Gather(1), new Identity(),
            new LeakyRelu(0.2f), new LogSoftmax(1), new Pad(Pad.Mode.EDGE), new Reshape(true),
            new ShapeOf(1, -1L), new Sigmoid(), new Softmax(0), new Squeeze(), new Tanh(),
            new Transpose(0, 2, 1), Transpose.reversed(), new Unsqueeze());

    @Test
    void everyOpIsRegistered() {
        assertThat(OpRegistry.standardOps()).contains("Add", "Cast", "Clip", "Concat", "Constant", "ConstantOfShape",
                "Div", "Dropout", "Expand", "Flatten", "Gather", "Identity", "LeakyRelu", "LogSoftmax", "Mul", "Pad",
                "Relu", "Reshape", "Shape", "Sigmoid", "Softmax", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze");
        assertThat(OpRegistry.nativeOps()).contains("ChannelShuffle");
        assertThat(OpRegistry.supports("ai.onnx", "Softmax")).isTrue();
        assertThat(OpRegistry.supports(OpRegistry.NATIVE_DOMAIN, "Softmax")).isFalse();
    }

    /** attributes() is what an exporter writes; reading it back must give an equal op. */
    @Test
    void exportedAttributesReadBackToAnEqualOp() {
        for (Op op : OPS) {
            Op again = OpRegistry.create(op.domain(), op.opType(), op.attributes(), 13);
            assertThat(again).as(op.toString()).isEqualTo(op).hasSameHashCodeAs(op);
            assertThat(again.toString()).isEqualTo(op.toString());
        }
    }

    @Test
    void opsOfDifferentSettingsDiffer() {
        assertThat(new Concat(0)).isNotEqualTo(new Concat(1));
        assertThat(new Gather(0)).isNotEqualTo(new Gather(1));
        assertThat(new Flatten(1)).isNotEqualTo(new Flatten(2));
        assertThat(new Softmax(1)).isNotEqualTo(new LogSoftmax(1));
        assertThat(new Pad()).isNotEqualTo(new Pad(Pad.Mode.REFLECT));
        assertThat(new Transpose(1, 0)).isNotEqualTo(Transpose.reversed());
        assertThat(new Cast(DataType.FLOAT)).isNotEqualTo(new Cast(DataType.INT64));
        assertThat(new ShapeOf()).isNotEqualTo(new ShapeOf(1, null));
        assertThat(new LeakyRelu(0.1f)).isNotEqualTo(new LeakyRelu(0.2f));
        assertThat(new Constant(Tensor.scalar(1))).isNotEqualTo(new Constant(Tensor.scalar(2)));
    }

    @Test
    void unknownOpsAndAttributesAreRefused() {
        assertThatThrownBy(() -> OpRegistry.create("", "Softplus", Attributes.empty(), 13))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Softplus");
        assertThatThrownBy(() -> OpRegistry.create("", "Gather", Attributes.builder().set("batch_dims", 1L).build(), 13))
                .hasMessageContaining("Gather does not support attribute(s) [batch_dims]");
    }
}
