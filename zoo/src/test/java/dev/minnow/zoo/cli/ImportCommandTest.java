package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code minnow import} on a small convolutional network written as ONNX. */
class ImportCommandTest {

    @TempDir
    Path dir;

    /** conv 3->4 (3x3, pad 1) + ReLU + global pool + fc 4->5: 4*27+4 + 5*4+5 = 137 parameters. */
    private static Graph smallCnn(int side) {
        ModelBuilder b = new ModelBuilder("small_cnn", 3);
        String x = b.input("input", Shape.UNKNOWN, 3, side, side);
        x = b.relu(b.conv(x, ConvSpec.same(4, 3)));
        return b.output(b.dense(b.flatten(b.globalAvgPool(x)), 5)).build();
    }

    private Path onnx(Graph g, String name) throws Exception {
        Path file = dir.resolve(name);
        OnnxWriter.write(g, file);
        return file;
    }

    @Test
    void convertsToANativeFileThatComputesTheSame() throws Exception {
        Graph g = smallCnn(8);
        Path source = onnx(g, "small.onnx");
        Path target = dir.resolve("out/small.mnw");
        Files.createDirectories(target.getParent());
        CliRun r = CliRun.of("import", source.toString(), "--out", target.toString(), "--json");
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        Map<String, Object> j = MiniJson.parseObject(r.out().strip());
        assertThat(j).containsKeys("source", "output", "opset", "graph", "inputs", "nodes", "params", "macs", "bytes");
        assertThat(j.get("params")).isEqualTo(137.0);
        // conv: 8*8 positions x 4 filters x 27; fc: 5 x 4
        assertThat(j.get("macs")).isEqualTo(8 * 8 * 4 * 27 + 20.0);
        assertThat(j.get("nodes")).isEqualTo((double) g.nodes().size());
        assertThat(j.get("bytes")).isEqualTo((double) Files.size(target));

        ModelFile.Saved saved = ModelFile.load(target);
        assertThat(saved.metadata()).containsEntry("minnow.imported_from", "small.onnx");
        Tensor x = Tensor.zeros(2, 3, 8, 8);
        Random random = new Random(1);
        for (int i = 0; i < x.size(); i++) {
            x.data()[x.offset() + i] = random.nextFloat() - 0.5f;
        }
        float[] expected = Plan.compile(g, x.shape()).runSingle(x).toFloatArray();
        assertThat(Plan.compile(saved.graph(), x.shape()).runSingle(x).toFloatArray()).containsExactly(expected);
    }

    @Test
    void textReportAndDefaultOutputName() throws Exception {
        Path source = onnx(smallCnn(8), "net.onnx");
        CliRun r = CliRun.of("import", source.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path target = dir.resolve("net.mnw");
        assertThat(target).isRegularFile();
        assertThat(r.out()).contains("imported " + source + " (ONNX opset 13, graph 'small_cnn') into " + target,
                "137 parameters", "at input 'input' [1, 3, 8, 8]", "wrote ");
    }

    @Test
    void aModelThatCannotBePlannedAtItsDeclaredShapeAsksForAnInputShape() throws Exception {
        // unknown height and width become 1, too small for a 3x3 convolution without padding
        Graph g = Graph.builder("unsized").input("input", Shape.UNKNOWN, 3, Shape.UNKNOWN, Shape.UNKNOWN)
                .initializer("w", Tensor.zeros(2, 3, 3, 3))
                .node("conv", Conv.of2d(3, 1, 0), java.util.List.of("input", "w"), java.util.List.of("y"))
                .output("y").build();
        Path source = onnx(g, "unsized.onnx");
        CliRun r = CliRun.of("import", source.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLine()).contains("Minnow cannot plan", "give it with --input-shape");
        assertThat(dir.resolve("unsized.mnw")).doesNotExist();
        CliRun sized = CliRun.of("import", source.toString(), "--input-shape", "1,3,5,5", "--json");
        assertThat(sized.code()).as(sized.err()).isZero();
        assertThat(MiniJson.parseObject(sized.out().strip()).get("inputs")).isEqualTo(
                Map.of("input", java.util.List.of(1.0, 3.0, 5.0, 5.0)));
    }

    @Test
    void refusesNativeFilesAndMissingOnes() throws Exception {
        Path source = onnx(smallCnn(8), "a.onnx");
        assertThat(CliRun.of("import", source.toString()).code()).isZero();
        CliRun again = CliRun.of("import", dir.resolve("a.mnw").toString(), "--out", dir.resolve("b.mnw").toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.errLine()).contains("is already a Minnow model file");
        CliRun absent = CliRun.of("import", dir.resolve("absent.onnx").toString());
        assertThat(absent.code()).isEqualTo(2);
        assertThat(absent.errLine()).contains("no such file");
        CliRun noArgument = CliRun.of("import");
        assertThat(noArgument.code()).isEqualTo(2);
        assertThat(noArgument.errLine()).contains("missing MODEL.onnx");
    }
}
