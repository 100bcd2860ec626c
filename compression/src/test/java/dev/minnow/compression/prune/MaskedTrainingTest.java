package dev.minnow.compression.prune;

import dev.minnow.compression.TinyTask;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Adam;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.Optimizer;
import dev.minnow.engine.train.Regularization;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Pruned weights stay exactly zero through fine-tuning, whatever the optimizer and regulariser. */
class MaskedTrainingTest {

    static Stream<Supplier<Optimizer>> optimizers() {
        return Stream.of(() -> new Sgd(0.9f, false, 5e-4f), () -> new Sgd(0.9f, true, 0f), () -> Adam.adam(1e-4f),
                () -> Adam.adamW(0.01f));
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void prunedWeightsStayZeroAndTheOthersKeepLearning(Supplier<Optimizer> optimizer) {
        ImageDataset train = TinyTask.data(512, 1);
        Graph g = TinyTask.mlp(3);
        // a first training gives the optimizer momentum to carry pruned weights away from zero, if it could
        TrainConfig config = TrainConfig.of(2, 32, 0.02f).withThreads(1).withRegularization(new Regularization(1e-4f, 0f));
        FineTuning phase = new FineTuning(config, optimizer, null);
        phase.run(g, null, train, null);
        Map<String, Tensor> masks = MagnitudePruner.bySparsity(g, 0.7);
        MagnitudePruner.apply(g, masks);
        Map<String, Tensor> before = LotteryTicket.snapshot(g);

        phase.run(g, masks, train, null);

        for (Map.Entry<String, Tensor> e : masks.entrySet()) {
            Tensor w = g.initializer(e.getKey());
            Tensor old = before.get(e.getKey());
            int changed = 0;
            for (int i = 0; i < w.size(); i++) {
                if (e.getValue().get(i) == 0f) {
                    assertThat(Float.floatToRawIntBits(w.get(i))).as("%s[%d]", e.getKey(), i).isZero();
                } else if (w.get(i) != old.get(i)) {
                    changed++;
                }
            }
            assertThat(changed).as("kept weights of %s that moved", e.getKey()).isGreaterThan(0);
        }
        assertThat(MagnitudePruner.sparsity(g).overall()).isEqualTo(0.7, org.assertj.core.api.Assertions.within(1e-3));
        assertThat(Evaluation.of(g, TinyTask.data(256, 2), 64, 1).accuracy()).isGreaterThan(0.5);
    }
}
