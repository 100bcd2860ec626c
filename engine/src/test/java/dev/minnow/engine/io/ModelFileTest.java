package dev.minnow.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.Sequential;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {

    static Graph shuffleNet() {
        return Sequential.create("tiny", 3, 3, 8, 8)
                .conv(ConvSpec.of(6, 3)).relu().channelShuffle(3).conv(ConvSpec.of(6, 1).withGroups(3))
                .globalAvgPool().flatten().dense(4).build();
    }

    @Test
    void roundTripKeepsGraphNativeOpsMetadataAndOutputs(@TempDir Path dir) throws IOException {
        Graph g = shuffleNet();
        Path file = dir.resolve("m.mnw");
        ModelFile.save(g, Map.of("recipe", "sgd lr=0.01", "accuracy", "0.91"), file);
        ModelFile.Saved s = ModelFile.load(file);
        assertThat(s.metadata()).containsEntry("recipe", "sgd lr=0.01").containsEntry("accuracy", "0.91");
        assertThat(s.graph().nodes().stream().map(n -> n.op().opType())).contains("ChannelShuffle");
        assertThat(ModelFile.isModelFile(file)).isTrue();
        if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as("a saved model is readable by others, like any file").isEqualTo("rw-r--r--");
        }
        Tensor x = Tensor.zeros(2, 3, 8, 8);
        Init.uniform(x, 1, new Random(1));
        Tensor a = Plan.compile(g, Shape.of(2, 3, 8, 8)).runSingle(x).copy();
        Tensor b = Plan.compile(s.graph(), Shape.of(2, 3, 8, 8)).runSingle(x);
        assertThat(b.contentEquals(a)).isTrue();
    }

    @Test
    void everyCorruptionIsDetected(@TempDir Path dir) throws IOException {
        byte[] ok = ModelFile.toBytes(shuffleNet(), Map.of());
        Random r = new Random(9);
        for (int i = 0; i < 300; i++) {
            byte[] bad = ok.clone();
            int pos = r.nextInt(bad.length);
            bad[pos] ^= (byte) (1 + r.nextInt(255));
            assertThatThrownBy(() -> ModelFile.fromBytes(bad, "m.mnw"))
                    .as("flip at %d", pos).isInstanceOf(ModelFormatException.class).hasMessageStartingWith("m.mnw: ");
        }
        assertThatThrownBy(() -> ModelFile.fromBytes(java.util.Arrays.copyOf(ok, ok.length - 10), "m.mnw"))
                .hasMessageContaining("truncated or corrupt");
        byte[] future = ok.clone();
        future[8] = 7;
        assertThatThrownBy(() -> ModelFile.fromBytes(future, "m.mnw")).hasMessageContaining("format version 7");
        assertThatThrownBy(() -> ModelFile.fromBytes("hello world, not a model".getBytes(), "x"))
                .hasMessageContaining("not a Minnow model file");
    }

    @Test
    void aFailedSaveLeavesThePreviousFileIntact(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.mnw");
        ModelFile.save(shuffleNet(), Map.of("v", "1"), file);
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> AtomicFile.write(file, ch -> {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
            throw new IOException("disk full (simulated)");
        })).hasMessageContaining("disk full");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("m.mnw");
        }
    }
}
