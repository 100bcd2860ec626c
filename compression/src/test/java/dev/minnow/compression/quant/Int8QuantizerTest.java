package dev.minnow.compression.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Clip;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.QGemm;
import dev.minnow.engine.op.QLinearConv;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Post-training quantization of whole graphs: structure, agreement with the float graph, and the arithmetic of one layer by hand. */
class Int8QuantizerTest {
    private static final ImageDataset CALIBRATION = SmallNets.images(256, 11);
    private static final ImageDataset HELD_OUT = SmallNets.images(128, 12);

    private static Int8Quantizer.Options options(boolean perChannel) {
        return Int8Quantizer.Options.defaults().withPerChannel(perChannel).withCalibrationBatches(4).withThreads(1);
    }

    @Test
    void aConvNetBecomesIntegerLayersWithBatchNormFoldedAndActivationsFused() {
        Graph f = SmallNets.convNet(1);
        Int8Quantizer.Result r = Int8Quantizer.quantize(f, CALIBRATION, options(true));
        Graph q = r.graph();
        List<Class<?>> ops = q.nodes().stream().<Class<?>>map(n -> n.op().getClass()).toList();
        assertThat(ops).filteredOn(c -> c == QLinearConv.class).hasSize(3);
        assertThat(ops).filteredOn(c -> c == QGemm.class).hasSize(1);
        assertThat(ops).doesNotContain(BatchNormalization.class, Relu.class, Clip.class, Conv.class);
        // weights int8 with one scale per output channel; biases int32
        Node conv1 = q.node("conv1");
        assertThat(q.initializer(conv1.input(3)).type()).isEqualTo(DataType.INT8);
        assertThat(q.initializer(conv1.input(4)).shape()).isEqualTo(Shape.of(8));
        assertThat(q.initializer(conv1.input(8)).type()).isEqualTo(DataType.INT32);
        // the input is quantized once and the logits dequantized once: the graph's own names stay
        assertThat(q.inputs().get(0).name()).isEqualTo("x");
        assertThat(q.outputs()).isEqualTo(f.outputs());
        // a ReLU output range starts at 0: zero point 0
        assertThat(r.ranges().values()).allSatisfy(range -> assertThat(range.max()).isGreaterThan(range.min()));
        String reluOut = f.nodes().stream().filter(n -> n.op() instanceof Relu).findFirst().orElseThrow().output();
        assertThat(r.ranges().get(reluOut).min()).isEqualTo(0f);
    }

    @Test
    void integerOutputsStayCloseToTheFloatOnes() {
        Graph f = SmallNets.convNet(2);
        float[] expected = SmallNets.outputs(f, HELD_OUT);
        float[] perChannel = SmallNets.outputs(Int8Quantizer.quantize(f, CALIBRATION, options(true)).graph(), HELD_OUT);
        float[] perTensor = SmallNets.outputs(Int8Quantizer.quantize(f, CALIBRATION, options(false)).graph(), HELD_OUT);
        assertThat(SmallNets.relativeError(perChannel, expected)).isLessThan(0.05);
        assertThat(SmallNets.relativeError(perTensor, expected)).isLessThan(0.10);
        assertThat(SmallNets.argmaxAgreement(perChannel, expected, 10)).isGreaterThan(0.9);
        // every observer gives a usable graph
        for (ObserverKind k : ObserverKind.values()) {
            Graph q = Int8Quantizer.quantize(f, CALIBRATION, options(true).withObserver(k)).graph();
            assertThat(SmallNets.relativeError(SmallNets.outputs(q, HELD_OUT), expected)).as(k.cliName()).isLessThan(0.15);
        }
    }

