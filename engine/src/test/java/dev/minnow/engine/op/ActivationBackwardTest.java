package dev.minnow.engine.op;

import static dev.minnow.engine.op.GradientCheck.awayFromZero;
import static dev.minnow.engine.op.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backward passes of LeakyRelu, Clip, Sigmoid, Tanh, Softmax and LogSoftmax against finite
 * differences, on random shapes with odd sizes; hand-computed values where a rule (the kinks of
 * Clip) is worth pinning down exactly.
 */
class ActivationBackwardTest {
    private final Random r = new Random(71);

    /** A rank-{@code rank} shape with random odd sizes in {3, 5, 7}. */
    static int[] oddDims(Random r, int rank) {
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            d[i] = 3 + 2 * r.nextInt(3);
        }
        return d;
    }

    /** A copy of {@code t} placed at offset 5 of a longer array, so that an op ignoring offsets fails. */
    static Tensor shifted(Tensor t) {
        float[] data = new float[t.size() + 9];
        java.util.Arrays.fill(data, Float.NaN);
        System.arraycopy(t.data(), t.offset(), data, 5, t.size());
        return Tensor.wrap(t.shape(), data, 5);
    }

    @ParameterizedTest(name = "alpha {0}")
    @ValueSource(floats = {0.01f, 0.2f, -0.5f})
    void leakyReluMatchesFiniteDifferences(float alpha) {
        GradientCheck.of(new LeakyRelu(alpha)).check(shifted(awayFromZero(r, 0.05, oddDims(r, 3))));
    }

    @Test
    void leakyReluPassesTheGradientOrScalesIt() {
        LeakyRelu op = new LeakyRelu(0.1f);
        Tensor x = Tensor.of(Shape.of(3), -2, 0, 3);
        Tensor dx = Tensor.of(Shape.of(3), 1, 1, 1);
        op.backward(new Tensor[] {x}, RunOp.outputs(op, x), new Tensor[] {Tensor.of(Shape.of(3), 10, 10, 10)},
                new Tensor[] {dx}, ExecutionContext.standalone(1));
        assertThat(dx.toFloatArray()).containsExactly(2, 2, 11); // slope alpha at 0, as PyTorch
    }

    @Test
    void relu6MatchesFiniteDifferencesAwayFromItsKinks() {
        // values in [-3, 9] at least 0.05 from every bound used below, the step 0.01
        float[] v = new float[7 * 5 * 3];
        for (int i = 0; i < v.length; i++) {
            float x;
            do {
                x = (float) (-3 + 12 * r.nextDouble());
            } while (Math.abs(x) < 0.05 || Math.abs(x - 6) < 0.05 || Math.abs(x - 0.5) < 0.05
                    || Math.abs(x - 2.5) < 0.05);
            v[i] = x;
        }
        Tensor x = Tensor.of(Shape.of(7, 5, 3), v);
        int compared = GradientCheck.of(new Clip()).skip(1, 2).check(shifted(x), Tensor.scalar(0), Tensor.scalar(6));
        assertThat(compared).isEqualTo(v.length);
        // one bound only
        GradientCheck.of(new Clip()).skip(1).check(x, Tensor.scalar(0.5f));
        GradientCheck.of(new Clip()).skip(2).check(x, null, Tensor.scalar(2.5f));
    }

    @Test
    void clipPassesTheGradientInsideTheClosedIntervalOnly() {
        Clip op = new Clip();
        Tensor x = Tensor.of(Shape.of(6), -1, 0, 3, 6, 7, Float.NaN);
        Tensor lo = Tensor.scalar(0);
        Tensor hi = Tensor.scalar(6);
        Tensor dx = Tensor.zeros(6);
        op.backward(new Tensor[] {x, lo, hi}, RunOp.outputs(op, x, lo, hi),
                new Tensor[] {Tensor.of(Shape.of(6), 1, 2, 3, 4, 5, 6)}, new Tensor[] {dx, null, null},
                ExecutionContext.standalone(1));
        assertThat(dx.toFloatArray()).containsExactly(0, 2, 3, 4, 0, 0);
        assertThat(op.isTrainableInput(0)).isTrue();
        assertThat(op.isTrainableInput(1)).isFalse();
        assertThat(op.isTrainableInput(2)).isFalse();
    }

    @Test
    void integerClipHasNoGradient() {
        Clip op = new Clip();
        Tensor x = Tensor.ofLongs(Shape.of(2), -4, 9);
        Tensor lo = Tensor.ofLongs(Shape.scalar(), 0);
        Tensor dx = Tensor.zeros(Shape.of(2), DataType.INT64);
        op.backward(new Tensor[] {x, lo}, RunOp.outputs(op, x, lo),
                new Tensor[] {Tensor.zeros(Shape.of(2), DataType.INT64)}, new Tensor[] {dx, null},
                ExecutionContext.standalone(1));
        assertThat(dx.toLongArray()).containsExactly(0, 0);
    }

    @Test
    void sigmoidAndTanhMatchFiniteDifferences() {
        Tensor x = shifted(GradientCheck.uniform(r, -4, 4, oddDims(r, 3)));
        GradientCheck.of(new Sigmoid()).check(x);
        GradientCheck.of(new Tanh()).check(x);
    }

    @Test
    void sigmoidAndTanhSlopesAtZero() {
        Tensor x = Tensor.of(Shape.of(1), 0);
        Tensor dy = Tensor.of(Shape.of(1), 1);
        Tensor dSig = Tensor.zeros(1);
        Tensor dTanh = Tensor.zeros(1);
        ExecutionContext ctx = ExecutionContext.standalone(1);
        new Sigmoid().backward(new Tensor[] {x}, RunOp.outputs(new Sigmoid(), x), new Tensor[] {dy},
                new Tensor[] {dSig}, ctx);
        new Tanh().backward(new Tensor[] {x}, RunOp.outputs(new Tanh(), x), new Tensor[] {dy},
                new Tensor[] {dTanh}, ctx);
        assertThat(dSig.get(0)).isEqualTo(0.25f);
        assertThat(dTanh.get(0)).isEqualTo(1f);
    }

    @ParameterizedTest(name = "axis {0}")
    @ValueSource(ints = {0, 1, 2, -1, -2})
    void softmaxAndLogSoftmaxAlongSeveralAxes(int axis) {
        Tensor x = shifted(gaussian(r, oddDims(r, 3)));
        GradientCheck.of(new Softmax(axis)).check(x);
        GradientCheck.of(new LogSoftmax(axis)).check(x);
    }

    @ParameterizedTest(name = "axis {0}, coerced to 2-D")
    @CsvSource({"0", "1", "2", "3"})
    void softmaxAndLogSoftmaxInTheLegacyCoercedForm(int axis) {
        Tensor x = gaussian(r, 3, 5, 1, 3);
        GradientCheck.of(new Softmax(axis, true)).check(x);
        GradientCheck.of(new LogSoftmax(axis, true)).check(x);
    }

    @Test
    void softmaxOfLargeLogitsKeepsAFiniteGradient() {
        // logits around 1000: the forward subtracts the max, the backward only reads y
        Tensor x = Tensor.of(Shape.of(2, 3), 1000, 1001, 1002, -1000, 0, 1000);
        GradientCheck.of(new Softmax(1)).check(x);
        GradientCheck.of(new LogSoftmax(1)).check(x);
    }

    @Test
    void logSoftmaxFollowedByNegativeLogLikelihoodGivesSoftmaxMinusOneHot() {
        LogSoftmax op = new LogSoftmax(1);
        Tensor x = Tensor.of(Shape.of(1, 3), 1, 2, 3);
        Tensor y = RunOp.outputs(op, x)[0];
        Tensor dx = Tensor.zeros(1, 3);
        op.backward(new Tensor[] {x}, new Tensor[] {y}, new Tensor[] {Tensor.of(Shape.of(1, 3), 0, -1, 0)},
                new Tensor[] {dx}, ExecutionContext.standalone(1));
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertThat(dx.get(0)).isCloseTo((float) (Math.exp(1) / z), within(1e-6f));
        assertThat(dx.get(1)).isCloseTo((float) (Math.exp(2) / z - 1), within(1e-6f));
        assertThat(dx.get(2)).isCloseTo((float) (Math.exp(3) / z), within(1e-6f));
    }
}
