package dev.minnow.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    private static Parameter param(float... w) {
        return new Parameter("w", Tensor.of(Shape.of(1, w.length), w.clone()), Tensor.zeros(1, w.length));
    }

    private static void setGrad(Parameter p, float... g) {
        System.arraycopy(g, 0, p.grad().data(), 0, g.length);
    }

    @Test
    void sgdWithMomentumFollowsTheRecurrence() {
        Parameter p = param(1f, -2f);
        Sgd sgd = new Sgd(0.9f, false, 0f);
        setGrad(p, 0.5f, 1f);
        sgd.step(List.of(p), 0.1f); // v = g; w -= 0.1 v
        assertThat(p.value().toFloatArray()).containsExactly(new float[] {0.95f, -2.1f}, within(1e-6f));
        setGrad(p, 0.5f, 1f);
        sgd.step(List.of(p), 0.1f); // v = 0.9 v + g = 0.95, 1.9
        assertThat(p.value().toFloatArray()).containsExactly(new float[] {0.95f - 0.095f, -2.1f - 0.19f}, within(1e-6f));
    }

    @Test
    void nesterovAndWeightDecay() {
        Parameter p = param(2f);
        Sgd sgd = new Sgd(0.5f, true, 0.1f);
        setGrad(p, 1f);
        sgd.step(List.of(p), 1f); // g = 1 + 0.2 = 1.2; v = 1.2; w -= g + 0.5 v = 1.8
        assertThat(p.value().get(0)).isCloseTo(0.2f, within(1e-6f));
    }

    @Test
    void adamFirstStepMovesByTheLearningRate() {
        // with bias correction, the first Adam step is lr * g / (|g| + eps) = lr * sign(g)
        Parameter p = param(1f, 1f);
        Adam adam = Adam.adam(0f);
        setGrad(p, 3f, -0.001f);
        adam.step(List.of(p), 0.01f);
        assertThat(p.value().toFloatArray()).containsExactly(new float[] {0.99f, 1.01f}, within(1e-5f));
    }

    @Test
    void adamWDecaysIndependentlyOfTheGradientScale() {
        Parameter p = param(10f);
        Adam adamw = Adam.adamW(0.1f);
        setGrad(p, 0f);
        adamw.step(List.of(p), 0.5f); // zero gradient: only the decay acts, w -= lr * wd * w
        assertThat(p.value().get(0)).isCloseTo(10f - 0.5f * 0.1f * 10f, within(1e-5f));
    }

    @Test
    void maskKeepsPrunedWeightsAtZeroThroughMomentumAndAdam() {
        for (Optimizer opt : new Optimizer[] {new Sgd(0.9f, true, 1e-3f), Adam.adamW(0.01f)}) {
            Parameter p = param(1f, 2f, 3f);
            setGrad(p, 1f, 1f, 1f);
            opt.step(List.of(p), 0.1f); // builds optimizer state for every element
            p.setMask(Tensor.of(Shape.of(1, 3), 1f, 0f, 1f));
            for (int i = 0; i < 5; i++) {
                setGrad(p, -1f, -5f, -1f);
                opt.step(List.of(p), 0.1f);
                assertThat(p.value().get(1)).as(opt.describe()).isEqualTo(0f);
            }
            assertThat(p.value().get(0)).isNotEqualTo(1f);
        }
    }

    @Test
    void learningRateScalePerParameter() {
        Parameter slow = param(1f);
        Parameter fast = param(1f).setLearningRateScale(10f);
        setGrad(slow, 1f);
        setGrad(fast, 1f);
        new Sgd(0f, false, 0f).step(List.of(slow, fast), 0.01f);
        assertThat(slow.value().get(0)).isCloseTo(0.99f, within(1e-6f));
        assertThat(fast.value().get(0)).isCloseTo(0.9f, within(1e-6f));
    }

    @Test
    void regularizationAddsSignAndWeightTerms() {
        Parameter p = param(2f, -3f, 0f);
        float penalty = new Regularization(0.1f, 0.01f).apply(List.of(p));
        assertThat(penalty).isCloseTo(0.1f * 5 + 0.005f * 13, within(1e-6f));
        assertThat(p.grad().toFloatArray()).containsExactly(new float[] {0.1f + 0.02f, -0.1f - 0.03f, 0f}, within(1e-6f));
    }

    @Test
    void schedules() {
        LearningRateSchedule step = LearningRateSchedule.step(0.1f, 0.1f, 10);
        assertThat(step.rate(9, 0.45)).isCloseTo(0.1f, within(1e-7f));
        assertThat(step.rate(10, 0.5)).isCloseTo(0.01f, within(1e-7f));
        LearningRateSchedule cos = LearningRateSchedule.cosine(0.1f, 0f, 0);
        assertThat(cos.rate(0, 0)).isCloseTo(0.1f, within(1e-7f));
        assertThat(cos.rate(5, 0.5)).isCloseTo(0.05f, within(1e-6f));
        assertThat(cos.rate(9, 1.0)).isCloseTo(0f, within(1e-7f));
    }

    @Test
    void initialisersAreSeededAndScaled() {
        Tensor a = Tensor.zeros(64, 32, 3, 3);
        Tensor b = Tensor.zeros(64, 32, 3, 3);
        Init.kaimingNormal(a, new java.util.Random(1));
        Init.kaimingNormal(b, new java.util.Random(1));
        assertThat(a.contentEquals(b)).isTrue();
        double var = 0;
        for (float v : a.toFloatArray()) {
            var += v * v;
        }
        var /= a.size();
        assertThat(var).isCloseTo(2.0 / (32 * 9), within(0.1 * 2.0 / (32 * 9)));
    }
}
