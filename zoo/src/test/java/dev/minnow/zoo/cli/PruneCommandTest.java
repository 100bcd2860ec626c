package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.compression.prune.MagnitudePruner;
import dev.minnow.compression.prune.SparsityReport;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.zoo.models.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prune, sensitivity and lottery commands: argument handling, and short runs on the embedded subset. */
class PruneCommandTest {

    @Test
    void exactlyOneWayOfPruningMustBeGiven(@TempDir Path dir) {
        String out = dir.resolve("p.mnw").toString();
        CliRun none = CliRun.of("prune", "lenet300", "--out", out);
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.errLine()).isEqualTo("minnow: prune: give exactly one of --sparsity, --quality, --global, --agp"
                + ", --sensitivity, --filters or --macs (see minnow prune --help)");
        assertThat(CliRun.of("prune", "lenet300", "--sparsity", "0.5", "--global", "0.5", "--out", out).errLine())
                .contains("(got --sparsity, --global)");
        assertThat(CliRun.of("prune", "lenet300", "--sparsity", "0.5").errLine()).contains("--out FILE is required");
        assertThat(CliRun.of("prune", "lenet300", "--agp", "0.9", "--finetune-epochs", "0", "--out", out).errLine())
                .contains("--agp prunes during fine-tuning: give --finetune-epochs 1 or more");
        assertThat(CliRun.of("prune", "lenet300", "--quality", "1", "--rounds", "3", "--out", out).errLine())
                .contains("--rounds goes with --sparsity or --sensitivity");
        assertThat(CliRun.of("prune", "lenet300", "--global", "0.5", "--target", "0.9", "--out", out).errLine())
                .contains("--target goes with --sensitivity");
        assertThat(CliRun.of("prune", "lenet300", "--sparsity", "1.5", "--out", out, "--embedded").errLine())
                .contains("--sparsity expects a fraction in [0, 1] such as 0.9 (or 90%), got '1.5'");
        assertThat(CliRun.of("prune", "lenet300", "--sparsity", "fc9=0.5", "--out", out, "--embedded").errLine())
                .contains("'fc9' is not a prunable layer; prunable: fc1.weight, fc2.weight, fc3.weight (or conv, fc)");
        assertThat(Files.exists(dir.resolve("p.mnw"))).isFalse();
    }

    @Test
    void perLayerValuesAcceptOneNumberNamesWeightNamesKindsAndPercent() throws Exception {
        Graph g = Zoo.build("lenet5");
        assertThat(PruneCommand.layerValues(g, "0.5", "sparsity", true)).containsOnlyKeys("conv1.weight",
                "conv2.weight", "fc1.weight", "fc2.weight").containsValue(0.5);
        assertThat(PruneCommand.layerValues(g, "conv=0.2,fc=90%,fc2.weight=0.3", "sparsity", true)).containsExactly(
                Map.entry("conv1.weight", 0.2), Map.entry("conv2.weight", 0.2), Map.entry("fc1.weight", 0.9),
                Map.entry("fc2.weight", 0.3));
        assertThat(PruneCommand.layerValues(g, "conv1=2.5", "quality", false)).containsExactly(Map.entry("conv1.weight", 2.5));
        assertThatThrownBy(() -> PruneCommand.layerValues(g, "conv1", "quality", false))
                .hasMessageContaining("--quality expects a number >= 0, got 'conv1'");
        assertThatThrownBy(() -> PruneCommand.layerValues(g, "conv1=1,=2", "quality", false))
                .hasMessageContaining("NAME=VALUE pairs");
    }

    @Test
    void pruningWithFineTuningSavesAModelWithTheReportedSparsityAndJsonKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.mnw");
        CliRun r = CliRun.of("prune", "lenet300", "--sparsity", "fc1=0.9,fc2=0.8", "--embedded", "--finetune-epochs", "1",
                "--threads", "2", "--out", file.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        assertThat(j).containsKeys("baseline_accuracy", "pruned_accuracy", "accuracy", "sparsity", "layers", "weights",
                "kept", "finetune_epochs", "out");
        double expected = (Math.round(0.9 * 235200) + Math.round(0.8 * 30000)) / 266200.0;
        assertThat((Double) j.get("sparsity")).isEqualTo(expected, within(1e-9));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) j.get("layers");
        assertThat(layers).extracting(l -> l.get("name")).containsExactly("fc1.weight", "fc2.weight", "fc3.weight");
        assertThat(layers.get(2).get("sparsity")).isEqualTo(0.0);
        assertThat(layers.get(0).get("kept")).isEqualTo((double) (235200 - Math.round(0.9 * 235200)));

        ModelFile.Saved saved = ModelFile.load(file);
        SparsityReport report = MagnitudePruner.sparsity(saved.graph());
        assertThat(report.overall()).isEqualTo(expected, within(1e-9));
        assertThat(saved.metadata()).containsKeys("pruning", "sparsity", "test_accuracy");
        assertThat(Double.parseDouble(saved.metadata().get("test_accuracy"))).isEqualTo((Double) j.get("accuracy"));
    }

    @Test
    void theTextReportHasTheLayerTableAndTheAccuraciesAndOnnxOutputWorks(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.onnx");
        CliRun r = CliRun.of("prune", "lenet300", "--global", "0.8", "--embedded", "--finetune-epochs", "0",
                "--out", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("layer", "fc1.weight", "total", "80.00 %", "test accuracy:", "before pruning",
                "right after");
        Graph back = OnnxReader.read(file);
        assertThat(MagnitudePruner.sparsity(back).overall()).isEqualTo(0.8, within(1e-6));
    }

    @Test
    void sensitivityWithATargetReachesAtLeastThatOverallSparsity(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("prune", "lenet300", "--sensitivity", "--target", "0.6", "--embedded", "--finetune-epochs",
                "0", "--out", dir.resolve("t.mnw").toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        assertThat((Double) j.get("sparsity")).isGreaterThanOrEqualTo(0.6 - 1e-9);
        assertThat(j).containsKey("chosen");
    }

    @Test
    void agpReachesItsTargetDuringFineTuning(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agp.mnw");
        CliRun r = CliRun.of("prune", "lenet300", "--agp", "0.75", "--embedded", "--finetune-epochs", "1",
                "--out", file.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        assertThat((Double) j.get("sparsity")).isEqualTo(0.75, within(1e-5));
        assertThat(j.get("pruned_accuracy")).isNull();
    }

    @Test
    void sensitivityWritesTheTableThePlotAndTheChosenSparsities(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("s.svg");
        CliRun r = CliRun.of("sensitivity", "lenet300", "--embedded", "--sparsities", "0.5,0.99", "--svg",
                svg.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        assertThat(j).containsKeys("baseline_accuracy", "sparsities", "layers", "svg");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) j.get("layers");
        assertThat(layers).hasSize(3);
        assertThat((List<?>) layers.get(0).get("accuracy")).hasSize(2);
        assertThat(layers.get(0)).containsKeys("name", "kind", "weights", "chosen_sparsity");
        assertThat(Files.readString(svg)).startsWith("<svg").contains("fc1.weight");
        assertThat(CliRun.of("sensitivity", "lenet300", "--embedded").errLine()).contains("--svg FILE is required");
        assertThat(CliRun.of("sensitivity", "lenet300", "--sparsities", "0.5,0.3", "--svg", svg.toString()).errLine())
                .contains("--sparsities must increase");
    }

    @Test
    void lotteryNeedsAZooModelAndPrintsItsRows(@TempDir Path dir) throws Exception {
        assertThat(CliRun.of("lottery", dir.resolve("x.mnw").toString()).errLine()).contains("MODEL must be a zoo name");
        CliRun r = CliRun.of("lottery", "lenet300", "--embedded", "--sparsity", "0.9", "--epochs", "1",
                "--finetune-epochs", "1", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        assertThat(j).containsKeys("dense_accuracy", "rows");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) j.get("rows");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsKeys("sparsity", "pruned_accuracy", "fine_tuned_accuracy", "rewound_accuracy",
                "random_init_accuracy");
    }

    @Test
    void aPrunedOnnxModelRunsOnSparseKernelsInBenchUnlessDense(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.onnx");
        assertThat(CliRun.of("prune", "lenet300", "--sparsity", "fc1=0.9,fc2=0.9", "--embedded", "--finetune-epochs", "0",
                "--out", file.toString()).code()).isZero();
        Map<String, Object> sparse = MiniJson.parseObject(CliRun.of("bench", file.toString(), "--iterations", "2", "--warmup-time", "0",
                "--warmup", "1", "--json").out());
        assertThat(sparse.get("sparse_layers")).isEqualTo(2.0);
        Map<String, Object> dense = MiniJson.parseObject(CliRun.of("bench", file.toString(), "--iterations", "2", "--warmup-time", "0",
                "--warmup", "1", "--dense", "--json").out());
        assertThat(dense.get("sparse_layers")).isEqualTo(0.0);
    }
}
