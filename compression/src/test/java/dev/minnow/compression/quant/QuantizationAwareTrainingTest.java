package dev.minnow.compression.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.op.FakeQuantize;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.LearningRateSchedule;
import dev.minnow.engine.train.Regularization;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Quantization-aware training: the straight-through gradient by hand, and the trained graph against its integer conversion. */
class QuantizationAwareTrainingTest {

    /**
     * y = x FQ(W)^T with W = [[1, 0.3], [-0.5, 0.2]] quantized per row (scale max|row| / 127):
     * row 0: s = 1/127, 0.3 -> round(38.1) = 38 -> 38/127;  row 1: s = 0.5/127, 0.2 -> round(50.8) = 51 -> 51 * 0.5/127.
     * The forward pass uses those values; the backward pass (straight-through) gives
     * dL/dW = dy^T x, exactly as if W had not been rounded.
     */
    @Test
    void fakeQuantizedWeightsRoundForwardAndPassTheGradientStraightThrough() {
        Graph g = Graph.builder("fq").input("x", 1, 2)
                .initializer("w", Tensor.of(Shape.of(2, 2), 1f, 0.3f, -0.5f, 0.2f))
                .node("fq", FakeQuantize.weights(true), List.of("w"), List.of("wq"))
                .node("gemm", new Gemm(1f, 1f, false, true), List.of("x", "wq"), List.of("y"))
                .output("y").build();
        Plan p = Plan.compile(g, Map.of("x", Shape.of(1, 2)), new PlanOptions(1, false, Set.of("w"), 1));
        p.context().setTraining(true);
        Tensor dw = Tensor.zeros(2, 2);
        p.requireGradients(Set.of("w"), Map.of("w", dw));
        Tensor y = p.runSingle(Tensor.of(Shape.of(1, 2), 2f, 3f));
        assertThat(y.get(0)).isEqualTo(2f * 1f + 3f * 38f / 127, within(1e-5f));
        assertThat(y.get(1)).isEqualTo(2f * -0.5f + 3f * 51f * 0.5f / 127, within(1e-5f));
        p.backward(Map.of("y", Tensor.of(Shape.of(1, 2), 1f, -2f)));
        // dW[i][j] = dy[i] * x[j]
        assertThat(dw.toFloatArray()).containsExactly(new float[] {2f, 3f, -4f, -6f}, within(1e-6f));
    }

    @Test
    void theTrainedGraphAndItsIntegerConversionComputeTheSameAndTheFloatModelIsLeftAlone() {
        ImageDataset train = SmallNets.images(256, 21);
        ImageDataset test = SmallNets.images(64, 22);
        Graph f = SmallNets.lenetLike(5);
        TrainConfig config = new TrainConfig(1, 32, LearningRateSchedule.constant(0.02f), Regularization.NONE, 1, 1);
        new Trainer(f, config, new Sgd(0.9f, false, 0f)).fit(train, null);
        Tensor before = f.initializer("conv1.weight").copy();

        Int8Quantizer.Options o = Int8Quantizer.Options.defaults().withCalibrationBatches(2).withThreads(1);
        Graph prepared = Int8Quantizer.prepare(f);
        Int8Conversion.Requests req = Int8Quantizer.requests(prepared, true);
        Map<String, Range> initial = Calibration.ranges(prepared, req.activations(), train, 2, 64, ObserverKind.MINMAX, 1);
        assertThat(req.weights()).containsOnlyKeys("conv1.weight", "fc1.weight", "fc2.weight");
        // training on a copy: the fixture's own weights must not move
        Graph qat = QuantizationAwareTraining.insertFakeQuantize(copy(prepared), req, initial);
        assertThat(qat.nodes()).filteredOn(n -> n.op() instanceof FakeQuantize)
                .hasSize(req.weights().size() + req.activations().size());
        var history = new Trainer(qat, config, new Sgd(0.9f, false, 0f)).fit(train, null);
        assertThat(history.get(0).trainLoss()).isFinite();

        QuantizationAwareTraining.Stripped s = QuantizationAwareTraining.strip(qat);
        assertThat(s.graph().nodes()).noneMatch(n -> n.op() instanceof FakeQuantize);
        assertThat(s.ranges()).containsOnlyKeys(req.activations());
        Graph q = Int8Quantizer.convert(s.graph(), s.ranges(), o);
        // the integer graph computes what the fake-quantized graph simulated (up to an output step or two)
        float[] simulated = SmallNets.outputs(qat, test);
        float[] integer = SmallNets.outputs(q, test);
        assertThat(SmallNets.relativeError(integer, simulated)).isLessThan(0.03);
        assertThat(SmallNets.argmaxAgreement(integer, simulated, 10)).isGreaterThan(0.95);
        // the ranges moved with the batches (EMA) and the weights trained
        assertThat(s.ranges()).isNotEqualTo(initial);
        assertThat(s.graph().initializer("conv1.weight").contentEquals(prepared.initializer("conv1.weight"))).isFalse();
        assertThat(f.initializer("conv1.weight").contentEquals(before)).isTrue();

        // the whole pipeline in one call leaves the float model alone too
        QuantizationAwareTraining.Result r = QuantizationAwareTraining.train(f, train, test, config,
                new Sgd(0.9f, false, 0f), o, null);
        assertThat(r.history()).hasSize(1);
        assertThat(r.history().get(0).testAccuracy()).isBetween(0.0, 1.0);
        assertThat(f.initializer("conv1.weight").contentEquals(before)).isTrue();
    }

    private static Graph copy(Graph g) {
        Graph.Builder b = g.toBuilder();
        g.initializers().forEach((n, t) -> b.initializer(n, t.copy()));
        return b.build();
    }
}
