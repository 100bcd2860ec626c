package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.tensor.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minnow quantize} on the embedded subset: int8, fp16, int16, QAT and ONNX output, and what run/eval/bench make of the files. */
class QuantizeCommandTest {

    @TempDir
    Path dir;

    @Test
    void badArgumentsAreUsageErrors() {
        String out = dir.resolve("q.mnw").toString();
        CliRun r = CliRun.of("quantize", "lenet5", "--mode", "int4", "--out", out, "--embedded");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLine()).contains("--mode must be one of int8, int8-per-tensor, int8-qat, fp16, int16, ")
                .contains("got 'int4'");
        assertThat(CliRun.of("quantize", "lenet5", "--embedded").errLine()).contains("--out FILE is required");
        assertThat(CliRun.of("quantize", "lenet5", "--observer", "kl", "--out", out, "--embedded").errLine())
                .contains("unknown observer 'kl'");
        assertThat(CliRun.of("quantize", "--help").out()).contains("Modes:")
                .containsPattern("  int8-qat +int8 after quantization-aware training").contains("IEEE half precision");
        assertThat(Files.exists(dir.resolve("q.mnw"))).isFalse();
    }

    @Test
    void int8AndFp16OfATrainedLeNet5AreSmallerAndAsAccurate() throws Exception {
        Path model = dir.resolve("lenet5.mnw");
        CliRun t = CliRun.of("train", "lenet5", "--embedded", "--epochs", "1", "--threads", "2", "--out", model.toString());
        assertThat(t.code()).as(t.err()).isZero();

        Path int8 = dir.resolve("lenet5-int8.mnw");
        CliRun q = CliRun.of("quantize", model.toString(), "--embedded", "--calibrate", "2", "--threads", "2",
                "--out", int8.toString(), "--json", "--histograms", dir.resolve("h").toString());
        assertThat(q.code()).as(q.err()).isZero();
        assertThat(Files.readString(dir.resolve("h/lenet5-conv2-int8.svg"))).contains("<svg").contains("int8 (S2 * q)");
        Map<String, Object> j = MiniJson.parseObject(q.out().strip());
        assertThat(j).containsKeys("baseline_accuracy", "accuracy", "bytes_before", "bytes_after", "size_ratio");
        assertThat(j.get("mode")).isEqualTo("int8");
        double base = (Double) j.get("baseline_accuracy");
        double acc = (Double) j.get("accuracy");
        assertThat(base).isGreaterThan(0.6);
        assertThat(acc).isCloseTo(base, within(0.02));
        assertThat((Double) j.get("bytes_after")).isEqualTo((double) Files.size(int8));
        assertThat((Double) j.get("size_ratio")).isBetween(3.5, 4.05);
        Graph g = ModelFile.load(int8).graph();
        assertThat(g.nodes()).anyMatch(n -> n.op().opType().equals("QLinearConv"));

        // eval, run and bench take the quantized file like any model
        CliRun eval = CliRun.of("eval", int8.toString(), "--embedded", "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat((Double) MiniJson.parseObject(eval.out().strip()).get("accuracy")).isEqualTo(acc, within(1e-9));
        CliRun bench = CliRun.of("bench", int8.toString(), "--iterations", "2", "--warmup", "0", "--threads", "1");
        assertThat(bench.code()).as(bench.err()).isZero();

        Path fp16 = dir.resolve("lenet5-fp16.mnw");
        CliRun h = CliRun.of("quantize", model.toString(), "--mode", "fp16", "--embedded", "--out", fp16.toString(),
                "--json");
        assertThat(h.code()).as(h.err()).isZero();
        Map<String, Object> jh = MiniJson.parseObject(h.out().strip());
        assertThat((Double) jh.get("size_ratio")).isBetween(1.95, 2.01);
        assertThat((Double) jh.get("accuracy")).isCloseTo(base, within(0.003));
        assertThat(ModelFile.load(fp16).graph().initializers().values()).anyMatch(v -> v.type() == DataType.FLOAT16);
        CliRun evalHalf = CliRun.of("eval", fp16.toString(), "--embedded", "--json");
        assertThat(evalHalf.code()).as(evalHalf.err()).isZero();
        assertThat((Double) MiniJson.parseObject(evalHalf.out().strip()).get("accuracy"))
                .isEqualTo((Double) jh.get("accuracy"), within(1e-9));

        Path int16 = dir.resolve("lenet5-int16.mnw");
        CliRun i16 = CliRun.of("quantize", model.toString(), "--mode", "int16", "--embedded", "--out", int16.toString(),
                "--json");
        assertThat(i16.code()).as(i16.err()).isZero();
        assertThat((Double) MiniJson.parseObject(i16.out().strip()).get("size_ratio")).isBetween(1.95, 2.01);

        // standard ONNX: no native ops left
        Path onnx = dir.resolve("lenet5-int8.onnx");
        CliRun o = CliRun.of("quantize", model.toString(), "--embedded", "--calibrate", "2", "--out", onnx.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("test accuracy").contains("bytes");
        Graph std = OnnxReader.read(onnx);
        assertThat(std.nodes()).allSatisfy(n -> assertThat(n.op().domain()).isEmpty());
        assertThat(std.nodes()).anyMatch(n -> n.op().opType().equals("QLinearConv"));
    }

    @Test
    void quantizationAwareTrainingTrainsAndConverts() throws Exception {
        Path out = dir.resolve("lenet300-qat.mnw");
        CliRun r = CliRun.of("quantize", "lenet300", "--mode", "int8-qat", "--epochs", "1", "--lr", "0.05", "--embedded",
                "--calibrate", "2", "--threads", "2", "--out", out.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out().strip());
        // an untrained network, trained one epoch with fake quantization, then converted
        assertThat((Double) j.get("accuracy")).isGreaterThan(0.6);
        assertThat(j.get("epochs")).isEqualTo(1.0);
        assertThat(ModelFile.load(out).graph().nodes()).anyMatch(n -> n.op().opType().equals("QGemm"));
    }
}
