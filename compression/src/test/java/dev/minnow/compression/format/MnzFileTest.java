package dev.minnow.compression.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.compression.cluster.KMeansInit;
import dev.minnow.compression.cluster.SharedWeights;
import dev.minnow.compression.cluster.WeightSharing;
import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnzFileTest {

    /** A small LeNet-5-like graph (conv, pool, conv, fc, fc), pruned at random and clustered. */
    private static Graph net() {
        ModelBuilder b = new ModelBuilder("small", 3);
        String x = b.input("input", Shape.UNKNOWN, 1, 12, 12);
        x = b.maxPool(b.conv(x, ConvSpec.of(4, 3)), 2, 2);
        x = b.conv(x, ConvSpec.of(6, 3));
        x = b.relu(b.dense(b.flatten(x), 30));
        return b.output(b.dense(x, 10)).build();
    }

    private static Map<String, SharedWeights> pruneAndCluster(Graph g, double keep, long seed) {
        Random r = new Random(seed);
        Map<String, Integer> bits = new LinkedHashMap<>();
        bits.put("conv1.weight", 8);
        bits.put("conv2.weight", 8);
        bits.put("fc1.weight", 5);
        bits.put("fc2.weight", 5);
        for (String w : bits.keySet()) {
            Tensor t = g.initializer(w);
            for (int i = 0; i < t.size(); i++) {
                if (r.nextDouble() > keep) {
                    t.data()[i] = 0f;
                }
            }
        }
        return WeightSharing.cluster(g, bits, KMeansInit.LINEAR, 0);
    }

    private static Map<String, Integer> indexBits(Map<String, SharedWeights> layers, int bits) {
        Map<String, Integer> m = new LinkedHashMap<>();
        layers.keySet().forEach(n -> m.put(n, bits));
        return m;
    }

    private static Tensor run(Graph g, Tensor x) {
        return Plan.compile(g, Map.of("input", x.shape()), PlanOptions.inference().withThreads(1)).runSingle(x).copy();
    }

    private static Tensor input() {
        Random r = new Random(4);
        Tensor x = Tensor.zeros(5, 1, 12, 12);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static void assertBitIdentical(Tensor a, Tensor b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        for (int i = 0; i < a.size(); i++) {
            assertThat(Float.floatToRawIntBits(b.get(i))).isEqualTo(Float.floatToRawIntBits(a.get(i)));
        }
    }

    @Test
    void roundTripGivesBackTheSharedWeightsAndBitIdenticalOutputs(@TempDir Path dir) throws Exception {
        for (boolean huffman : new boolean[] {false, true}) {
            Graph g = net();
            Map<String, SharedWeights> layers = pruneAndCluster(g, 0.3, 1);
            Path file = dir.resolve("small-" + huffman + ".mnz");
            MnzFile.Encoded e = MnzFile.save(g, Map.of("normalization", "0.5,0.25"), layers.values(),
                    indexBits(layers, 5), huffman, file);
            assertThat(Files.size(file)).isEqualTo(e.bytes().length);
            assertThat(e.layers().stream().mapToInt(LayerSize::sectionBytes).sum() + e.graphBytes()
                    + e.overheadBytes()).isEqualTo(e.bytes().length);
            assertThat(MnzFile.isCompressedFile(file)).isTrue();

            MnzFile.Loaded loaded = MnzFile.load(file);
            assertThat(loaded.metadata()).containsEntry("normalization", "0.5,0.25");
            assertThat(loaded.graph().inputs()).hasSize(1);
            assertThat(loaded.graph().initializers().keySet()).containsExactlyInAnyOrderElementsOf(
                    g.initializers().keySet());
            for (SharedWeights s : layers.values()) {
                SharedWeights back = loaded.layers().get(s.name());
                assertThat(back.codes()).containsExactly(s.codes());
                assertThat(back.codebook().toFloatArray()).containsExactly(s.codebook().toFloatArray());
                assertThat(loaded.graph().initializer(s.name()).contentEquals(g.initializer(s.name()))).isTrue();
            }
            assertThat(loaded.graph().initializer("fc1.bias").contentEquals(g.initializer("fc1.bias"))).isTrue();
            Tensor x = input();
            assertBitIdentical(run(g, x), run(loaded.graph(), x));
        }
    }

    @Test
    void huffmanCodingMakesTheLayersNoLargerAndTheFixedWidthStreamsHaveTheirExactSize() {
        Graph g = net();
        Map<String, SharedWeights> layers = pruneAndCluster(g, 0.1, 2);
        MnzFile.Encoded fixed = MnzFile.encode(g, Map.of(), layers.values(), indexBits(layers, 4), false);
        MnzFile.Encoded coded = MnzFile.encode(g, Map.of(), layers.values(), indexBits(layers, 4), true);
        assertThat(coded.bytes().length).isLessThanOrEqualTo(fixed.bytes().length);
        for (LayerSize s : fixed.layers()) {
            assertThat(s.gaps().dataBits()).isEqualTo((long) s.entries() * 4);
            assertThat(s.codes().dataBits()).isEqualTo((long) s.entries() * s.bits());
            assertThat(s.gaps().huffman() || s.codes().huffman()).isFalse();
        }
        for (int i = 0; i < coded.layers().size(); i++) {
            assertThat(coded.layers().get(i).sectionBytes()).isLessThanOrEqualTo(fixed.layers().get(i).sectionBytes());
        }
    }

    @Test
    void edgeCasesAllPrunedDenseAndOneCodeLayersRoundTrip() throws Exception {
        Graph g = net();
        Tensor c1 = g.initializer("conv1.weight");
        java.util.Arrays.fill(c1.data(), 0f);                        // everything pruned
        Tensor f2 = g.initializer("fc2.weight");
        java.util.Arrays.fill(f2.data(), 0.125f);                    // dense, a single distinct value
        Map<String, Integer> bits = new LinkedHashMap<>();
        bits.put("conv1.weight", 3);
        bits.put("conv2.weight", 1);                                 // one shared value plus zero
        bits.put("fc1.weight", 8);                                   // dense: no zeros at all
        bits.put("fc2.weight", 2);
        Map<String, SharedWeights> layers = WeightSharing.cluster(g, bits, KMeansInit.KMEANS_PLUS_PLUS, 1);
        for (boolean huffman : new boolean[] {false, true}) {
            MnzFile.Encoded e = MnzFile.encode(g, Map.of(), layers.values(), indexBits(layers, 2), huffman);
            assertThat(e.layers().get(0).entries()).isZero();
            MnzFile.Loaded back = MnzFile.decode(e.bytes(), "edge.mnz");
            for (SharedWeights s : layers.values()) {
                assertThat(back.graph().initializer(s.name()).contentEquals(g.initializer(s.name()))).isTrue();
            }
            assertBitIdentical(run(g, input()), run(back.graph(), input()));
        }
    }

    @Test
    void refusesToWriteWeightsThatDoNotHoldTheirSharedValues() {
        Graph g = net();
        Map<String, SharedWeights> layers = pruneAndCluster(g, 0.5, 3);
        g.initializer("fc1.weight").data()[0] += 1e-3f;
        assertThatThrownBy(() -> MnzFile.encode(g, Map.of(), layers.values(), indexBits(layers, 5), true))
                .hasMessageContaining("does not hold its shared values");
    }

    private static byte[] validFile() {
        Graph g = net();
        Map<String, SharedWeights> layers = pruneAndCluster(g, 0.3, 5);
        return MnzFile.encode(g, Map.of("k", "v"), layers.values(), indexBits(layers, 5), true).bytes();
    }

    @Test
    void wrongMagicVersionLengthAndChecksumAreNamed() {
        byte[] ok = validFile();
        assertThatThrownBy(() -> MnzFile.decode(new byte[] {1, 2, 3}, "x.mnz"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("not a Minnow compressed model");
        byte[] v = ok.clone();
        v[8] = 9;
        assertThatThrownBy(() -> MnzFile.decode(v, "x.mnz")).hasMessageContaining("format version 9 is not supported");
        assertThatThrownBy(() -> MnzFile.decode(java.util.Arrays.copyOf(ok, ok.length - 10), "x.mnz"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("truncated or corrupt");
        byte[] c = ok.clone();
        c[ok.length / 2] ^= 0x10;
        assertThatThrownBy(() -> MnzFile.decode(c, "x.mnz"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("checksum mismatch");
    }

    @Test
    void everyTruncationIsAFormatError() {
        byte[] ok = validFile();
        for (int n = 0; n < ok.length; n += Math.max(1, ok.length / 300)) {
            byte[] cut = java.util.Arrays.copyOf(ok, n);
            assertThatThrownBy(() -> MnzFile.decode(cut, "cut.mnz")).isInstanceOf(ModelFormatException.class);
        }
    }

    /**
     * 600 random mutations (bit flips, byte overwrites, insertions, deletions) must all be caught
     * (by the checksum); 600 more with the checksum recomputed reach the parser, which must answer
     * with a ModelFormatException or a model that is still valid (a changed bias or shared value is
     * still a model), never another exception.
     */
    @Test
    void fuzzedFilesFailWithAFormatErrorAndNothingElse() {
        byte[] ok = validFile();
        Random r = new Random(2024);
        int caughtByParser = 0;
        for (int trial = 0; trial < 1200; trial++) {
            boolean fixCrc = trial >= 600;
            byte[] m = mutate(ok, r);
            if (fixCrc && m.length >= 24) {
                // keep the header's length in step with the file, then re-sign it
                long payload = m.length - 24;
                for (int i = 0; i < 8; i++) {
                    m[12 + i] = (byte) (payload >>> (8 * i));
                }
                CRC32 crc = new CRC32();
                crc.update(m, 0, m.length - 4);
                int v = (int) crc.getValue();
                for (int i = 0; i < 4; i++) {
                    m[m.length - 4 + i] = (byte) (v >>> (8 * i));
                }
            }
            try {
                MnzFile.decode(m, "fuzz.mnz");
                assertThat(fixCrc || java.util.Arrays.equals(m, ok)).as("trial %d decoded a corrupted file", trial).isTrue();
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).startsWith("fuzz.mnz");
                caughtByParser += fixCrc ? 1 : 0;
            } catch (RuntimeException e) {
                throw new AssertionError("trial " + trial + " threw " + e, e);
            }
        }
        assertThat(caughtByParser).as("mutations the parser itself rejected").isGreaterThan(300);
    }

    private static byte[] mutate(byte[] ok, Random r) {
        byte[] m = ok.clone();
        // mostly in the payload, after the header
        int at = 20 + r.nextInt(ok.length - 24);
        switch (r.nextInt(4)) {
            case 0 -> m[at] ^= (byte) (1 << r.nextInt(8));
            case 1 -> m[at] = (byte) r.nextInt(256);
            case 2 -> {
                byte[] n = new byte[m.length + 1];
                System.arraycopy(m, 0, n, 0, at);
                n[at] = (byte) r.nextInt(256);
                System.arraycopy(m, at, n, at + 1, m.length - at);
                m = n;
            }
            default -> {
                byte[] n = new byte[m.length - 1];
                System.arraycopy(m, 0, n, 0, at);
                System.arraycopy(m, at + 1, n, at, m.length - at - 1);
                m = n;
            }
        }
        return m;
    }

    @Test
    void layerSizesReportThePapersColumns() {
        Graph g = net();
        Map<String, SharedWeights> layers = pruneAndCluster(g, 0.2, 6);
        List<LayerSize> sizes = MnzFile.encode(g, Map.of(), layers.values(), indexBits(layers, 5), true).layers();
        LayerSize fc1 = sizes.get(2);
        assertThat(fc1.name()).isEqualTo("fc1.weight");
        assertThat(fc1.elements()).isEqualTo(30 * 6 * 3 * 3);
        assertThat(fc1.kept()).isEqualTo(layers.get("fc1.weight").keptCount());
        assertThat(fc1.entries()).isEqualTo(fc1.kept() + fc1.fillers());
        assertThat(fc1.denseBytes()).isEqualTo(4L * fc1.elements());
        assertThat(fc1.bitsPerWeight()).isGreaterThan(0).isLessThanOrEqualTo(5.0 + 1e-9);
    }
}
