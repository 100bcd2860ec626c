package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.io.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quantize --mode ternary|binary|xnor} end to end on the embedded Fashion-MNIST subset,
 * from a LeNet-5 trained one epoch: the file shrinks, the reported accuracy is the one {@code eval}
 * measures on the written model, and {@code bench} runs it (XnorConv included).
 */
class LowBitQuantizeCommandTest {

    @Test
    void ternaryAndXnorModelsAreSmallerAndRunEverywhere(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("lenet5.mnw");
        CliRun train = CliRun.of("train", "lenet5", "--embedded", "--epochs", "1", "--out", base.toString(), "--json");
        assertThat(train.code()).as(train.err()).isZero();

        Path ternary = dir.resolve("ternary.mnw");
        CliRun q = CliRun.of("quantize", base.toString(), "--mode", "ternary", "--epochs", "1", "--embedded",
                "--threads", "2", "--out", ternary.toString(), "--json");
        assertThat(q.code()).as(q.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(q.out().strip());
        assertThat(j).containsKeys("baseline_accuracy", "accuracy", "bytes_before", "bytes_after", "lowbit_ratio",
                "lowbit_float_bytes", "lowbit_packed_bytes");
        assertThat(j.get("lowbit_layers")).isEqualTo("conv2,fc1");
        assertThat(j.get("epochs")).isEqualTo(1.0);
        double accuracy = ((Number) j.get("accuracy")).doubleValue();
        assertThat(accuracy).isGreaterThan(0.6);
        long before = ((Number) j.get("bytes_before")).longValue();
        long after = ((Number) j.get("bytes_after")).longValue();
        assertThat(after).isEqualTo(Files.size(ternary));
        assertThat(before).as("LeNet-5: 431,080 float parameters").isGreaterThan(1_700_000);
        assertThat(after * 10).as("conv1 and fc2 stay float; the rest is 2 bits per weight").isLessThan(before);
        assertThat(Double.parseDouble((String) j.get("lowbit_ratio"))).isBetween(14.0, 16.0);
        assertThat(j.get("lowbit_float_bytes")).as("conv2 and fc1 as float32").isEqualTo("1700000");
        assertThat(ModelFile.load(ternary).metadata()).containsEntry("quantization", "ternary");

        CliRun eval = CliRun.of("eval", ternary.toString(), "--embedded", "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(((Number) MiniJson.parseObject(eval.out()).get("accuracy")).doubleValue()).isEqualTo(accuracy);

        Path xnor = dir.resolve("xnor.mnw");
        CliRun x = CliRun.of("quantize", base.toString(), "--mode", "xnor", "--epochs", "0", "--embedded",
                "--out", xnor.toString());
        assertThat(x.code()).as(x.err()).isZero();
        assertThat(x.out()).contains("lowbit_layers=conv2(xnor),fc1(xnor)").contains("test accuracy")
                .contains("lowbit_ratio=");
        CliRun bench = CliRun.of("bench", xnor.toString(), "--iterations", "2", "--warmup", "0", "--threads", "1");
        assertThat(bench.code()).as(bench.err()).isZero();
    }

    @Test
    void unknownModesListTheLowBitOnes(@TempDir Path dir) {
        CliRun bad = CliRun.of("quantize", "lenet5", "--mode", "quaternary", "--out", dir.resolve("m.mnw").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.errLine()).contains("ternary, ternary-per-layer, binary, xnor");
    }
}
