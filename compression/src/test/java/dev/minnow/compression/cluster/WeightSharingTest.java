package dev.minnow.compression.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WeightSharingTest {

    private static Tensor sparseGaussian(int rows, int cols, double keep, long seed) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(rows, cols);
        for (int i = 0; i < t.size(); i++) {
            if (r.nextDouble() < keep) {
                t.data()[i] = (float) (0.1 * r.nextGaussian());
            }
        }
        return t;
    }

    @Test
    void zerosKeepTheZeroCodeAndKeptWeightsShareAtMostTwoToTheBitsMinusOneValues() {
        Tensor w = sparseGaussian(50, 40, 0.3, 1);
        SharedWeights s = WeightSharing.cluster("fc.weight", w, 3, KMeansInit.LINEAR, 0);
        assertThat(s.codebook().size()).isEqualTo(8);
        assertThat(s.codebook().get(0)).isZero();
        Tensor decoded = s.toTensor();
        Set<Float> distinct = new HashSet<>();
        for (int i = 0; i < w.size(); i++) {
            if (w.get(i) == 0f) {
                assertThat(s.code(i)).isZero();
                assertThat(decoded.get(i)).isZero();
            } else {
                assertThat(s.code(i)).isBetween(1, 7);
                distinct.add(decoded.get(i));
                // each weight goes to its nearest shared value
                float mine = Math.abs(w.get(i) - decoded.get(i));
                for (int k = 1; k < 8; k++) {
                    assertThat(mine).isLessThanOrEqualTo(Math.abs(w.get(i) - s.codebook().get(k)) + 1e-7f);
                }
            }
        }
        assertThat(distinct.size()).isLessThanOrEqualTo(7);
        assertThat(s.keptCount()).isEqualTo((int) java.util.stream.IntStream.range(0, w.size())
                .filter(i -> w.get(i) != 0f).count());
    }

    @Test
    void aFullyPrunedLayerHasOnlyTheZeroCode() {
        SharedWeights s = WeightSharing.cluster("w", Tensor.zeros(4, 4), 5, KMeansInit.LINEAR, 0);
        assertThat(s.codebook().size()).isEqualTo(1);
        assertThat(s.keptCount()).isZero();
        assertThat(s.toTensor().contentEquals(Tensor.zeros(4, 4))).isTrue();
    }

    @Test
    void codebookAndCodesAreValidated() {
        Tensor book = Tensor.of(Shape.of(2), 0f, 1f);
        assertThatThrownBy(() -> new SharedWeights("w", Shape.of(2), 1, book, new byte[] {0, 2}))
                .hasMessageContaining("code 2 outside a codebook of 2");
        assertThatThrownBy(() -> new SharedWeights("w", Shape.of(2), 1, Tensor.of(Shape.of(2), 1f, 1f), new byte[2]))
                .hasMessageContaining("codebook[0] must be 0");
        assertThatThrownBy(() -> new SharedWeights("w", Shape.of(2), 9, book, new byte[2]))
                .hasMessageContaining("1 to 8");
    }
}
