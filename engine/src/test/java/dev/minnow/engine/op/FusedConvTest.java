package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.Sequential;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A convolution with a fused activation equals the convolution followed by the activation node. */
class FusedConvTest {

    /** Replaces every Conv followed by its activation with one fused Conv (what the fusion pass does). */
    static Graph fuse(Graph g, String activationOp, Activation act) {
        Graph.Builder b = g.toBuilder();
        for (Node n : g.nodes()) {
            if (n.op().opType().equals(activationOp)) {
                Node conv = g.producer(n.input(0));
                if (conv != null && conv.op() instanceof Conv c && c.activation() == null
                        && g.consumers(conv.output()).size() == 1) {
                    b.removeNode(n.name());
                    b.replaceNode(new Node(conv.name(), c.withActivation(act), conv.inputs(), n.outputs()));
                }
            }
        }
        return b.build();
    }

    static Graph net(boolean relu6, boolean leaky) {
        Sequential s = Sequential.create("net", 3, 3, 13, 11).conv(ConvSpec.same(8, 3));
        s = relu6 ? s.relu6() : s.relu();
        s = s.conv(ConvSpec.same(8, 3).withGroups(8)).relu().conv(ConvSpec.of(6, 1)).relu();
        if (leaky) {
            s.builder().add("leaky1", new LeakyRelu(0.1f), List.of(s.current()));
            s.from("leaky1");
        }
        return s.globalAvgPool().flatten().dense(4).build();
    }

    @Test
    void fusedEqualsUnfusedForReluRelu6AndLeakyRelu() throws Exception {
        Tensor x = Tensor.zeros(2, 3, 13, 11);
        Init.uniform(x, 1, new Random(1));
        for (int variant = 0; variant < 3; variant++) {
            Graph plain = net(variant == 1, variant == 2);
            Graph fused = fuse(plain, "Relu", Activation.relu());
            fused = fuse(fused, "Clip", Activation.clip(0f, 6f));
            fused = fuse(fused, "LeakyRelu", Activation.leakyRelu(0.1f));
            assertThat(fused.nodes().stream().filter(n -> n.op().opType().equals("FusedConv"))).isNotEmpty();
            assertThat(fused.nodes().size()).isLessThan(plain.nodes().size());
            Tensor expected = Plan.compile(plain, x.shape()).runSingle(x).copy();
            Tensor got = Plan.compile(fused, x.shape()).runSingle(x).copy();
            for (int i = 0; i < expected.size(); i++) {
                assertThat(got.get(i)).as("variant %d element %d", variant, i)
                        .isCloseTo(expected.get(i), org.assertj.core.data.Offset.offset(1e-5f));
            }
            // standard ONNX keeps the activation as its own node, and reads back to the same result
            Graph back = OnnxReader.read(OnnxWriter.toBytes(fused), "fused.onnx");
            assertThat(back.nodes().stream().noneMatch(n -> n.op().opType().equals("FusedConv"))).isTrue();
            assertThat(Plan.compile(back, x.shape()).runSingle(x).contentEquals(expected)).isTrue();
            // Minnow's own format keeps the fused op
            Graph nativeBack = ModelFile.fromBytes(ModelFile.toBytes(fused, Map.of()), "m.mnw").graph();
            assertThat(nativeBack.nodes().stream().filter(n -> n.op().opType().equals("FusedConv")).count())
                    .isEqualTo(fused.nodes().stream().filter(n -> n.op().opType().equals("FusedConv")).count());
            assertThat(Plan.compile(nativeBack, x.shape()).runSingle(x).contentEquals(got)).isTrue();
        }
    }

    @Test
    void aFusedConvCannotBeTrained() {
        Conv fused = Conv.of2d(3, 1, 1).withActivation(Activation.relu());
        assertThat(fused.hasBackward()).isFalse();
        assertThat(fused.opType()).isEqualTo("FusedConv");
        assertThat(fused.domain()).isEqualTo(OpRegistry.NATIVE_DOMAIN);
        assertThat(Conv.fromOnnxFused(fused.attributes())).isEqualTo(fused);
    }
}
