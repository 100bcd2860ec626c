package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.zoo.image.ImageNetClasses;
import dev.minnow.zoo.image.ImagePreprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code minnow classify} on a tiny classifier (global average pool, then a fully connected
 * layer), whose probabilities the test works out again from the preprocessed picture.
 */
class ClassifyCommandTest {

    @TempDir
    Path dir;

    /** Input [N, 3, side, side] -> per-channel mean -> Gemm to {@code classes} logits. */
    static Graph tinyClassifier(int classes, int side) {
        ModelBuilder b = new ModelBuilder("tiny", 7);
        String x = b.input("input", Shape.UNKNOWN, 3, side, side);
        return b.output(b.dense(b.flatten(b.globalAvgPool(x)), classes, "fc")).build();
    }

    private Path save(Graph g) throws Exception {
        Path file = dir.resolve(g.name() + ".mnw");
        ModelFile.save(g, Map.of(), file);
        return file;
    }

    static Path picture(String name) throws Exception {
        return Path.of(ClassifyCommandTest.class.getResource("/dev/minnow/zoo/image/" + name).toURI());
    }

    @Test
    void jsonGivesTheTopFiveWithImageNetNamesAndTheRightProbabilities() throws Exception {
        Graph g = tinyClassifier(1000, 224);
        Path model = save(g);
        Path landscape = picture("landscape.png");
        Path portrait = picture("portrait.png");
        CliRun r = CliRun.of("classify", model.toString(), landscape.toString(), portrait.toString(), "--json",
                "--threads", "1");
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out().strip());
        assertThat(j).containsKeys("model", "resize", "crop", "images");
        assertThat(j.get("crop")).isEqualTo(224.0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> images = (List<Map<String, Object>>) j.get("images");
        assertThat(images).hasSize(2);
        assertThat(images.get(0).get("image")).isEqualTo(landscape.toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> top = (List<Map<String, Object>>) images.get(0).get("top5");
        assertThat(top).hasSize(5);
        double[] expected = probabilities(g, ImagePreprocessing.IMAGENET.apply(ImagePreprocessing.read(landscape)));
        double previous = 1;
        for (Map<String, Object> guess : top) {
            assertThat(guess).containsOnlyKeys("index", "name", "probability");
            int index = ((Double) guess.get("index")).intValue();
            double p = (Double) guess.get("probability");
            assertThat(guess.get("name")).isEqualTo(ImageNetClasses.name(index));
            assertThat(p).isCloseTo(expected[index], within(1e-6)).isLessThanOrEqualTo(previous);
            previous = p;
        }
        int best = 0;
        for (int i = 1; i < expected.length; i++) {
            best = expected[i] > expected[best] ? i : best;
        }
        assertThat(((Double) top.get(0).get("index")).intValue()).isEqualTo(best);
    }

    /** The tiny classifier by hand: channel means, W m + b, softmax. */
    private static double[] probabilities(Graph g, Tensor x) {
        Tensor w = g.initializer("fc.weight");
        Tensor b = g.initializer("fc.bias");
        int plane = 224 * 224;
        double[] mean = new double[3];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                mean[c] += x.data()[x.offset() + c * plane + i];
            }
            mean[c] /= plane;
        }
        int classes = w.shape().dim(0);
        double[] z = new double[classes];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
            z[k] = b.data()[b.offset() + k];
            for (int c = 0; c < 3; c++) {
                z[k] += w.data()[w.offset() + k * 3 + c] * mean[c];
            }
            max = Math.max(max, z[k]);
        }
        double sum = 0;
        for (int k = 0; k < classes; k++) {
            z[k] = Math.exp(z[k] - max);
            sum += z[k];
        }
        for (int k = 0; k < classes; k++) {
            z[k] /= sum;
        }
        return z;
    }

    @Test
    void textShowsIndicesForAModelWithoutImageNetsClassesAndHonoursTop() throws Exception {
        Path model = save(tinyClassifier(10, 32));
        CliRun r = CliRun.of("classify", model.toString(), picture("landscape.png").toString(), "--top", "3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("resize 37, centre crop 32", "10 outputs, not ImageNet's 1000", "landscape.png:",
                "  1. ", "  3. ").doesNotContain("  4. ");
        assertThat(r.out()).containsPattern("  1\\. +[0-9.]+ %  +[0-9] +class [0-9]");
    }

    @Test
    void aZooNameWorksWithAWarningAboutItsRandomWeights() throws Exception {
        CliRun r = CliRun.of("classify", "squeezenet1_1", picture("portrait.png").toString(), "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.errLine()).contains("warning: 'squeezenet1_1' is the zoo architecture with random weights");
        assertThat(r.out()).contains("resize 256, centre crop 224", "portrait.png:", "  5. ");
    }

    @Test
    void mistakesAreOneLineWithExitCodeTwo() throws Exception {
        Path model = save(tinyClassifier(10, 32));
        CliRun noImage = CliRun.of("classify", model.toString());
        assertThat(noImage.code()).isEqualTo(2);
        assertThat(noImage.errLine()).contains("missing IMAGE");
        CliRun gray = CliRun.of("classify", "lenet5", picture("landscape.png").toString());
        assertThat(gray.code()).isEqualTo(2);
        assertThat(gray.errLine()).contains("needs a model taking RGB images, FLOAT [N, 3, H, W]");
        Path text = Files.writeString(dir.resolve("cat.jpg"), "meow");
        CliRun notAPicture = CliRun.of("classify", model.toString(), text.toString());
        assertThat(notAPicture.code()).isEqualTo(2);
        assertThat(notAPicture.errLine()).contains("cat.jpg: not an image javax.imageio can read");
        CliRun absent = CliRun.of("classify", model.toString(), dir.resolve("absent.png").toString());
        assertThat(absent.code()).isEqualTo(2);
        assertThat(absent.errLine()).contains("no such file");
        assertThat(CliRun.of("classify", "--help").out()).contains("Usage: minnow classify MODEL IMAGE... [options]");
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        double[] p = ClassifyCommand.softmax(new float[] {1000, 1000, 998});
        assertThat(p[0]).isCloseTo(1 / (2 + Math.exp(-2)), within(1e-12));
        assertThat(p[2]).isCloseTo(Math.exp(-2) / (2 + Math.exp(-2)), within(1e-12));
    }
}
