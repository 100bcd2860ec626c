package dev.minnow.engine.op;

import static dev.minnow.engine.op.GradientCheck.gaussian;
import static dev.minnow.engine.op.GradientCheck.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BatchNormalization with batch statistics (the trainer's mode and ONNX's training_mode) and the
 * backward pass in both modes: finite differences, PyTorch's {@code F.batch_norm(training=True)} with
 * autograd, the ONNX training-mode node tests, and a hand computation of the running update.
 */
class BatchNormalizationTrainingTest {
    private final Random r = new Random(41);

    private Tensor[] inputs(int... xDims) {
        int c = xDims[1];
        return new Tensor[] {gaussian(r, xDims), uniform(r, 0.5, 1.5, c), gaussian(r, c), gaussian(r, c),
                uniform(r, 0.5, 1.5, c)};
    }

    @Test
    void gradientOnBatchStatistics() {
        // every Y depends on every X of its channel: each finite difference re-runs training forward
        BatchNormalization bn = new BatchNormalization(1e-3f, 0.9f);
        GradientCheck.of(bn).training(true).check(inputs(4, 3, 3, 2));
        GradientCheck.of(bn).training(true).check(inputs(6, 2));
        GradientCheck.of(bn).training(true).check(inputs(2, 3, 5));
    }

    @Test
    void gradientOnRunningStatisticsIncludingMeanAndVariance() {
        BatchNormalization bn = new BatchNormalization(1e-3f, 0.9f);
        GradientCheck.of(bn).check(inputs(3, 4, 2, 3));
        GradientCheck.of(bn).check(inputs(5, 3));
    }

    @Test
    void gradientOfOnnxTrainingModeThroughAllThreeOutputs() {
        // L weighs Y, running_mean and running_var: X feeds all three, input_mean and input_var the last two
        BatchNormalization bn = new BatchNormalization(1e-2f, 0.7f, true);
        GradientCheck.of(bn).check(inputs(3, 2, 4));
        GradientCheck.of(bn).check(inputs(4, 3, 2, 2));
    }

    static List<OpFixtures.Case> pytorchCases() {
        return OpFixtures.load("batchnorm_training.bin", false);
    }

