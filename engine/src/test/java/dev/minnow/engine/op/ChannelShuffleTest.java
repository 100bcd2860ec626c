package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelShuffleTest {

    @Test
    void twoGroupsOfThreeInterleave() {
        // one value per channel: 0 1 2 | 3 4 5 becomes 0 3 1 4 2 5
        Tensor x = Tensor.of(Shape.of(1, 6, 1, 1), 0, 1, 2, 3, 4, 5);
        assertThat(RunOp.output(new ChannelShuffle(2), x).toFloatArray()).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(RunOp.output(new ChannelShuffle(3), x).toFloatArray()).containsExactly(0, 2, 4, 1, 3, 5);
        assertThat(RunOp.output(new ChannelShuffle(1), x).toFloatArray()).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void matchesPyTorchChannelShuffle() {
        Tensor x = ReferenceFixtures.get("shuffle.x");
        assertThat(RunOp.output(new ChannelShuffle(3), x).toFloatArray())
                .containsExactly(ReferenceFixtures.get("shuffle.g3").toFloatArray());
        assertThat(RunOp.output(new ChannelShuffle(2), x).toFloatArray())
                .containsExactly(ReferenceFixtures.get("shuffle.g2").toFloatArray());
    }

    @Test
    void equalsReshapeTransposeReshape() {
        // the definition: [N, g, C/g, H, W] -> swap axes 1 and 2 -> [N, C, H, W]
        Tensor x = ReferenceFixtures.get("shuffle.x"); // [2, 6, 2, 3]
        int g = 3;
        Tensor viewed = x.reshape(Shape.of(2, g, 6 / g, 2 * 3));
        Tensor swapped = RunOp.output(new Transpose(0, 2, 1, 3), viewed);
        assertThat(RunOp.output(new ChannelShuffle(g), x).toFloatArray()).containsExactly(swapped.toFloatArray());
    }

    @Test
    void nativeDomainAndErrors() {
        ChannelShuffle op = new ChannelShuffle(4);
        assertThat(op.domain()).isEqualTo(OpRegistry.NATIVE_DOMAIN);
        assertThat(op.attributes().asMap()).containsEntry("group", 4L);
        assertThat(OpRegistry.create(OpRegistry.NATIVE_DOMAIN, "ChannelShuffle", op.attributes(), 13)).isEqualTo(op);
        assertThatThrownBy(() -> op.inferOutputs(List.of(ValueInfo.of(Shape.of(1, 6, 2, 2)))))
                .hasMessageContaining("group 4").hasMessageContaining("has 6 channels");
        assertThatThrownBy(() -> new ChannelShuffle(0)).hasMessageContaining("must be >= 1");
        assertThatThrownBy(() -> ChannelShuffle.fromOnnx(Attributes.empty())).hasMessageContaining("'group'");
    }
}
