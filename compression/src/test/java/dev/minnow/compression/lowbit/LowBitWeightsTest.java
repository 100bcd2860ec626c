package dev.minnow.compression.lowbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * TWN's threshold and scale and the binary scale, by hand and against a brute-force search of the
 * scale that minimises {@code ||W - alpha C||^2} for the chosen codes.
 */
class LowBitWeightsTest {

    @Test
    void twnExampleOfTheJavadoc() {
        // E|W| = 1.9 / 4 = 0.475, delta = 0.3325: 0.3 and -0.1 fall to 0, alpha = (0.9 + 0.6) / 2
        LowBitWeights.Quantized q = LowBitWeights.quantize(Tensor.of(Shape.of(4), 0.9f, -0.1f, 0.3f, -0.6f),
                LowBitWeights.Coding.TERNARY, LowBitWeights.PER_LAYER);
        assertThat(q.codes()).containsExactly(new byte[] {1, 0, 0, -1});
        assertThat(q.scales()[0]).isCloseTo(0.75f, offset(1e-6f));
        assertThat(q.dequantized().toFloatArray()).containsExactly(0.75f, 0f, 0f, -0.75f);
        assertThat(q.zeroFraction()).isEqualTo(0.5);
    }

    @Test
    void perFilterScalesAlongAxis0AndAxis1() {
        // rows (filters): (1, -3) and (0.5, 0.5, ...) as a [2, 2] Conv-like tensor, axis 0
        Tensor w = Tensor.of(Shape.of(2, 2), 1f, -3f, 0.5f, -0.5f);
        LowBitWeights.Quantized rows = LowBitWeights.quantize(w, LowBitWeights.Coding.BINARY, 0);
        assertThat(rows.scales()).containsExactly(2f, 0.5f);
        assertThat(rows.codes()).containsExactly(new byte[] {1, -1, 1, -1});
        // the same tensor as a Gemm [in, out] without transB: filters are columns (1, 0.5) and (-3, -0.5)
        LowBitWeights.Quantized cols = LowBitWeights.quantize(w, LowBitWeights.Coding.BINARY, 1);
        assertThat(cols.scales()).containsExactly(0.75f, 1.75f);
        // ternary per column: column 0 = (1, 0.5): E = 0.75, delta = 0.525, only 1 survives, alpha 1
        LowBitWeights.Quantized tcols = LowBitWeights.quantize(w, LowBitWeights.Coding.TERNARY, 1);
        assertThat(tcols.codes()).containsExactly(new byte[] {1, -1, 0, 0});
        assertThat(tcols.scales()).containsExactly(1f, 3f);
    }

    @Test
    void allZeroWeightsGiveZeroCodesAndScale() {
        LowBitWeights.Quantized q = LowBitWeights.quantize(Tensor.zeros(3), LowBitWeights.Coding.TERNARY,
                LowBitWeights.PER_LAYER);
        assertThat(q.codes()).containsExactly(new byte[] {0, 0, 0});
        assertThat(q.scales()).containsExactly(0f);
    }

    @Test
    void theScalesMinimiseTheSquaredErrorForTheirCodes() {
        Random r = new Random(3);
        Tensor w = Tensor.zeros(200);
        for (int i = 0; i < w.size(); i++) {
            w.data()[i] = (float) (0.1 * r.nextGaussian());
        }
        for (LowBitWeights.Coding coding : LowBitWeights.Coding.values()) {
            LowBitWeights.Quantized q = LowBitWeights.quantize(w, coding, LowBitWeights.PER_LAYER);
            double best = Double.NaN;
            double bestError = Double.POSITIVE_INFINITY;
            for (int step = 0; step <= 4000; step++) {
                double alpha = step * 0.0001;
                double e = 0;
                for (int i = 0; i < w.size(); i++) {
                    double d = w.get(i) - alpha * q.codes()[i];
                    e += d * d;
                }
                if (e < bestError) {
                    bestError = e;
                    best = alpha;
                }
            }
            assertThat((double) q.scales()[0]).as(coding.name()).isCloseTo(best, offset(1e-4));
        }
    }

    @Test
    void theTernaryThresholdIsSeventyPercentOfTheMeanMagnitude() {
        Random r = new Random(9);
        Tensor w = Tensor.zeros(500);
        double sum = 0;
        for (int i = 0; i < w.size(); i++) {
            w.data()[i] = (float) r.nextGaussian();
            sum += Math.abs(w.get(i));
        }
        double delta = 0.7 * sum / w.size();
        LowBitWeights.Quantized q = LowBitWeights.quantize(w, LowBitWeights.Coding.TERNARY, LowBitWeights.PER_LAYER);
        for (int i = 0; i < w.size(); i++) {
            int expected = Math.abs(w.get(i)) > delta ? (w.get(i) > 0 ? 1 : -1) : 0;
            assertThat((int) q.codes()[i]).as("weight %s, delta %s", w.get(i), delta).isEqualTo(expected);
        }
        // for a normal distribution about 0.7 * sqrt(2/pi) = 0.56 sigma: ~42 % of the weights become 0
        assertThat(q.zeroFraction()).isBetween(0.36, 0.48);
    }
}