    /** Inputs X, scale, B, mean, var, dY; outputs Y, mean', var', dX, dscale, dB (PyTorch, training=True). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pytorchCases")
    void matchesPyTorchTrainingIncludingTheUnbiasedRunningVariance(OpFixtures.Case c) {
        Op op = OpRegistry.create("", c.opType(), c.attributes(), c.opset());
        Tensor[] in = new Tensor[5];
        Tensor[] grads = new Tensor[5];
        for (int i = 0; i < 5; i++) {
            in[i] = c.inputs().get(i).copy();
        }
        for (int i = 0; i < 3; i++) {
            grads[i] = Tensor.zeros(in[i].shape());
        }
        Tensor[] out = {Tensor.zeros(in[0].shape())};
        ExecutionContext ctx = ExecutionContext.standalone(1);
        ctx.setTraining(true);
        op.forward(in, out, ctx);
        OpFixtures.assertMatches(out[0], c.outputs().get(0), c + " Y");
        OpFixtures.assertMatches(in[3], c.outputs().get(1), c + " running mean, updated in place");
        OpFixtures.assertMatches(in[4], c.outputs().get(2), c + " running var, updated in place");
        op.backward(in, out, new Tensor[] {c.inputs().get(5)}, grads, ctx);
        String[] names = {"dX", "dscale", "dB"};
        for (int i = 0; i < 3; i++) {
            OpFixtures.assertMatches(grads[i], c.outputs().get(3 + i), c + " " + names[i]);
        }
    }

    static List<OpFixtures.Case> onnxCases() {
        return OpFixtures.load("batchnorm_training.bin", true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("onnxCases")
    void passesTheOnnxTrainingModeNodeTests(OpFixtures.Case c) {
        OpFixtures.check(c);
    }

    @Test
    void fixturesHoldBothOnnxTrainingModeNodeTests() {
        assertThat(onnxCases()).extracting(OpFixtures.Case::name).containsExactlyInAnyOrder(
                "onnx:test_batchnorm_example_training_mode", "onnx:test_batchnorm_epsilon_training_mode");
    }

    @Test
    void channelsSharedOutAcrossThreadsGiveTheSameBitsAsOneThread() {
        // 2 x 12 x 48 x 60 = 69,120 floats: above the size from which the channels go to two threads
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Random seeded = new Random(5);
            Tensor[] in = {gaussian(seeded, 2, 12, 48, 60), uniform(seeded, 0.5, 1.5, 12), gaussian(seeded, 12),
                gaussian(seeded, 12), uniform(seeded, 0.5, 1.5, 12)};
            Tensor dy = gaussian(seeded, 2, 12, 48, 60);
            Tensor[] grads = {Tensor.zeros(in[0].shape()), Tensor.zeros(Shape.of(12)), Tensor.zeros(Shape.of(12)),
                null, null};
            Tensor[] out = {Tensor.zeros(in[0].shape())};
            ExecutionContext ctx = ExecutionContext.standalone(threads);
            ctx.setTraining(true);
            BatchNormalization bn = new BatchNormalization(1e-3f, 0.9f);
            bn.forward(in, out, ctx);
            bn.backward(in, out, new Tensor[] {dy}, grads, ctx);
            float[] all = new float[2 * out[0].size() + 4 * 12];
            int at = 0;
            for (Tensor t : new Tensor[] {out[0], grads[0], grads[1], grads[2], in[3], in[4]}) {
                float[] v = t.toFloatArray();
                System.arraycopy(v, 0, all, at, v.length);
                at += v.length;
            }
            results[threads - 1] = all;
        }
        assertThat(results[1]).containsExactly(results[0]);
        assertThat(results[0][results[0].length - 1]).as("a running variance was written").isNotZero();
    }

    @Test
    void updatesRunningStatisticsInPlaceByHand() {
        // one channel, values 1, 2, 3, 6: mean 3, biased var 3.5, unbiased 14/3
        Tensor x = Tensor.of(Shape.of(2, 1, 2), 1, 2, 3, 6);
        Tensor mean = Tensor.of(Shape.of(1), 10);
        Tensor var = Tensor.of(Shape.of(1), 2);
        Tensor y = Tensor.zeros(x.shape());
        ExecutionContext ctx = ExecutionContext.standalone(1);
        ctx.setTraining(true);
        new BatchNormalization(0f, 0.75f).forward(new Tensor[] {x, Tensor.of(Shape.of(1), 2), Tensor.of(Shape.of(1), 1),
                mean, var}, new Tensor[] {y}, ctx);
        assertThat(mean.get(0)).isCloseTo(0.75f * 10 + 0.25f * 3, offset(1e-5f));
        assertThat(var.get(0)).isCloseTo(0.75f * 2 + 0.25f * 14f / 3, offset(1e-5f));
        double sd = Math.sqrt(3.5);
        assertThat(y.toFloatArray()).containsExactly(new float[] {(float) (2 * -2 / sd + 1), (float) (2 * -1 / sd + 1),
                1f, (float) (2 * 3 / sd + 1)}, offset(1e-5f));
    }

    @Test
    void onnxTrainingModeReturnsTheStatisticsWithThePopulationVarianceAndLeavesInputsAlone() {
        Tensor x = Tensor.of(Shape.of(2, 1, 2), 1, 2, 3, 6);
        Tensor mean = Tensor.of(Shape.of(1), 10);
        Tensor var = Tensor.of(Shape.of(1), 2);
        BatchNormalization bn = new BatchNormalization(0f, 0.75f, true);
        Tensor[] out = OpFixtures.run(bn, x, Tensor.of(Shape.of(1), 1), Tensor.of(Shape.of(1), 0), mean, var);
        assertThat(out).hasSize(3);
        assertThat(out[1].get(0)).isCloseTo(0.75f * 10 + 0.25f * 3, offset(1e-5f));
        assertThat(out[2].get(0)).isCloseTo(0.75f * 2 + 0.25f * 3.5f, offset(1e-5f));
        assertThat(mean.get(0)).isEqualTo(10f);
        assertThat(var.get(0)).isEqualTo(2f);
    }

    @Test
    void backwardFollowsTheModeOfTheLastForward() {
        // a training forward, then an inference forward on the same context: backward is the affine one
        BatchNormalization bn = new BatchNormalization(0f, 0.9f);
        Tensor x = Tensor.of(Shape.of(2, 1), 1, 3);
        Tensor[] in = {x, Tensor.of(Shape.of(1), 3), Tensor.of(Shape.of(1), 0), Tensor.of(Shape.of(1), 0),
                Tensor.of(Shape.of(1), 4)};
        Tensor[] out = {Tensor.zeros(x.shape())};
        ExecutionContext ctx = ExecutionContext.standalone(1);
        ctx.setTraining(true);
        bn.forward(in, out, ctx);
        ctx.setTraining(false);
        in[3] = Tensor.of(Shape.of(1), 0);
        in[4] = Tensor.of(Shape.of(1), 4);
        bn.forward(in, out, ctx);
        Tensor dx = Tensor.zeros(x.shape());
        bn.backward(in, out, new Tensor[] {Tensor.of(Shape.of(2, 1), 1, 2)}, new Tensor[] {dx, null, null, null, null}, ctx);
        assertThat(dx.toFloatArray()).containsExactly(1.5f, 3f); // dy * 3 / sqrt(4)
    }

    @Test
    void runningStatisticsAreNotTrainable() {
        BatchNormalization bn = new BatchNormalization();
        assertThat(bn.isTrainableInput(1)).isTrue();
        assertThat(bn.isTrainableInput(2)).isTrue();
        assertThat(bn.isTrainableInput(3)).isFalse();
        assertThat(bn.isTrainableInput(4)).isFalse();
        assertThat(bn.hasBackward()).isTrue();
    }

    @Test
    void readsAndWritesTrainingMode() {
        Attributes a = Attributes.builder().set("training_mode", 1L).set("momentum", 0.8f).build();
        BatchNormalization bn = BatchNormalization.fromOnnx(a, 15);
        assertThat(bn.trainingMode()).isTrue();
        assertThat(bn).isEqualTo(new BatchNormalization(BatchNormalization.DEFAULT_EPSILON, 0.8f, true))
                .isNotEqualTo(new BatchNormalization(BatchNormalization.DEFAULT_EPSILON, 0.8f));
        assertThat(BatchNormalization.fromOnnx(bn.attributes(), 15)).isEqualTo(bn);
        assertThat(bn.inferOutputs(OpFixtures.floats(Shape.of(2, 3, 4), Shape.of(3), Shape.of(3), Shape.of(3),
                Shape.of(3)))).extracting(ValueInfo::shape).containsExactly(Shape.of(2, 3, 4), Shape.of(3), Shape.of(3));
    }
}
