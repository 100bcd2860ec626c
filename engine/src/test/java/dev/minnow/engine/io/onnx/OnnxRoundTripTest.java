package dev.minnow.engine.io.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export, import, run: the same outputs bit for bit, on a network that uses every kind of layer the
 * model builder offers (strided, padded, dilated, grouped and depthwise convolutions, BN, LRN, max
 * and average pooling with ceil mode, residual add, concat, channel shuffle, ReLU6, dropout, dense).
 */
class OnnxRoundTripTest {

    static Graph everyLayer() {
        ModelBuilder b = new ModelBuilder("every-layer", 11);
        String x = b.input("input", Shape.UNKNOWN, 3, 17, 17);
        String c1 = b.relu(b.batchNorm(b.conv(x, ConvSpec.same(12, 3).withStride(2))));
        String lrn = b.lrn(c1, 5, 1e-4f, 0.75f, 1f);
        String dil = b.conv(lrn, ConvSpec.of(12, 3).withPad(2).withDilation(2).withGroups(4));
        String res = b.relu(b.add(dil, lrn));
        String dw = b.relu6(b.conv(res, ConvSpec.same(24, 3).withGroups(12)));
        String pw = b.conv(res, ConvSpec.of(12, 1));
        String cat = b.channelShuffle(b.concat(dw, pw), 3);
        String pooled = b.maxPool(cat, 3, 2, 0, true);
        String avg = b.avgPool(pooled, 2, 1, 1);
        String flat = b.flatten(b.dropout(avg, 0.3f));
        String out = b.softmax(b.dense(b.relu(b.dense(flat, 20)), 7));
        Graph g = b.output(out).build();
        // non-trivial BN statistics so that the fold-free path is exercised
        Random r = new Random(3);
        Init.uniform(g.initializer("bn1.running_mean"), 0.5, r);
        Init.uniform(g.initializer("bn1.weight"), 2, r);
        return g;
    }

    @Test
    void exportImportRunIsBitIdentical(@TempDir Path dir) throws IOException {
        Graph original = everyLayer();
        Path file = dir.resolve("every-layer.onnx");
        OnnxWriter.write(original, file);
        Graph imported = OnnxReader.read(file);

        assertThat(imported.nodes().stream().map(n -> n.op().opType()).toList())
                .containsAll(original.nodes().stream().map(Node::op).map(o -> o.opType())
                        .filter(t -> !t.equals("ChannelShuffle")).toList());
        Tensor input = Tensor.zeros(2, 3, 17, 17);
        Init.uniform(input, 1, new Random(5));
        Tensor expected = Plan.compile(original, Shape.of(2, 3, 17, 17)).runSingle(input).copy();
        Tensor actual = Plan.compile(imported, Shape.of(2, 3, 17, 17)).runSingle(input);
        assertThat(actual.shape()).isEqualTo(Shape.of(2, 7));
        assertThat(actual.contentEquals(expected)).as("outputs identical bit for bit").isTrue();
        assertThat(imported.parameterCount()).isGreaterThanOrEqualTo(original.parameterCount());
    }
}
