package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The fused forms of Conv, Gemm and Add equal the plain op followed by its activation node,
 * computed here element by element from the plain op's output; they export to standard ONNX as
 * exactly that pair and keep their fused form in Minnow's own format. (The pass that makes them
 * is tested in the compression module: {@code dev.minnow.compression.fuse}.)
 */
class FusedConvTest {

    private static final Activation[] ACTIVATIONS = {
        Activation.relu(), Activation.clip(0f, 6f), Activation.clip(-0.5f, 0.25f), Activation.leakyRelu(0.1f)};

    /** The activation applied by hand: the reference the fused ops must match. */
    private static float activate(Activation act, float v) {
        return switch (act.kind()) {
            case "LeakyRelu" -> v < 0 ? act.alpha() * v : v;
            default -> Math.min(Math.max(v, act.lo()), act.hi());
        };
    }

    private static Tensor random(Random r, int... dims) {
        Tensor t = Tensor.zeros(dims);
        Init.uniform(t, 3, r);
        return t;
    }

    /** A one-node graph {@code y = op(x, inits...)}. */
    private static Graph oneNode(Op op, Tensor x, Map<String, Tensor> inits, List<String> inputs) {
        Graph.Builder b = Graph.builder("g").input("x", x.shape().dims());
        inits.forEach(b::initializer);
        return b.node("n", op, inputs, List.of("y")).output("y").build();
    }

    /** plain(x) through the activation by hand equals fused(x); export and the native format agree. */
    private static void checkFused(Op plain, Op fused, Activation act, Tensor x, Map<String, Tensor> inits,
                                   List<String> inputs) throws Exception {
        Tensor before = Plan.compile(oneNode(plain, x, inits, inputs), x.shape()).runSingle(x).copy();
        Graph fusedGraph = oneNode(fused, x, inits, inputs);
        Tensor got = Plan.compile(fusedGraph, x.shape()).runSingle(x).copy();
        for (int i = 0; i < before.size(); i++) {
            assertThat(got.get(i)).as("%s element %d", fused, i).isCloseTo(activate(act, before.get(i)), Offset.offset(1e-6f));
        }
        // standard ONNX: the plain op then the activation node, read back to the same values
        Graph back = OnnxReader.read(OnnxWriter.toBytes(fusedGraph), "fused.onnx");
        assertThat(back.nodes()).hasSize(2);
        assertThat(back.nodes().get(0).op().opType()).isEqualTo(plain.opType());
        assertThat(back.nodes().get(1).op().opType()).isEqualTo(act.kind());
        assertThat(Plan.compile(back, x.shape()).runSingle(x).contentEquals(got)).isTrue();
        // Minnow's own format keeps the fused op
        Graph nativeBack = ModelFile.fromBytes(ModelFile.toBytes(fusedGraph, Map.of()), "m.mnw").graph();
        assertThat(nativeBack.nodes()).hasSize(1);
        assertThat(nativeBack.nodes().get(0).op()).isEqualTo(fused);
        assertThat(Plan.compile(nativeBack, x.shape()).runSingle(x).contentEquals(got)).isTrue();
    }

    @Test
    void aFusedConvIsTheConvThenItsActivation() throws Exception {
        Random r = new Random(1);
        Tensor x = random(r, 2, 6, 9, 7);
        Map<String, Tensor> inits = Map.of("w", random(r, 8, 6, 3, 3), "b", random(r, 8), "wd", random(r, 6, 1, 3, 3));
        for (Activation act : ACTIVATIONS) {
            Conv conv = Conv.of2d(3, 1, 1);
            checkFused(conv, conv.withActivation(act), act, x, inits, List.of("x", "w", "b"));
            Conv depthwise = Conv.depthwise2d(3, 2, 1, 6);
            checkFused(depthwise, depthwise.withActivation(act), act, x, inits, List.of("x", "wd"));
        }
    }

    @Test
    void aFusedGemmIsTheGemmThenItsActivation() throws Exception {
        Random r = new Random(2);
        Tensor x = random(r, 3, 5);
        Map<String, Tensor> inits = Map.of("w", random(r, 4, 5), "c", random(r, 4));
        for (Activation act : ACTIVATIONS) {
            Gemm gemm = new Gemm(0.5f, 2f, false, true);
            checkFused(gemm, gemm.withActivation(act), act, x, inits, List.of("x", "w", "c"));
        }
    }

    @Test
    void aFusedAddIsTheAddThenARelu() throws Exception {
        Random r = new Random(3);
        Tensor x = random(r, 2, 3, 4, 5);
        Add add = new Add();
        checkFused(add, add.withRelu(), Activation.relu(), x, Map.of("s", random(r, 2, 3, 4, 5)), List.of("x", "s"));
        // broadcasting (a per-channel term) takes the general path, then clamps
        checkFused(add, add.withRelu(), Activation.relu(), x, Map.of("s", random(r, 3, 1, 1)), List.of("x", "s"));
        // long enough for the parallel kernel
        Tensor big = random(r, 1, 4, 128, 129);
        checkFused(add, add.withRelu(), Activation.relu(), big, Map.of("s", random(r, 1, 4, 128, 129)),
                List.of("x", "s"));
    }

    @Test
    void fusedOpsLiveInMinnowsDomainAndCannotBeTrained() {
        Conv conv = Conv.of2d(3, 1, 1).withActivation(Activation.relu());
        Gemm gemm = Gemm.linear().withActivation(Activation.clip(0f, 6f));
        Add add = new Add().withRelu();
        assertThat(List.of(conv.opType(), gemm.opType(), add.opType())).containsExactly("FusedConv", "FusedGemm", "FusedAdd");
        for (Op op : List.of(conv, gemm, add)) {
            assertThat(op.hasBackward()).as(op.opType()).isFalse();
            assertThat(op.domain()).isEqualTo(OpRegistry.NATIVE_DOMAIN);
            assertThat(OpRegistry.create(op.domain(), op.opType(), op.attributes(), 13)).isEqualTo(op);
        }
        assertThat(new Add()).isNotEqualTo(add);
        assertThat(Gemm.linear()).isNotEqualTo(gemm);
        assertThat(new Add().hasBackward()).isTrue();
        assertThat(Gemm.linear().hasBackward()).isTrue();
        assertThatThrownBy(() -> Gemm.fromOnnxFused(Attributes.builder().set("activation", "Tanh").build()))
                .hasMessageContaining("FusedGemm activation 'Tanh' is not supported");
    }

    @Test
    void shapesAreThePlainOpsShapes() {
        List<ValueInfo> in = List.of(ValueInfo.of(Shape.of(2, 3)), ValueInfo.of(Shape.of(4, 3)));
        assertThat(Gemm.linear().withActivation(Activation.relu()).inferOutputs(in))
                .isEqualTo(Gemm.linear().inferOutputs(in));
    }
}
