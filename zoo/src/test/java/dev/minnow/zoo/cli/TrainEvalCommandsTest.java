package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.io.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train}, {@code eval} and {@code demo} end to end on the embedded Fashion-MNIST subset:
 * a short run must learn (far above the 10 % of chance), save a model whose metadata records the
 * recipe, and {@code eval} must reproduce the accuracy {@code train} reported.
 */
class TrainEvalCommandsTest {

    @Test
    void trainSavesAModelThatEvalScoresTheSame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lenet300.mnw");
        CliRun train = CliRun.of("train", "lenet300", "--embedded", "--epochs", "2", "--out", file.toString(), "--json");
        assertThat(train.code()).as(train.err()).isEqualTo(0);
        Map<String, Object> t = MiniJson.parseObject(train.out());
        double accuracy = ((Number) t.get("accuracy")).doubleValue();
        assertThat(accuracy).isGreaterThan(0.70);
        assertThat(t).containsKeys("loss", "samples", "epochs", "seconds_per_epoch_median", "history", "recipe");
        assertThat((List<?>) t.get("history")).hasSize(2);

        ModelFile.Saved saved = ModelFile.load(file);
        assertThat(saved.metadata()).containsKeys("recipe", "normalization", "test_accuracy")
                .containsEntry("model", "lenet300");

        CliRun eval = CliRun.of("eval", file.toString(), "--embedded", "--json");
        assertThat(eval.code()).as(eval.err()).isEqualTo(0);
        Map<String, Object> e = MiniJson.parseObject(eval.out());
        assertThat(((Number) e.get("accuracy")).doubleValue()).isEqualTo(accuracy);
        assertThat(((Number) e.get("samples")).intValue()).isEqualTo(1000);
    }

    @Test
    void demoTrainsLeNet5OnTheBundledSubset(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("demo.mnw");
        CliRun demo = CliRun.of("demo", "--epochs", "1", "--out", file.toString(), "--json");
        assertThat(demo.code()).as(demo.err()).isEqualTo(0);
        Map<String, Object> d = MiniJson.parseObject(demo.out());
        assertThat(((Number) d.get("accuracy")).doubleValue()).isGreaterThan(0.70);
        assertThat(Files.exists(file)).isTrue();
        assertThat(demo.err()).contains("LeNet-5 (431,080 parameters)");
    }

    @Test
    void badUsageIsReported(@TempDir Path dir) {
        assertThat(CliRun.of("train", "lenet5", "--embedded").errLine()).contains("--out FILE is required");
        assertThat(CliRun.of("train", "nosuchnet", "--out", "x.mnw").errLine()).contains("unknown model 'nosuchnet'");
        CliRun both = CliRun.of("train", "lenet300", "--embedded", "--data", dir.toString(), "--out",
                dir.resolve("m.mnw").toString());
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.errLine()).contains("either --data or --embedded");
        CliRun missing = CliRun.of("train", "lenet300", "--data", dir.resolve("nothing").toString(), "--out",
                dir.resolve("m.mnw").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.errLine()).contains("Fashion-MNIST not found").contains("apt-get install dataset-fashion-mnist");
    }

    @Test
    void trainKnowsTheExperimentModelsAndNamesThemWhenTheModelIsUnknown(@TempDir Path dir) throws Exception {
        for (String name : List.of("tiny_mobilenet", "tiny_shufflenet", "tiny_squeezenet", "tiny_vgg")) {
            Path file = dir.resolve(name + ".mnw");
            CliRun r = CliRun.of("train", name, "--embedded", "--epochs", "0", "--threads", "1", "--out", file.toString());
            assertThat(r.code()).as(name + ": " + r.err()).isZero();
            assertThat(ModelFile.load(file).metadata()).containsEntry("model", name);
        }
        assertThat(CliRun.of("train", "tiny_nothing", "--out", "x.mnw").errLine())
                .contains("tiny_mobilenet, tiny_shufflenet, tiny_squeezenet, tiny_vgg");
    }
}
