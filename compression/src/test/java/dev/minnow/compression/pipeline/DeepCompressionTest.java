package dev.minnow.compression.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.compression.cluster.KMeansInit;
import dev.minnow.compression.format.MnzFile;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeepCompressionTest {

    /** Three classes of 6x6 images: a bright row, a bright column or a bright diagonal, plus noise. */
    static ImageDataset patterns(int n, long seed) {
        Random r = new Random(seed);
        float[] px = new float[n * 36];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            int k = r.nextInt(6);
            labels[i] = c;
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 6; x++) {
                    boolean on = c == 0 ? y == k : c == 1 ? x == k : x == y;
                    px[i * 36 + y * 6 + x] = (on ? 1f : 0f) + 0.3f * (float) r.nextGaussian();
                }
            }
        }
        return new ImageDataset("patterns", 1, 6, 6, px, labels, 3);
    }

    static Graph mlp() {
        ModelBuilder b = new ModelBuilder("mlp", 1);
        String x = b.flatten(b.input("input", Shape.UNKNOWN, 1, 6, 6));
        x = b.relu(b.dense(x, 40));
        return b.output(b.dense(x, 3)).build();
    }

    @Test
    void theThreeStagesRunAndTheReportAddsUpToTheFile(@TempDir Path dir) throws Exception {
        Graph g = mlp();
        long params = g.parameterCount();
        ImageDataset train = patterns(600, 1);
        ImageDataset test = patterns(200, 2);
        new Trainer(g, TrainConfig.of(5, 32, 0.05f).withThreads(1), new Sgd(0.9f, true, 0f)).fit(train, null);
        DeepCompression.Settings s = new DeepCompression.Settings(PruneSpec.parse("sparsity=0.8,fc2=0.5"), 2, 2, 0.05f,
                BitsSpec.parse("3", new BitsSpec(8, 5, Map.of()), "--cluster", 8), new BitsSpec(8, 4, Map.of()), true,
                KMeansInit.LINEAR, 1, 0.01f, 0.001f, 32, 0.9f, 5e-4f, 1, 1);
        Path out = dir.resolve("mlp.mnz");
        DeepCompression.Result r = DeepCompression.run("mlp", g, Map.of("model", "mlp"), train, test, s, out,
                dir.resolve("hist"), null);
        CompressionReport rep = r.report();

        assertThat(rep.stages()).extracting(CompressionReport.Stage::name).containsExactly("baseline",
                "pruned, step 1/2", "pruned, step 1/2 + retrained", "pruned, step 2/2", "pruned, step 2/2 + retrained",
                "clustered", "clustered + centroids fine-tuned", "decoded from mlp.mnz");
        assertThat(rep.bitIdentical()).isTrue();
        assertThat(rep.bytesAfter()).isEqualTo(Files.size(out));
        assertThat(rep.bytesBefore()).isEqualTo(4 * params);
        assertThat(rep.ratio()).isEqualTo((double) rep.bytesBefore() / rep.bytesAfter());
        // the patterns are easy: the network learns them, and compression keeps it
        assertThat(rep.baselineAccuracy()).isGreaterThan(0.9);
        assertThat(rep.accuracy()).as(rep.table()).isGreaterThan(0.9);

        // pruning: exactly round(s n) weights per layer, and they stay zero through everything
        Tensor fc1 = r.decoded().graph().initializer("fc1.weight");
        Tensor fc2 = r.decoded().graph().initializer("fc2.weight");
        assertThat(zeros(fc1)).isEqualTo(Math.round(0.8 * fc1.size()));
        assertThat(zeros(fc2)).isEqualTo(Math.round(0.5 * fc2.size()));
        assertThat(rep.keptParameters()).isEqualTo(params - zeros(fc1) - zeros(fc2));
        // sharing: at most 2^3 - 1 distinct non-zero values per layer
        assertThat(distinctNonZero(fc1)).isLessThanOrEqualTo(7);
        assertThat(distinctNonZero(fc2)).isLessThanOrEqualTo(7);
        // the decoded graph is the graph the pipeline ended with
        assertThat(g.initializer("fc1.weight").contentEquals(fc1)).isTrue();
        assertThat(MnzFile.load(out).layers()).containsOnlyKeys("fc1.weight", "fc2.weight");

        assertThat(rep.layers()).hasSize(2);
        assertThat(rep.layers().get(0).size().kept()).isEqualTo(fc1.size() - zeros(fc1));
        String table = rep.table();
        assertThat(table).contains("fc1", "fc2", "graph+biases", "header+crc", "total", "decoded from mlp.mnz");
        Map<String, Object> json = rep.toMap();
        assertThat(json).containsKeys("baseline_accuracy", "accuracy", "bytes_before", "bytes_after", "ratio",
                "pruning_ratio", "stages", "layers");

        for (String layer : new String[] {"fc1", "fc2"}) {
            Path svg = dir.resolve("hist").resolve("mlp-" + layer + ".svg");
            assertThat(svg).exists();
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());   // well-formed XML
        }
    }

    private static long zeros(Tensor t) {
        long z = 0;
        for (int i = 0; i < t.size(); i++) {
            z += t.get(i) == 0f ? 1 : 0;
        }
        return z;
    }

    private static int distinctNonZero(Tensor t) {
        Set<Float> s = new HashSet<>();
        for (int i = 0; i < t.size(); i++) {
            if (t.get(i) != 0f) {
                s.add(t.get(i));
            }
        }
        return s.size();
    }
}
