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

class LotteryTicketTest {

    @Test
    void theOutputLayerIsPrunedAtHalfTheRate() {
        Graph g = TinyTask.mlp(1);
        assertThat(LotteryTicket.targets(g, 0.8)).containsExactly(Map.entry("fc1.weight", 0.8), Map.entry("fc2.weight", 0.4));
    }

    @Test
    void threeTrainingsPerSparsityGiveATableAndLeaveTheTrainedDenseNetwork() {
        ImageDataset train = TinyTask.data(384, 21);
        ImageDataset test = TinyTask.data(200, 22);
        TrainConfig config = TrainConfig.of(2, 32, 0.05f).withThreads(1);
        FineTuning training = new FineTuning(config, () -> new Sgd(0.9f, true, 0f), null);
        LotteryTicket.Result r = LotteryTicket.compare(TinyTask::mlp, 3, 4, new double[] {0.5, 0.9}, training,
                training.withEpochs(1), train, test, null);
        assertThat(r.rows()).hasSize(2);
        assertThat(r.trainEpochs()).isEqualTo(2);
        assertThat(r.fineTuneEpochs()).isEqualTo(1);
        // 512 hidden weights at s, 96 output weights at s / 2
        assertThat(r.rows().get(0).overall()).isEqualTo((256 + 24) / 608.0, within(1e-9));
        assertThat(r.rows().get(1).overall()).isEqualTo((Math.round(0.9 * 512) + Math.round(0.45 * 96)) / 608.0,
                within(1e-9));
        for (LotteryTicket.Row row : r.rows()) {
            for (double a : new double[] {row.pruned(), row.fineTuned(), row.rewound(), row.reinitialized()}) {
                assertThat(a).isBetween(0.0, 1.0);
            }
        }
        assertThat(r.denseAccuracy()).isGreaterThan(0.5);
        assertThat(r.table()).contains("| 0 % (dense) |", "| 90 % / ", "(b) rewound to init, 2 ep");
    }
}
