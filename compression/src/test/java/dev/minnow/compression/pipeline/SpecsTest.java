package dev.minnow.compression.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecsTest {
    private static final Map<String, String> LENET5 = new LinkedHashMap<>();

    static {
        LENET5.put("conv1.weight", "conv");
        LENET5.put("conv2.weight", "conv");
        LENET5.put("fc1.weight", "fc");
        LENET5.put("fc2.weight", "fc");
    }

    @Test
    void pruneSpecsResolveByWeightLayerKindThenFallback() {
        PruneSpec s = PruneSpec.parse("sparsity=0.9,conv=0.5,conv1=0.3,fc2.weight=0.7");
        assertThat(s.mode()).isEqualTo(PruneSpec.Mode.SPARSITY);
        assertThat(s.resolve(LENET5)).containsExactly(Map.entry("conv1.weight", 0.3), Map.entry("conv2.weight", 0.5),
                Map.entry("fc1.weight", 0.9), Map.entry("fc2.weight", 0.7));
        PruneSpec q = PruneSpec.parse("q=0.7");
        assertThat(q.mode()).isEqualTo(PruneSpec.Mode.QUALITY);
        assertThat(q.resolve(LENET5)).hasSize(4).containsValue(0.7);
        // only listed layers, no fallback
        assertThat(PruneSpec.parse("fc1=0.92").resolve(LENET5)).containsExactly(Map.entry("fc1.weight", 0.92));
        assertThat(PruneSpec.parse("none").resolve(LENET5)).isEmpty();
    }

    @Test
    void pruneSpecErrorsSayWhatIsWrong() {
        assertThatThrownBy(() -> PruneSpec.parse("sparsity=1.2")).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> PruneSpec.parse("q=-1")).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> PruneSpec.parse("q=0.5,sparsity=0.5")).hasMessageContaining("once");
        assertThatThrownBy(() -> PruneSpec.parse("fc1")).hasMessageContaining("key=value");
        assertThatThrownBy(() -> PruneSpec.parse("fc1=abc")).hasMessageContaining("must be a number");
        assertThatThrownBy(() -> PruneSpec.parse("fc9=0.5").resolve(LENET5)).hasMessageContaining("[fc9]");
    }

    /** The AGP schedule 1 - (1 - t/T)^3: at T = 3, 19/27, 26/27 and 1 of the target. */
    @Test
    void stepsFollowTheGradualSchedule() {
        assertThat(PruneSpec.atStep(0.9, 1, 3)).isCloseTo(0.9 * 19 / 27, within(1e-12));
        assertThat(PruneSpec.atStep(0.9, 2, 3)).isCloseTo(0.9 * 26 / 27, within(1e-12));
        assertThat(PruneSpec.atStep(0.9, 3, 3)).isCloseTo(0.9, within(1e-12));
        assertThat(PruneSpec.atStep(0.9, 1, 1)).isCloseTo(0.9, within(1e-12));
    }

    @Test
    void bitsSpecsByKindAndLayer() {
        BitsSpec d = new BitsSpec(8, 5, Map.of());
        assertThat(d.resolve(LENET5)).containsExactly(Map.entry("conv1.weight", 8), Map.entry("conv2.weight", 8),
                Map.entry("fc1.weight", 5), Map.entry("fc2.weight", 5));
        BitsSpec six = BitsSpec.parse("6", d, "--cluster", 8);
        assertThat(six.resolve(LENET5).values()).containsOnly(6);
        BitsSpec mixed = BitsSpec.parse("fc=4,fc2=7", d, "--cluster", 8);
        assertThat(mixed.resolve(LENET5)).containsEntry("conv1.weight", 8).containsEntry("fc1.weight", 4)
                .containsEntry("fc2.weight", 7);
        assertThat(mixed.describe()).isEqualTo("conv=8,fc=4,fc2=7");
        assertThatThrownBy(() -> BitsSpec.parse("conv=9", d, "--cluster", 8)).hasMessageContaining("1 to 8");
        assertThatThrownBy(() -> BitsSpec.parse("fc7=3", d, "--cluster", 8).resolve(LENET5))
                .hasMessageContaining("[fc7]");
    }
}
