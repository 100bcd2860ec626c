package dev.minnow.compression.prune;

import dev.minnow.compression.TinyTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class AgpScheduleTest {

    @Test
    void theCubicMatchesZhuAndGuptasFormulaAtThePruningSteps() {
        AgpSchedule s = new AgpSchedule(0, 0.8, 0, 100, 10);
        // s_t = 0.8 + (0 - 0.8)(1 - t/100)^3
        assertThat(s.sparsityAt(0)).isEqualTo(0, within(1e-12));
        assertThat(s.sparsityAt(10)).isEqualTo(0.8 * (1 - 0.729), within(1e-12));
        assertThat(s.sparsityAt(50)).isEqualTo(0.7, within(1e-12));
        assertThat(s.sparsityAt(90)).isEqualTo(0.8 * (1 - 0.001), within(1e-12));
        assertThat(s.sparsityAt(100)).isEqualTo(0.8, within(1e-12));
        assertThat(s.sparsityAt(1000)).isEqualTo(0.8, within(1e-12));
        // between pruning steps the target holds
        assertThat(s.sparsityAt(15)).isEqualTo(s.sparsityAt(10));
        assertThat(s.sparsityAt(99)).isEqualTo(s.sparsityAt(90));
        // per-layer finals follow the same curve
        assertThat(s.sparsityAt(50, 0.4)).isEqualTo(0.35, within(1e-12));
    }

    @Test
    void aNonZeroStartAndALateBeginShiftTheCurve() {
        AgpSchedule s = new AgpSchedule(0.2, 0.9, 40, 60, 5);
        assertThat(s.sparsityAt(39)).isZero();
        assertThat(s.sparsityAt(40)).isEqualTo(0.2, within(1e-12));
        // t = 50: progress 0.5, 0.9 + (0.2 - 0.9) * 0.125
        assertThat(s.sparsityAt(50)).isEqualTo(0.8125, within(1e-12));
        assertThat(s.sparsityAt(60)).isEqualTo(0.9, within(1e-12));
    }

    @Test
    void pruningStepsAreEveryFrequencyStepsAndTheEnd() {
        AgpSchedule s = new AgpSchedule(0, 0.5, 3, 25, 10);
        assertThat(LongStream.range(0, 40).filter(s::isPruningStep).boxed().toList()).containsExactly(3L, 13L, 23L, 25L);
        AgpSchedule over = AgpSchedule.over(1000, 0.9, 0.75, 40);
        assertThat(over.begin()).isZero();
        assertThat(over.end()).isEqualTo(749);
        assertThat(over.frequency()).isEqualTo(18);
        assertThat(over.sparsityAt(749)).isEqualTo(0.9);
        assertThatThrownBy(() -> new AgpSchedule(0, 0.5, 10, 5, 1)).hasMessageContaining("begin <= end");
        assertThatThrownBy(() -> new AgpSchedule(0, 0.5, 0, 5, 0)).hasMessageContaining("frequency");
    }

    @Test
    void duringTrainingTheMasksGrowMonotonicallyToTheExactFinalSparsity() {
        ImageDataset train = TinyTask.data(640, 4);
        Graph g = TinyTask.mlp(5);
        TrainConfig config = TrainConfig.of(3, 32, 0.02f).withThreads(1);
        Trainer t = new Trainer(g, config, new Sgd(0.9f, true, 0f));
        long steps = 3L * (640 / 32);
        AgpSchedule schedule = AgpSchedule.over(steps, 0.8, 0.7, 6);
        AgpPruner agp = AgpPruner.perLayer(g, t, schedule, Map.of("fc1.weight", 0.8, "fc2.weight", 0.4));
        t.onStep(agp);
        t.fit(train, null);

        List<AgpPruner.Step> h = agp.history();
        assertThat(h).hasSizeGreaterThanOrEqualTo(6);
        for (int i = 1; i < h.size(); i++) {
            assertThat(h.get(i).sparsity()).isGreaterThanOrEqualTo(h.get(i - 1).sparsity());
            assertThat(h.get(i).target()).isGreaterThanOrEqualTo(h.get(i - 1).target());
        }
        SparsityReport r = MagnitudePruner.sparsity(g);
        assertThat(r.layer("fc1.weight").zeros()).isEqualTo(Math.round(0.8 * 512));
        assertThat(r.layer("fc2.weight").zeros()).isEqualTo(Math.round(0.4 * 96));
        // the masks it kept are the zeros of the graph
        for (Map.Entry<String, Tensor> e : agp.masks().entrySet()) {
            assertThat(MagnitudePruner.masksOfZeros(g).get(e.getKey()).contentEquals(e.getValue())).isTrue();
        }
    }
}
