package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minnow bench} through Main on tiny ONNX files written with OnnxWriter. */
class BenchCommandTest {

    @TempDir
    Path dir;

    /** conv 3x3 (2 -> 4 channels) and ReLU on [N, 2, 6, 6]. */
    private Path convModel() throws Exception {
        ModelBuilder b = new ModelBuilder("tiny", 1);
        String x = b.input("x", Shape.UNKNOWN, 2, 6, 6);
        Graph g = b.output(b.relu(b.conv(x, ConvSpec.same(4, 3)))).build();
        Path file = dir.resolve("tiny.onnx");
        OnnxWriter.write(g, file);
        return file;
    }

    private Path write(Graph g, String name) throws Exception {
        Path file = dir.resolve(name);
        OnnxWriter.write(g, file);
        return file;
    }

    @Test
    void jsonHasTheFiguresAndTheSettings() throws Exception {
        Path model = convModel();
        CliRun r = CliRun.of("bench", model.toString(), "--batch", "3", "--threads", "1", "--iterations", "7",
                "--warmup", "2", "--warmup-time", "0", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).doesNotContain("\n");
        Map<String, Object> j = MiniJson.parseObject(r.out().strip());
        assertThat(j).containsKeys("median_ms", "p90_ms", "images_per_s", "batch", "threads", "iterations", "model",
                "kernels");
        assertThat(j.get("model")).isEqualTo(model.toString());
        assertThat(j.get("batch")).isEqualTo(3.0);
        assertThat(j.get("threads")).isEqualTo(1.0);
        assertThat(j.get("iterations")).isEqualTo(7.0);
        assertThat(j.get("warmup")).isEqualTo(2.0);
        assertThat(j.get("kernels")).isEqualTo(KernelProvider.kernels().name());
        assertThat(j.get("input_shapes")).isEqualTo(Map.of("x", List.of(3.0, 2.0, 6.0, 6.0)));
        double median = (Double) j.get("median_ms");
        double p90 = (Double) j.get("p90_ms");
        assertThat(median).isPositive();
        assertThat(p90).isGreaterThanOrEqualTo(median);
        assertThat((Double) j.get("images_per_s")).isCloseTo(3 * 1000.0 / median, within(1e-6 * 3000 / median));
        Boolean python = MiniJson.pythonAccepts(r.out());
        assertThat(python == null || python).isTrue();
    }

    @Test
    void textReportsMedianP90AndThroughput() throws Exception {
        CliRun r = CliRun.of("bench", convModel().toString(), "--iterations", "3", "--warmup", "0", "--warmup-time", "0",
                "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("input 'x' [1, 2, 6, 6]", "2 threads", "0 warm-up runs, 3 timed runs",
                "images/s (batch 1)").containsPattern("median \\d+\\.\\d{3} ms, p90 \\d+\\.\\d{3} ms");
    }

    @Test
    void badCountsAreUsageErrors() throws Exception {
        String model = convModel().toString();
        CliRun zero = CliRun.of("bench", model, "--iterations", "0");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.errLine()).isEqualTo("minnow: bench: --iterations expects a whole number of at least 1, got '0'"
                + " (see minnow bench --help)");
        CliRun batch = CliRun.of("bench", model, "--batch", "two");
        assertThat(batch.code()).isEqualTo(2);
        assertThat(batch.errLine()).contains("--batch expects a whole number of at least 1, got 'two'");
        CliRun warmup = CliRun.of("bench", model, "--warmup", "-1");
        assertThat(warmup.code()).isEqualTo(2);
        assertThat(warmup.errLine()).contains("--warmup expects a whole number of at least 0");
    }

    @Test
    void aMissingModelOrArgumentIsReported() {
        CliRun none = CliRun.of("bench");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.errLine()).contains("missing MODEL");
        CliRun missing = CliRun.of("bench", dir.resolve("nope.onnx").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.errLine()).contains("no such file: " + dir.resolve("nope.onnx"));
    }

    @Test
    void unknownDimensionsBesidesTheBatchNeedAnInputShape() throws Exception {
        Graph g = Graph.builder("relu").input("x", Shape.UNKNOWN, Shape.UNKNOWN)
                .node("relu", new Relu(), List.of("x"), List.of("y")).output("y").build();
        Path model = write(g, "relu.onnx");
        CliRun without = CliRun.of("bench", model.toString(), "--iterations", "1", "--warmup-time", "0");
        assertThat(without.code()).isEqualTo(2);
        assertThat(without.errLine()).contains("input 'x' is declared as", "--input-shape");

        CliRun with = CliRun.of("bench", model.toString(), "--input-shape", "4,5", "--iterations", "2", "--warmup-time", "0", "--json");
        assertThat(with.code()).as(with.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(with.out().strip());
        assertThat(j.get("batch")).isEqualTo(4.0);
        assertThat(j.get("input_shapes")).isEqualTo(Map.of("x", List.of(4.0, 5.0)));

        CliRun conflict = CliRun.of("bench", model.toString(), "--input-shape", "4,5", "--batch", "2");
        assertThat(conflict.code()).isEqualTo(2);
        assertThat(conflict.errLine()).contains("--batch 2 contradicts --input-shape [4, 5]");
    }

    @Test
    void aFixedBatchCannotBeChanged() throws Exception {
        Graph g = Graph.builder("relu").input("x", 2, 3)
                .node("relu", new Relu(), List.of("x"), List.of("y")).output("y").build();
        Path model = write(g, "fixed.onnx");
        CliRun r = CliRun.of("bench", model.toString(), "--batch", "5");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLine()).contains("fixed batch size", "--batch 5 cannot apply");
        CliRun ok = CliRun.of("bench", model.toString(), "--iterations", "1", "--warmup-time", "0", "--json");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(MiniJson.parseObject(ok.out().strip()).get("batch")).isEqualTo(2.0);
    }

    @Test
    void percentilesUseTheNearestRank() {
        double[] ten = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
        assertThat(BenchCommand.percentile(ten, 50)).isEqualTo(5);
        assertThat(BenchCommand.percentile(ten, 90)).isEqualTo(9);
        double[] three = {3, 1, 2};
        assertThat(BenchCommand.percentile(three, 50)).isEqualTo(2);
        assertThat(BenchCommand.percentile(three, 90)).isEqualTo(3);
        assertThat(BenchCommand.percentile(new double[] {4}, 90)).isEqualTo(4);
    }

    @Test
    void benchIsListedInTheHelp() {
        CliRun r = CliRun.of("--help");
        assertThat(r.out()).contains("bench ");
        CliRun help = CliRun.of("bench", "--help");
        assertThat(help.out()).contains("Usage: minnow bench MODEL", "--iterations N", "--warmup N", "--batch B");
    }
}
