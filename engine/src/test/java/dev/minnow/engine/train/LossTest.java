package dev.minnow.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LossTest {

    @Test
    void crossEntropyOfUniformLogitsIsLogK() {
        Tensor z = Tensor.zeros(3, 10);
        assertThat(SoftmaxCrossEntropy.lossAndGradient(z, new int[] {0, 5, 9}, null))
                .isCloseTo((float) Math.log(10), within(1e-6f));
    }

    @Test
    void crossEntropyHandComputed() {
        // logits [1, 2, 3], label 2: softmax = e^(k-3)/sum = [0.0900306, 0.2447285, 0.6652410]
        Tensor z = Tensor.of(Shape.of(1, 3), 1, 2, 3);
        Tensor g = Tensor.zeros(1, 3);
        float loss = SoftmaxCrossEntropy.lossAndGradient(z, new int[] {2}, g);
        assertThat(loss).isCloseTo((float) -Math.log(0.6652410), within(1e-6f));
        assertThat(g.toFloatArray()).containsExactly(new float[] {0.0900306f, 0.2447285f, 0.6652410f - 1f},
                within(1e-6f));
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor z = Tensor.of(Shape.of(1, 2), 1000f, 1001f);
        float loss = SoftmaxCrossEntropy.lossAndGradient(z, new int[] {0}, Tensor.zeros(1, 2));
        assertThat(loss).isCloseTo((float) Math.log1p(Math.E), within(1e-5f));
    }

    @Test
    void crossEntropyGradientMatchesFiniteDifferences() {
        Random r = new Random(3);
        Tensor z = Tensor.zeros(4, 7);
        Init.gaussian(z, 2, r);
        int[] y = {1, 6, 0, 3};
        Tensor g = Tensor.zeros(4, 7);
        SoftmaxCrossEntropy.lossAndGradient(z, y, g);
        checkNumeric(z, g, t -> SoftmaxCrossEntropy.lossAndGradient(t, y, null));
    }

    @Test
    void distillationGradientMatchesFiniteDifferencesAndReducesToCrossEntropy() {
        Random r = new Random(5);
        Tensor s = Tensor.zeros(3, 5);
        Tensor t = Tensor.zeros(3, 5);
        Init.gaussian(s, 1.5, r);
        Init.gaussian(t, 3, r);
        int[] y = {4, 0, 2};
        for (float temperature : new float[] {1f, 4f, 20f}) {
            DistillationLoss kd = new DistillationLoss(temperature, 0.7f);
            Tensor g = Tensor.zeros(3, 5);
            kd.lossAndGradient(s, t, y, g);
            checkNumeric(s, g, x -> kd.lossAndGradient(x, t, y, null));
        }
        // alpha = 0: exactly the hard-label cross-entropy
        DistillationLoss hardOnly = new DistillationLoss(4f, 0f);
        assertThat(hardOnly.lossAndGradient(s, t, y, null))
                .isCloseTo(SoftmaxCrossEntropy.lossAndGradient(s, y, null), within(1e-5f));
        // a student equal to the teacher has zero soft gradient
        DistillationLoss softOnly = new DistillationLoss(4f, 1f);
        Tensor g = Tensor.zeros(3, 5);
        softOnly.lossAndGradient(t, t, y, g);
        for (float v : g.toFloatArray()) {
            assertThat(v).isCloseTo(0f, within(1e-7f));
        }
        assertThatThrownBy(() -> new DistillationLoss(0f, 0.5f)).hasMessageContaining("temperature");
    }

    @Test
    void mseHandComputed() {
        Tensor x = Tensor.of(Shape.of(2, 2), 1, 2, 3, 4);
        Tensor t = Tensor.of(Shape.of(2, 2), 1, 0, 3, 8);
        Tensor g = Tensor.zeros(2, 2);
        assertThat(MeanSquaredError.lossAndGradient(x, t, g)).isEqualTo((0 + 4 + 0 + 16) / 4f);
        assertThat(g.toFloatArray()).containsExactly(0f, 1f, 0f, -2f);
    }

    @Test
    void rejectsLabelsOutOfRange() {
        assertThatThrownBy(() -> SoftmaxCrossEntropy.lossAndGradient(Tensor.zeros(1, 3), new int[] {3}, null))
                .hasMessageContaining("label 3 of row 0 is outside [0, 3)");
    }

    interface LossOf {
        float at(Tensor t);
    }

    static void checkNumeric(Tensor x, Tensor analytic, LossOf loss) {
        float[] d = x.data();
        for (int i = 0; i < x.size(); i++) {
            float keep = d[i];
            double h = 1e-2;
            d[i] = (float) (keep + h);
            double up = loss.at(x);
            d[i] = (float) (keep - h);
            double down = loss.at(x);
            d[i] = keep;
            double numeric = (up - down) / (2 * h);
            assertThat((double) analytic.get(i)).as("element %d", i).isCloseTo(numeric, within(2e-3 + 1e-2 * Math.abs(numeric)));
        }
    }
}
