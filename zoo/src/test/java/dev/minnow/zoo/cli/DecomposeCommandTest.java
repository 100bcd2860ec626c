package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.Graph;
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

/** The decompose command: argument handling, and short runs of each method on the embedded subset. */
class DecomposeCommandTest {

    @Test
    void exactlyOneWellFormedMethodMustBeGiven(@TempDir Path dir) {
        String out = dir.resolve("d.mnw").toString();
        assertThat(CliRun.of("decompose", "lenet5", "--out", out).errLine()).isEqualTo("minnow: decompose: give exactly"
                + " one of --svd, --tucker or --cp (see minnow decompose --help)");
        assertThat(CliRun.of("decompose", "lenet5", "--svd", "rank=4", "--cp", "rank=4", "--out", out).errLine())
                .contains("(got --svd, --cp)");
        assertThat(CliRun.of("decompose", "lenet5", "--svd", "rank=4").errLine()).contains("--out FILE is required");
        assertThat(CliRun.of("decompose", "lenet5", "--svd", "energy=0.9,rank=3", "--out", out).errLine())
                .contains("--svd expects one of energy=E, rank=R or params=F, got 'energy=0.9,rank=3'");
        assertThat(CliRun.of("decompose", "lenet5", "--tucker", "in=4", "--out", out).errLine())
                .contains("--tucker expects ranks=F, in=R_IN,out=R_OUT or energy=E, got 'in=4'");
        assertThat(CliRun.of("decompose", "lenet5", "--cp", "rank=0", "--out", out).errLine())
                .contains("--cp rank expects a whole number of at least 1, got '0'");
        assertThat(CliRun.of("decompose", "lenet5", "--cp", "iterations=5", "--out", out).errLine())
                .contains("--cp expects rank=R or rank=R,iterations=N, got 'iterations=5'");
        assertThat(CliRun.of("decompose", "lenet5", "--svd", "params=0", "--out", out).errLine())
                .contains("--svd params must be above 0, got '0'");
        assertThat(CliRun.of("decompose", "lenet5", "--svd", "rank", "--out", out).errLine())
                .contains("--svd expects KEY=VALUE settings separated by commas, got 'rank'");
        CliRun wrongLayer = CliRun.of("decompose", "lenet5", "--tucker", "ranks=0.5", "--layers", "fc1", "--embedded",
                "--out", out);
        assertThat(wrongLayer.code()).isEqualTo(2);
        assertThat(wrongLayer.err()).contains("minnow: decompose: node 'fc1' (Gemm) is not a convolution; tucker2"
                + " decomposes convolutions (use SVD for fully connected layers)");
        assertThat(Files.exists(dir.resolve("d.mnw"))).isFalse();
    }

    @Test
    void svdWithFineTuningSavesTheReportedModelAndJson(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("svd.mnw");
        CliRun r = CliRun.of("decompose", "lenet300", "--svd", "params=0.25", "--layers", "fc1", "--embedded",
                "--finetune-epochs", "1", "--threads", "2", "--out", file.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        assertThat(j).containsKeys("baseline_accuracy", "decomposed_accuracy", "accuracy", "params_before",
                "params_after", "macs_before", "macs_after", "layers", "skipped", "finetune_epochs", "out");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) j.get("layers");
        assertThat(layers).hasSize(1);
        // fc1 is 784 -> 300: k (784 + 300) <= 0.25 * 784 * 300 gives k = 54; 54 * 1084 + 300 biases = 58,836
        assertThat(layers.get(0).get("ranks")).isEqualTo(List.of(54.0));
        assertThat(layers.get(0).get("params_before")).isEqualTo(235_500.0);
        assertThat(layers.get(0).get("params_after")).isEqualTo(58_836.0);
        assertThat(layers.get(0).get("macs_after")).isEqualTo(54.0 * 1084);
        assertThat((Double) j.get("params_before") - (Double) j.get("params_after")).isEqualTo(235_500.0 - 58_836);
        assertThat((Double) layers.get(0).get("relative_error")).isBetween(0.0, 1.0);

        ModelFile.Saved saved = ModelFile.load(file);
        Graph g = saved.graph();
        assertThat(g.node("fc1")).isNull();
        assertThat(g.node("fc1.svd_in")).isNotNull();
        assertThat(DecomposeCommand.summary(g).params()).isEqualTo(((Double) j.get("params_after")).longValue());
        assertThat(saved.metadata()).containsKeys("decomposition", "decomposed_from");
        assertThat(Double.parseDouble(saved.metadata().get("test_accuracy"))).isEqualTo((Double) j.get("accuracy"));
    }

    @Test
    void tuckerPrintsTheLayerTableAndWritesOnnx(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tucker.onnx");
        CliRun r = CliRun.of("decompose", "lenet5", "--tucker", "in=8,out=16", "--layers", "conv2", "--embedded",
                "--finetune-epochs", "0", "--out", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        // conv2: 50@5x5 over 20 channels on 12x12 -> 8x8; Tucker-2 ranks in 8, out 16:
        //   params 20*8 + 8*16*25 + 16*50 + 50 = 4,210 (was 25,050); MACs 20*8*144 + 8*16*25*64 + 16*50*64 = 279,040
        assertThat(r.out()).contains("conv2", "tucker2", "in 8, out 16", "25,050 -> 4,210 (5.95x)",
                "1,600,000 -> 279,040 (5.73x)", "test accuracy:", "decomposed", "after 0 epochs of fine-tuning");
        Graph back = OnnxReader.read(file);
        assertThat(back.node("conv2.tucker_core")).isNotNull();
        Tensor y = dev.minnow.engine.graph.Plan.compile(back, Shape.of(1, 1, 28, 28)).runSingle(Tensor.zeros(1, 1, 28, 28));
        assertThat(y.shape()).isEqualTo(Shape.of(1, 10));
    }

    @Test
    void cpReportsItsAlsIterationsAndError(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("decompose", "lenet5", "--cp", "rank=6,iterations=15", "--layers", "conv2", "--embedded",
                "--finetune-epochs", "0", "--out", dir.resolve("cp.mnw").toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> layer = ((List<Map<String, Object>>) j.get("layers")).get(0);
        assertThat(layer.get("nodes")).isEqualTo(List.of("conv2.cp_in", "conv2.cp_vertical",
                "conv2.cp_horizontal", "conv2.cp_out"));
        // rank 6: 6 (20 + 5 + 5 + 50) + 50 = 530 parameters
        assertThat(layer.get("params_after")).isEqualTo(530.0);
        assertThat((Double) layer.get("iterations")).isBetween(1.0, 15.0);
        assertThat((Double) layer.get("relative_error")).isBetween(0.0, 1.0);
        assertThat(layer.get("kept_energy")).isNull();
    }
}
