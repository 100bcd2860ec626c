package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.compression.report.ParetoFront;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.zoo.models.Zoo;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code minnow compare} on the embedded subset: a trained LeNet-300-100, the same network
 * untrained in a file of exactly the same size (so it is dominated on bytes), and the trained one
 * with fp16 weights (half the bytes, so it is on the bytes front).
 */
class CompareCommandTest {

    @Test
    void reportsEachModelsFiguresAndTheParetoFronts(@TempDir Path dir) throws Exception {
        Path trained = dir.resolve("trained.mnw");
        CliRun train = CliRun.of("train", "lenet300", "--embedded", "--epochs", "1", "--threads", "2", "--out",
                trained.toString());
        assertThat(train.code()).as(train.err()).isZero();
        ModelFile.Saved saved = ModelFile.load(trained);
        Path untrained = dir.resolve("untrained.mnw");
        ModelFile.save(Zoo.build("lenet300", 10, 1, 28, 28, 99), saved.metadata(), untrained);
        Path half = dir.resolve("half.mnw");
        CliRun q = CliRun.of("quantize", trained.toString(), "--mode", "fp16", "--embedded", "--out", half.toString());
        assertThat(q.code()).as(q.err()).isZero();
        assertThat(Files.size(untrained)).isEqualTo(Files.size(trained));

        Path svg = dir.resolve("front.svg");
        CliRun r = CliRun.of("compare", trained.toString(), untrained.toString(), half.toString(), "--embedded",
                "--threads", "1", "--iterations", "3", "--warmup-time", "0", "--svg", svg.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> models = (List<Map<String, Object>>) j.get("models");
        assertThat(models).extracting(m -> m.get("model")).containsExactly("trained.mnw", "untrained.mnw", "half.mnw");

        // the accuracy is eval's, the bytes are the file's, the MACs LeNet-300-100's 784*300 + 300*100 + 100*10
        CliRun eval = CliRun.of("eval", trained.toString(), "--embedded", "--json");
        assertThat(models.get(0).get("accuracy")).isEqualTo(MiniJson.parseObject(eval.out()).get("accuracy"));
        assertThat(((Number) models.get(0).get("bytes")).longValue()).isEqualTo(Files.size(trained));
        assertThat(((Number) models.get(2).get("bytes")).longValue()).isEqualTo(Files.size(half));
        assertThat(((Number) models.get(0).get("macs")).longValue()).isEqualTo(784 * 300 + 300 * 100 + 100 * 10);
        assertThat((Double) models.get(0).get("accuracy")).isGreaterThan(0.6);
        assertThat((Double) models.get(0).get("median_ms")).isPositive();

        // same size, worse: off the bytes front; the smallest file: on it
        assertThat(models.get(1).get("pareto_bytes")).isEqualTo(false);
        assertThat(models.get(2).get("pareto_bytes")).isEqualTo(true);
        double[] acc = models.stream().mapToDouble(m -> (Double) m.get("accuracy")).toArray();
        double[] bytes = models.stream().mapToDouble(m -> ((Number) m.get("bytes")).doubleValue()).toArray();
        double[] ms = models.stream().mapToDouble(m -> (Double) m.get("median_ms")).toArray();
        boolean[] onBytes = ParetoFront.members(acc, bytes);
        boolean[] onLatency = ParetoFront.members(acc, ms);
        for (int i = 0; i < 3; i++) {
            assertThat(models.get(i).get("pareto_bytes")).isEqualTo(onBytes[i]);
            assertThat(models.get(i).get("pareto_latency")).isEqualTo(onLatency[i]);
        }

        String text = Files.readString(svg);
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(text).contains("trained.mnw", "untrained.mnw", "half.mnw", "Pareto front", "log scale");
    }

    @Test
    void aMissingFileIsABadInputAndHelpHasExamples() {
        CliRun r = CliRun.of("compare", "/no/such/model.mnw", "--embedded");
        assertThat(r.code()).isEqualTo(CliException.BAD_INPUT);
        assertThat(r.errLine()).contains("/no/such/model.mnw");
        CliRun help = CliRun.of("compare", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Pareto front", "minnow compare", "--svg");
    }
}
