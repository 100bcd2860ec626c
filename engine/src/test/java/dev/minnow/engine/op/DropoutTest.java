package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Trainer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Dropout: identity at inference, inverted dropout with a reproducible mask in training, and its gradient. */
class DropoutTest {
    private static final Tensor X = Tensor.of(Shape.of(2, 2), 1, -2, 3, -4);

    private static Tensor bool(boolean v) {
        return Tensor.ofBytes(Shape.scalar(), DataType.BOOL, (byte) (v ? 1 : 0));
    }

    @Test
    void inferenceIsTheIdentityWithAnAllTrueMask() {
        Tensor[] out = RunOp.withRuntimeData(new Dropout(), X, Tensor.scalar(0.3f));
        assertThat(out[0].toFloatArray()).containsExactly(1, -2, 3, -4);
        assertThat(out[1].type()).isEqualTo(DataType.BOOL);
        assertThat(out[1].toLongArray()).containsExactly(1, 1, 1, 1);
        List<ValueInfo> infos = new Dropout().inferOutputs(List.of(ValueInfo.of(Shape.of(2, 2))));
        assertThat(infos.get(1).isConstant()).as("the mask is only known at run time").isFalse();
        assertThat(new Dropout().isReshapeOfInput()).as("whether it drops is decided at run time").isFalse();
        // a constant false training_mode is inference too
        assertThat(RunOp.withRuntimeData(new Dropout(), X, Tensor.scalar(0.5f), bool(false))[0].toFloatArray())
                .containsExactly(1, -2, 3, -4);
    }

    @Test
    void inferenceBackwardPassesTheGradientThrough() {
        Dropout op = new Dropout();
        ExecutionContext ctx = ExecutionContext.standalone(1);
        Tensor x = GradientCheck.gaussian(new Random(1), 3, 5);
        Tensor[] out = run(op, ctx, x, Tensor.scalar(0.4f));
        assertThat(out[0].toFloatArray()).containsExactly(x.toFloatArray());
        Tensor dy = GradientCheck.gaussian(new Random(2), 3, 5);
        Tensor dx = Tensor.zeros(3, 5);
        op.backward(new Tensor[] {x, Tensor.scalar(0.4f)}, out, new Tensor[] {dy}, new Tensor[] {dx, null}, ctx);
        assertThat(dx.toFloatArray()).containsExactly(dy.toFloatArray());
        GradientCheck.of(op).skip(1).check(x, Tensor.scalar(0.4f));
        // training with a zero ratio drops nothing: the identity, with its gradient
        GradientCheck.of(op).training(true).skip(1).check(x, Tensor.scalar(0f));
    }

    @Test
    void trainingKeepsAFractionOneMinusRatioScaledByItsInverse() {
        float ratio = 0.3f;
        int n = 200_000;
        Tensor x = Tensor.zeros(n);
        java.util.Arrays.fill(x.data(), 2f);
        ExecutionContext ctx = new ExecutionContext(1, 1, 42);
        ctx.setTraining(true);
        Tensor[] out = run(new Dropout(), ctx, x, Tensor.scalar(ratio));
        float scale = 1f / (1f - ratio);
        int kept = 0;
        double sum = 0;
        byte[] mask = out[1].byteData();
        for (int i = 0; i < n; i++) {
            float y = out[0].get(i);
            if (mask[out[1].offset() + i] != 0) {
                kept++;
                assertThat(y).isEqualTo(2f * scale);
            } else {
                assertThat(y).isEqualTo(0f);
            }
            sum += y;
        }
        // binomial: standard deviation of the kept fraction sqrt(p (1 - p) / n) = 0.001
        assertThat((double) kept / n).isCloseTo(1 - ratio, within(0.005));
        assertThat(sum / n).as("the expected value is unchanged").isCloseTo(2.0, within(0.015));

        // the default ratio is 0.5
        Tensor[] half = run(new Dropout(), ctx, x);
        long zeros = 0;
        for (float v : half[0].toFloatArray()) {
            zeros += v == 0 ? 1 : 0;
            assertThat(v == 0 || v == 4f).isTrue();
        }
        assertThat((double) zeros / n).isCloseTo(0.5, within(0.005));
    }

    @Test
    void theSameSeedGivesTheSameMasksAndEachRunANewOne() {
        Tensor x = GradientCheck.gaussian(new Random(3), 40, 50);
        ExecutionContext a = new ExecutionContext(1, 1, 7);
        ExecutionContext b = new ExecutionContext(1, 1, 7);
        ExecutionContext c = new ExecutionContext(1, 1, 8);
        for (ExecutionContext ctx : List.of(a, b, c)) {
            ctx.setTraining(true);
        }
        float[] a1 = run(new Dropout(), a, x, Tensor.scalar(0.5f))[0].toFloatArray();
        float[] b1 = run(new Dropout(), b, x, Tensor.scalar(0.5f))[0].toFloatArray();
        float[] c1 = run(new Dropout(), c, x, Tensor.scalar(0.5f))[0].toFloatArray();
        float[] a2 = run(new Dropout(), a, x, Tensor.scalar(0.5f))[0].toFloatArray();
        float[] b2 = run(new Dropout(), b, x, Tensor.scalar(0.5f))[0].toFloatArray();
        assertThat(a1).containsExactly(b1);
        assertThat(a2).containsExactly(b2);
        assertThat(java.util.Arrays.equals(a1, a2)).as("a new mask on every run").isFalse();
        assertThat(java.util.Arrays.equals(a1, c1)).as("another seed, another mask").isFalse();
    }