    /**
     * A depthwise layer whose two filters differ in size by 1000x: one scale for both rounds the
     * small filter to 0 or +-1, one scale each keeps it to 1 part in 254.
     */
    @Test
    void perChannelWeightsSaveTheSmallFiltersOfADepthwiseLayer() {
        float[] v = new float[18];
        for (int i = 0; i < 9; i++) {
            v[i] = (i - 4) / 4f * (i % 2 == 0 ? 1f : 0.37f);         // in [-1, 1], max |w| = 1
            v[9 + i] = (i - 4) / 4000f * (i % 2 == 0 ? 1f : 0.37f); // in [-0.001, 0.001]
        }
        Tensor w = Tensor.of(Shape.of(2, 1, 3, 3), v);
        Graph f = Graph.builder("dw").input("x", Shape.UNKNOWN, 2, 3, 3)
                .initializer("w", w)
                .node("dw", Conv.of2d(3, 1, 1, 1, 2), List.of("x", "w"), List.of("y"))
                .output("y").build();
        Tensor x = Tensor.of(Shape.of(1, 2, 3, 3), v.clone());
        double[] err = new double[2];
        for (int pc = 0; pc < 2; pc++) {
            Map<String, Range> ranges = Map.of("x", new Range(0f, 1f), "y", new Range(-1f, 1f));
            Int8Quantizer.Options o = options(pc == 1);
            Graph q = Int8Quantizer.convert(Int8Quantizer.prepare(f), ranges, o);
            float[] yq = Plan.compile(q, x.shape()).runSingle(x).toFloatArray();
            // the small channel's real outputs are +-0.001; compare their dequantized weights, before output rounding
            Node conv = q.node("dw");
            Tensor wq = q.initializer(conv.input(3));
            Tensor ws = q.initializer(conv.input(4));
            double e = 0;
            for (int i = 9; i < 18; i++) {
                float scale = ws.size() == 1 ? ws.get(0) : ws.get(1);
                e = Math.max(e, Math.abs(wq.byteData()[i] * scale - w.get(i)));
            }
            err[pc] = e;
            assertThat(yq).hasSize(18).doesNotContain(Float.NaN);
        }
        // per tensor: scale 1/127, the small filter rounds to 0 (error = its size, 0.001)
        assertThat(err[0]).isEqualTo(0.001, within(1e-6));
        // per channel: scale 0.001/127, error at most half a step
        assertThat(err[1]).isLessThanOrEqualTo(0.5 * 0.001 / 127 + 1e-9);
    }

    /**
     * One 1x1 convolution worked by hand: x in [0, 2.55] (scale 0.01, zero point 0), w = 0.5
     * (scale 0.5/127), b = 0.3, output range [0, 5.1] (scale 0.02). The bias becomes
     * round(0.3 / (0.01 * 0.5/127)) = round(7620) = 7620 and M = S_x S_w / S_y = 0.01 * (0.5/127) / 0.02.
     * For x = 1.37: q_x = 137, q_w = 127, acc = 137 * 127 + 7620 = 25019,
     * y_q = round(M * acc) = round(0.0019685 * 25019) = round(49.25) = 49, y = 0.98 (exact: 0.985).
     */
    @Test
    void oneLayerComputesWhatTheRequantizationEquationsSay() {
        Graph f = Graph.builder("one").input("x", 1, 1, 1, 1)
                .initializer("w", Tensor.of(Shape.of(1, 1, 1, 1), 0.5f))
                .initializer("b", Tensor.of(Shape.of(1), 0.3f))
                .node("conv", Conv.of2d(1, 1, 0), List.of("x", "w", "b"), List.of("y"))
                .output("y").build();
        Map<String, Range> ranges = Map.of("x", new Range(0f, 2.55f), "y", new Range(0f, 5.1f));
        Graph q = Int8Quantizer.convert(Int8Quantizer.prepare(f), ranges, options(true));
        Node conv = q.node("conv");
        assertThat(q.initializer(conv.input(3)).byteData()).containsExactly((byte) 127);
        assertThat(q.initializer(conv.input(8)).intData()).containsExactly(7620);
        float y = Plan.compile(q, Shape.of(1, 1, 1, 1)).runSingle(Tensor.of(Shape.of(1, 1, 1, 1), 1.37f)).get(0);
        assertThat(y).isEqualTo(0.98f, within(1e-6f));
    }

    @Test
    void theWorkedExampleRecomputesOneOutputOfARealLayerByHand() {
        Graph q = Int8Quantizer.quantize(SmallNets.lenetLike(9), CALIBRATION, options(true)).graph();
        for (String layer : List.of("conv1", "fc1", "fc2")) {
            List<String> lines = RequantizationExample.explain(q, layer, HELD_OUT.image(3));
            assertThat(lines).as(layer).noneMatch(l -> l.startsWith("MISMATCH"));
            assertThat(String.join("\n", lines)).contains("M0 = ").contains("shift = ").contains("the layer wrote");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RequantizationExample.explain(q, "pool", HELD_OUT.image(0)))
                .hasMessageContaining("the quantized layers are [conv1, fc1, fc2]");
    }
}
