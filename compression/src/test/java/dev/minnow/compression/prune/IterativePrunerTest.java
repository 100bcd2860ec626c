package dev.minnow.compression.prune;

import dev.minnow.compression.TinyTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IterativePrunerTest {

    @Test
    void eachRoundRemovesTheSameFractionOfWhatRemains() {
        // kept fraction after round r of 3 at s_f = 0.875: 0.5, 0.25, 0.125
        assertThat(IterativePruner.roundTarget(0.875, 1, 3)).isEqualTo(0.5, within(1e-12));
        assertThat(IterativePruner.roundTarget(0.875, 2, 3)).isEqualTo(0.75, within(1e-12));
        assertThat(IterativePruner.roundTarget(0.875, 3, 3)).isEqualTo(0.875);
        assertThat(IterativePruner.roundTarget(0.9, 1, 1)).isEqualTo(0.9);
    }

    @Test
    void roundsReachTheTargetWithMasksKeptAndAccuraciesRecorded() {
        ImageDataset train = TinyTask.data(512, 6);
        ImageDataset test = TinyTask.data(256, 7);
        Graph g = TinyTask.mlp(8);
        FineTuning warmup = new FineTuning(TrainConfig.of(3, 32, 0.05f).withThreads(1), () -> new Sgd(0.9f, true, 0f), null);
        warmup.run(g, null, train, null);
        IterativePruner.Result r = IterativePruner.run(g, Map.of("fc1.weight", 0.875, "fc2.weight", 0.5), 3,
                warmup.withEpochs(1), train, test);
        assertThat(r.rounds()).hasSize(3);
        assertThat(r.rounds()).extracting(IterativePruner.Round::round).containsExactly(1, 2, 3);
        for (int i = 1; i < 3; i++) {
            assertThat(r.rounds().get(i).sparsity()).isGreaterThan(r.rounds().get(i - 1).sparsity());
        }
        SparsityReport s = MagnitudePruner.sparsity(g);
        assertThat(s.layer("fc1.weight").zeros()).isEqualTo(448);
        assertThat(s.layer("fc2.weight").zeros()).isEqualTo(48);
        assertThat(r.rounds().get(2).sparsity()).isEqualTo(s.overall());
        assertThat(r.rounds().get(2).target()).isEqualTo((448 + 48) / 608.0, within(1e-9));
        assertThat(r.rounds()).allSatisfy(round -> assertThat(round.accuracy()).isBetween(0.0, 1.0));
        assertThat(r.rounds().get(2).accuracy()).isGreaterThan(0.5);
    }
}