    @Test
    void gradientIsTheMaskOverOneMinusRatio() {
        float ratio = 0.25f;
        Dropout op = new Dropout();
        ExecutionContext ctx = new ExecutionContext(1, 1, 11);
        ctx.setTraining(true);
        Tensor x = GradientCheck.gaussian(new Random(4), 7, 9);
        Tensor[] out = run(op, ctx, x, Tensor.scalar(ratio));
        Tensor dy = GradientCheck.gaussian(new Random(5), 7, 9);
        Tensor dx = Tensor.zeros(7, 9);
        java.util.Arrays.fill(dx.data(), 1f);
        op.backward(new Tensor[] {x, Tensor.scalar(ratio)}, out, new Tensor[] {dy}, new Tensor[] {dx, null}, ctx);
        int dropped = 0;
        for (int i = 0; i < x.size(); i++) {
            boolean kept = out[1].byteData()[out[1].offset() + i] != 0;
            dropped += kept ? 0 : 1;
            assertThat(dx.get(i)).as("element %d (kept %s)", i, kept)
                    .isEqualTo(1f + (kept ? dy.get(i) * (1f / (1f - ratio)) : 0f));
        }
        assertThat(dropped).isBetween(1, x.size() - 1);
    }

    @Test
    void aConstantTrueTrainingModeTrainsAndARuntimeOneIsNotSupported() {
        ValueInfo x = ValueInfo.of(Shape.of(2, 2));
        assertThatThrownBy(() -> new Dropout().inferOutputs(List.of(x, ValueInfo.constant(Tensor.scalar(0.5f)),
                ValueInfo.of(DataType.BOOL, Shape.scalar()))))
                .hasMessageContaining("training_mode known only at run time is not supported");
        // training_mode = true without the context training: drops
        Tensor big = Tensor.zeros(1000);
        java.util.Arrays.fill(big.data(), 1f);
        Tensor[] out = RunOp.withRuntimeData(new Dropout(), big, Tensor.scalar(0.5f), bool(true));
        long zeros = 0;
        for (float v : out[0].toFloatArray()) {
            zeros += v == 0 ? 1 : 0;
        }
        assertThat(zeros).isBetween(400L, 600L);
        // a zero ratio drops nothing, even in training mode
        Tensor[] same = RunOp.withRuntimeData(new Dropout(), X, Tensor.scalar(0f), bool(true));
        assertThat(same[0].toFloatArray()).containsExactly(1, -2, 3, -4);
        assertThat(same[1].toLongArray()).containsExactly(1, 1, 1, 1);
    }

    @Test
    void theRatioAndTrainingModeAreSettingsNotParameters() {
        Dropout op = new Dropout();
        assertThat(op.isTrainableInput(0)).isTrue();
        assertThat(op.isTrainableInput(1)).isFalse();
        assertThat(op.isTrainableInput(2)).isFalse();
        ModelBuilder b = new ModelBuilder("m", 1);
        String h = b.dropout(b.dense(b.input("x", 2, 3), 4), 0.3f);
        Graph g = b.output(h).build();
        assertThat(Trainer.trainableInitializers(g)).containsExactlyInAnyOrder("fc1.weight", "fc1.bias");
    }

    /** Runs {@code op} on a given context with input 0 known at run time and the rest constant. */
    private static Tensor[] run(Dropout op, ExecutionContext ctx, Tensor... inputs) {
        List<ValueInfo> infos = new java.util.ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            infos.add(i == 0 ? ValueInfo.of(inputs[i].shape()) : ValueInfo.constant(inputs[i]));
        }
        List<ValueInfo> outs = op.inferOutputs(infos);
        Tensor[] out = {Tensor.zeros(outs.get(0).shape()), Tensor.zeros(outs.get(1).shape(), DataType.BOOL)};
        op.forward(inputs, out, ctx);
        return out;
    }

    @Test
    void attributesOfOldAndNewOpsets() {
        assertThat(Dropout.fromOnnx(Attributes.builder().set("seed", 3L).build(), 13)).isEqualTo(new Dropout(3L));
        assertThat(Dropout.fromOnnx(Attributes.builder().set("ratio", 0.2f).build(), 11)).isEqualTo(new Dropout());
        assertThatThrownBy(() -> Dropout.fromOnnx(Attributes.builder().set("ratio", 0.2f).build(), 13))
                .hasMessageContaining("does not support attribute(s) [ratio]");
        assertThatThrownBy(() -> new Dropout().inferOutputs(List.of(ValueInfo.of(Shape.of(2)),
                ValueInfo.constant(Tensor.scalar(1f)))))
                .hasMessageContaining("ratio must be in [0, 1)");
    }
}
