package dev.minnow.compression.prune;

import dev.minnow.compression.TinyTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SensitivityTest {

    @Test
    void eachLayerIsPrunedAloneAndTheGraphIsLeftAsItWas() {
        ImageDataset train = TinyTask.data(512, 11);
        ImageDataset test = TinyTask.data(300, 12);
        Graph g = TinyTask.mlp(13);
        new FineTuning(TrainConfig.of(4, 32, 0.05f).withThreads(1), () -> new Sgd(0.9f, true, 0f), null)
                .run(g, null, train, null);
        Map<String, Tensor> before = LotteryTicket.snapshot(g);
        double[] grid = {0.2, 0.6, 1.0};
        Sensitivity.Result r = Sensitivity.analyse(g, PrunableWeights.of(g), grid, test, 1, null);

        for (Map.Entry<String, Tensor> e : before.entrySet()) {
            assertThat(g.initializer(e.getKey()).contentEquals(e.getValue())).as(e.getKey()).isTrue();
        }
        assertThat(r.baseline()).isEqualTo(Evaluation.of(g, test, 64, 1).accuracy());
        assertThat(r.layers()).containsExactly("fc1.weight", "fc2.weight");
        // an independent measurement of one cell: fc2 alone at 60 %
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, Map.of("fc2.weight", 0.6)));
        assertThat(r.accuracy()[1][1]).isEqualTo(Evaluation.of(g, test, 64, 1).accuracy());
        // with a layer removed entirely the logits no longer depend on the input
        assertThat(r.accuracy()[1][2]).isLessThan(r.baseline());
    }

    @Test
    void theRuleTakesTheHighestSparsityBeforeTheFirstDropBeyondTheTolerance() {
        double[] s = {0.1, 0.5, 0.8, 0.9};
        Sensitivity.Result r = new Sensitivity.Result(0.90, List.of("robust", "fragile", "noisy", "hopeless"), s,
                new double[][] {
                    {0.90, 0.90, 0.899, 0.896},   // never drops more than 0.005: 0.9
                    {0.90, 0.88, 0.80, 0.50},     // drops 0.02 at 0.5: 0.1
                    {0.90, 0.85, 0.897, 0.898},   // a bad point at 0.5 stops it, later recoveries do not count
                    {0.80, 0.70, 0.60, 0.50},     // already 0.1 below at 10 %: 0
                });
        assertThat(r.choose(0.005)).containsExactly(Map.entry("robust", 0.9), Map.entry("fragile", 0.1),
                Map.entry("noisy", 0.1), Map.entry("hopeless", 0.0));
        assertThat(r.choose(0.02).get("fragile")).isEqualTo(0.5);

        // sizes 1000, 100, 10, 10. Tolerance 0.003 gives robust 0.8 (811 / 1120 = 72.4 % overall),
        // 0.004 robust 0.9 (911 / 1120 = 81.3 %): 80 % lies at alpha = (896 - 811) / 100 = 0.85 between
        Map<String, Long> sizes = Map.of("robust", 1000L, "fragile", 100L, "noisy", 10L, "hopeless", 10L);
        Map<String, Double> c80 = r.chooseForSparsity(0.80, sizes);
        assertThat(c80.get("robust")).isEqualTo(0.885, within(1e-12));
        assertThat(c80).containsEntry("fragile", 0.1).containsEntry("noisy", 0.1).containsEntry("hopeless", 0.0);
        assertThat(Sensitivity.Result.overall(c80, sizes)).isEqualTo(0.80, within(1e-12));
        // 85 %: tolerance 0.02 (fragile to 0.5) gives 951 / 1120, not enough; 0.05 also lets "noisy"
        // through its bad point to 0.9: 959 / 1120; 85 % = 952 / 1120 lies at alpha = 1/8 -> noisy 0.2
        Map<String, Double> c85 = r.chooseForSparsity(0.85, sizes);
        assertThat(c85.get("noisy")).isEqualTo(0.2, within(1e-12));
        assertThat(c85).containsEntry("robust", 0.9).containsEntry("fragile", 0.5).containsEntry("hopeless", 0.0);
        assertThat(Sensitivity.Result.overall(c85, sizes)).isEqualTo(0.85, within(1e-12));
        // reached at tolerance 0: interpolated from no pruning (robust 0.5, fragile 0.1, noisy 0.1 give 511 / 1120)
        Map<String, Double> c10 = r.chooseForSparsity(0.10, sizes);
        assertThat(Sensitivity.Result.overall(c10, sizes)).isEqualTo(0.10, within(1e-12));
        assertThat(c10.get("robust")).isEqualTo(0.5 * 112 / 511, within(1e-12));
        // unreachable: every layer at its highest sparsity
        assertThat(r.chooseForSparsity(0.99, sizes)).containsOnly(Map.entry("robust", 0.9), Map.entry("fragile", 0.9),
                Map.entry("noisy", 0.9), Map.entry("hopeless", 0.9));
        assertThat(r.choose(1).get("hopeless")).isEqualTo(0.9);
        assertThat(r.table()).startsWith("| layer | 10 % | 50 % | 80 % | 90 % |")
                .contains("| fragile | 90.00 | 88.00 | 80.00 | 50.00 |");
        String svg = r.chart("LeNet").toSvg();
        assertThat(svg).contains(">robust<", ">hopeless<", "baseline 90.00 %", "<polyline");
    }
}
