package dev.minnow.compression.lowrank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Tucker-2 by HOSVD: by hand, exact at full and at the true multilinear rank, and within De Lathauwer's bound. */
class Tucker2Test {

    @Test
    void oneByOneKernelByHand() {
        // W as a channel matrix [[3, 0], [0, 1]]: ranks (1, 1) keep the 3, so the error is 1 / sqrt(10)
        Tucker2 t = Tucker2.decompose(new double[] {3, 0, 0, 1}, 2, 2, 1, 1, 1, 1);
        assertThat(t.reconstruct()).containsExactly(new double[] {3, 0, 0, 0}, within(1e-15));
        assertThat(t.relativeError(new double[] {3, 0, 0, 1})).isCloseTo(1 / Math.sqrt(10), within(1e-15));
        assertThat(t.core()).hasSize(1);
        assertThat(Math.abs(t.core()[0])).isCloseTo(3, within(1e-15));
        assertThat(t.keptEnergy()).containsExactly(new double[] {0.9, 0.9}, within(1e-15));
    }

    @Test
    void fullRanksReproduceTheKernelWithOrthonormalFactors() {
        double[] w = random(new Random(1), 4 * 3 * 3 * 3);
        Tucker2 t = Tucker2.decompose(w, 4, 3, 3, 3, 4, 3);
        assertThat(Frobenius.relativeError(w, t.reconstruct())).isLessThan(1e-14);
        assertOrthonormalColumns(t.outFactor(), 4, 4);
        assertOrthonormalColumns(t.inFactor(), 3, 3);
    }

    @Test
    void recoversAKernelOfExactMultilinearRank() {
        // W = G x_0 A x_1 B with G [2, 3, 3, 2], A [6, 2], B [5, 3]: multilinear rank (2, 3)
        Random rnd = new Random(2);
        double[] g = random(rnd, 2 * 3 * 6);
        double[] a = random(rnd, 6 * 2);
        double[] b = random(rnd, 5 * 3);
        double[] w = new double[6 * 5 * 6];
        for (int o = 0; o < 6; o++) {
            for (int i = 0; i < 5; i++) {
                for (int s = 0; s < 6; s++) {
                    double v = 0;
                    for (int p = 0; p < 2; p++) {
                        for (int q = 0; q < 3; q++) {
                            v += a[o * 2 + p] * b[i * 3 + q] * g[(p * 3 + q) * 6 + s];
                        }
                    }
                    w[(o * 5 + i) * 6 + s] = v;
                }
            }
        }
        Tucker2 t = Tucker2.decompose(w, 6, 5, 3, 2, RankRule.energy(1 - 1e-12), RankRule.energy(1 - 1e-12));
        assertThat(t.rOut()).isEqualTo(2);
        assertThat(t.rIn()).isEqualTo(3);
        assertThat(t.outSigma()[2]).isLessThan(1e-12 * t.outSigma()[0]);
        assertThat(Frobenius.relativeError(w, t.reconstruct())).isLessThan(1e-13);
    }

    @Test
    void truncationErrorLiesWithinTheHosvdBounds() {
        double[] w = random(new Random(3), 8 * 6 * 3 * 3);
        Tucker2 t = Tucker2.decompose(w, 8, 6, 3, 3, 3, 2);
        double norm2 = Math.pow(Frobenius.norm(w), 2);
        double err2 = Math.pow(t.relativeError(w), 2) * norm2;
        double dropped0 = dropped(t.outSigma(), 3);
        double dropped1 = dropped(t.inSigma(), 2);
        // no rank-3 approximation of the mode-0 unfolding does better than Eckart-Young, nor of mode 1 ...
        assertThat(err2).isGreaterThanOrEqualTo(Math.max(dropped0, dropped1) * (1 - 1e-12));
        // ... and truncated HOSVD is within the sum of both (De Lathauwer et al. 2000, property 10)
        assertThat(err2).isLessThanOrEqualTo((dropped0 + dropped1) * (1 + 1e-12));
        assertThat(t.keptEnergy()[0]).isCloseTo(1 - dropped0 / norm2, within(1e-12));
    }

    @Test
    void channelFractionRoundsUp() {
        double[] w = random(new Random(4), 5 * 3 * 1 * 1);
        Tucker2 t = Tucker2.decompose(w, 5, 3, 1, 1, RankRule.channels(0.5), RankRule.channels(0.5));
        assertThat(t.rOut()).isEqualTo(3);
        assertThat(t.rIn()).isEqualTo(2);
    }

    static double dropped(double[] sigma, int k) {
        double s = 0;
        for (int j = k; j < sigma.length; j++) {
            s += sigma[j] * sigma[j];
        }
        return s;
    }

    static double[] random(Random rnd, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = rnd.nextGaussian();
        }
        return d;
    }

    static void assertOrthonormalColumns(double[] f, int rows, int cols) {
        for (int p = 0; p < cols; p++) {
            for (int q = 0; q < cols; q++) {
                double s = 0;
                for (int i = 0; i < rows; i++) {
                    s += f[i * cols + p] * f[i * cols + q];
                }
                assertThat(s).as("[%d, %d]", p, q).isCloseTo(p == q ? 1 : 0, within(1e-13));
            }
        }
    }
}
