package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minnow prune --filters / --macs}: argument handling and short runs. */
class StructuredPruneCommandTest {

    @Test
    void structuredOptionsAreCheckedAgainstTheMode(@TempDir Path dir) {
        String out = dir.resolve("p.mnw").toString();
        assertThat(CliRun.of("prune", "lenet5", "--filters", "0.5", "--macs", "0.5", "--out", out).errLine())
                .contains("(got --filters, --macs)");
        assertThat(CliRun.of("prune", "lenet5", "--filters", "0.5", "--allocation", "greedy", "--out", out).errLine())
                .contains("--allocation goes with --macs");
        assertThat(CliRun.of("prune", "lenet5", "--macs", "0.5", "--allocation", "best", "--out", out).errLine())
                .contains("--allocation is uniform or greedy, got 'best'");
        assertThat(CliRun.of("prune", "lenet5", "--filters", "0.5", "--rounds", "2", "--out", out).errLine())
                .contains("--rounds goes with magnitude pruning, not --filters");
        assertThat(CliRun.of("prune", "lenet5", "--sparsity", "0.5", "--ranking", "l1", "--out", out).errLine())
                .contains("--ranking goes with --filters or --macs");
        assertThat(CliRun.of("prune", "lenet5", "--filters", "1.5", "--out", out).errLine())
                .contains("--filters expects a fraction in [0, 1]");
        assertThat(CliRun.of("prune", "resnet18", "--macs", "0.5", "--finetune-epochs", "1", "--out", out).errLine())
                .contains("not Fashion-MNIST's 1x28x28");
        assertThat(Files.exists(dir.resolve("p.mnw"))).isFalse();
    }

    @Test
    void halfTheFiltersOfLeNet5AreRemovedFineTunedAndSaved(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.mnw");
        CliRun r = CliRun.of("prune", "lenet5", "--filters", "0.5", "--embedded", "--finetune-epochs", "1",
                "--threads", "2", "--out", file.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        assertThat(j).containsKeys("params_before", "params_after", "macs_before", "macs_after", "conv_mac_reduction",
                "baseline_accuracy", "pruned_accuracy", "accuracy", "layers", "out");
        // conv1 20 -> 10, conv2 50 -> 25, fc1 500 -> 250 (its input 800 -> 400), fc2 keeps its 10 outputs
        long before = 20 * 25 + 20 + 50 * 20 * 25 + 50 + 500 * 800 + 500 + 10 * 500 + 10;
        long after = 10 * 25 + 10 + 25 * 10 * 25 + 25 + 250 * 400 + 250 + 10 * 250 + 10;
        assertThat(((Number) j.get("params_before")).longValue()).isEqualTo(before);
        assertThat(((Number) j.get("params_after")).longValue()).isEqualTo(after);
        // conv MACs: conv1 20*24*24*25 -> half, conv2 50*8*8*20*25 -> a quarter
        double convBefore = 20 * 576 * 25 + 50 * 64 * 500;
        double convAfter = 10 * 576 * 25 + 25 * 64 * 250;
        assertThat((Double) j.get("conv_mac_reduction")).isCloseTo(1 - convAfter / convBefore,
                org.assertj.core.api.Assertions.within(1e-9));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) j.get("layers");
        assertThat(layers).extracting(l -> l.get("name")).containsExactly("conv1", "conv2", "fc1", "fc2");
        assertThat(layers).extracting(l -> ((Number) l.get("kept")).intValue()).containsExactly(10, 25, 250, 10);
        assertThat((Double) j.get("accuracy")).isGreaterThan(0.4);

        Graph saved = ModelFile.load(file).graph();
        assertThat(saved.initializer("conv2.weight").shape()).isEqualTo(Shape.of(25, 10, 5, 5));
        assertThat(saved.initializer("fc1.weight").shape()).isEqualTo(Shape.of(250, 400));
    }

    @Test
    void halfTheConvMacsOfResNet18AsOnnxWithoutData(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.onnx");
        CliRun r = CliRun.of("prune", "resnet18", "--macs", "0.5", "--out", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("conv MACs", "parameters 11,689,512 -> ", "saved " + file).doesNotContain("accuracy");
        Graph g = OnnxReader.read(file);
        Tensor x = Tensor.zeros(1, 3, 224, 224);
        assertThat(Plan.compile(g, x.shape()).runSingle(x).shape()).isEqualTo(Shape.of(1, 1000));
        assertThat(g.parameterCount()).isLessThan(11_689_512L * 6 / 10);
    }

    @Test
    void weakResidualBranchesCanGoWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.onnx");
        CliRun r = CliRun.of("prune", "resnet18", "--filters", "0.25", "--remove-branches", "2", "--out", file.toString(),
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        assertThat((List<?>) j.get("removed_branches")).hasSize(2);
        Graph g = OnnxReader.read(file);
        // each basic block loses conv, BN, ReLU, conv, BN
        assertThat(g.nodes()).hasSize(dev.minnow.zoo.models.Zoo.build("resnet18").nodes().size() - 10);
        Tensor x = Tensor.zeros(1, 3, 224, 224);
        assertThat(Plan.compile(g, x.shape()).runSingle(x).shape()).isEqualTo(Shape.of(1, 1000));
    }
}
