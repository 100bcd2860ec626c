package dev.minnow.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void anEpochLineShowsTheTestFigures() {
        EpochStats s = new EpochStats(2, 0.25, 0.9, 0.31, 0.885, 12.5, 4800, 0.01);
        assertThat(Progress.epochLine(s, 3))
                .isEqualTo("epoch 2/3: train loss 0.2500 acc 90.00% | test loss 0.3100 acc 88.50% | 12.5 s, 4800 img/s, lr 0.01000");
    }

    @Test
    void withoutATestSetItSaysSoInsteadOfPrintingNaN() {
        EpochStats s = new EpochStats(1, 0.23, 0.915, Double.NaN, Double.NaN, 245.8, 244, 2.81e-9);
        assertThat(Progress.epochLine(s, 1)).contains("| no test set |").doesNotContain("NaN");
    }
}
