package dev.minnow.compression.lowrank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one-sided Jacobi SVD against matrices whose singular values are known by construction
 * ({@code A = Q_1 diag(sigma) Q_2^T} with orthogonal Householder reflections or a Hadamard
 * matrix) or by hand, and against the identities an SVD must satisfy.
 */
class JacobiSvdTest {

    @Test
    void twoByTwoByHand() {
        // A = [[3, 0], [4, 5]]: A^T A = [[25, 20], [20, 25]], eigenvalues 45 and 5, so sigma = 3 sqrt 5 and sqrt 5
        JacobiSvd.Result r = JacobiSvd.decompose(new double[] {3, 0, 4, 5}, 2, 2);
        assertThat(r.s()).containsExactly(new double[] {3 * Math.sqrt(5), Math.sqrt(5)}, within(1e-14));
        // the right singular vectors are those of A^T A: (1, 1)/sqrt 2 and (1, -1)/sqrt 2, up to sign
        assertThat(Math.abs(r.v(0, 0))).isCloseTo(Math.sqrt(0.5), within(1e-14));
        assertThat(r.v(0, 0) * r.v(1, 0)).isCloseTo(0.5, within(1e-14));
        assertThat(r.v(0, 1) * r.v(1, 1)).isCloseTo(-0.5, within(1e-14));
        assertThat(r.reconstruct(2)).containsExactly(new double[] {3, 0, 4, 5}, within(1e-14));
    }

    @Test
    void diagonalWithSignsAndPermutationAndOneByOne() {
        // [[0, 0, 1], [-3, 0, 0], [0, 2, 0]]: singular values 3, 2, 1
        JacobiSvd.Result r = JacobiSvd.decompose(new double[] {0, 0, 1, -3, 0, 0, 0, 2, 0}, 3, 3);
        assertThat(r.s()).containsExactly(new double[] {3, 2, 1}, within(1e-15));
        assertThat(r.sweeps()).isEqualTo(1);                  // already orthogonal columns: no rotation needed
        assertThat(JacobiSvd.decompose(new double[] {-2}, 1, 1).s()).containsExactly(2.0);
    }

    @Test
    void hadamardConstructionHasTheChosenSingularValuesAndVectors() {
        double[] h = hadamard4();
        double[] q2 = householder(new double[] {1, -2, 0, 3});
        double[] sigma = {4, 3, 2, 1};
        double[] a = compose(h, 4, sigma, q2, 4);
        JacobiSvd.Result r = JacobiSvd.decompose(a, 4, 4);
        assertThat(r.s()).containsExactly(sigma, within(1e-14));
        for (int j = 0; j < 4; j++) {
            // u_j = +-(column j of H), v_j = +-(column j of Q2): distinct singular values fix them up to sign
            double du = 0;
            double dv = 0;
            for (int i = 0; i < 4; i++) {
                du += r.u(i, j) * h[i * 4 + j];
                dv += r.v(i, j) * q2[i * 4 + j];
            }
            assertThat(Math.abs(du)).as("u_%d", j).isCloseTo(1, within(1e-14));
            assertThat(Math.abs(dv)).as("v_%d", j).isCloseTo(1, within(1e-14));
        }
    }

    @Test
    void tallAndWideMatricesWithWidelySpreadSingularValues() {
        double[] q1 = householder(new double[] {1, 2, 3, 4, 5});
        double[] q2 = householder(new double[] {1, -1, 2});
        double[] sigma = {10, 1, 1e-3};
        double[] tall = new double[5 * 3];                 // Q1[:, :3] diag(sigma) Q2^T
        for (int i = 0; i < 5; i++) {
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < 3; j++) {
                    tall[i * 3 + c] += q1[i * 5 + j] * sigma[j] * q2[c * 3 + j];
                }
            }
        }
        double[] wide = transpose(tall, 5, 3);
        for (JacobiSvd.Result r : new JacobiSvd.Result[] {JacobiSvd.decompose(tall, 5, 3),
            JacobiSvd.decompose(wide, 3, 5)}) {
            assertThat(r.rank()).isEqualTo(3);
            for (int j = 0; j < 3; j++) {
                // to about eps * sigma_1, the rounding of A itself (no A^T A was formed, which would lose sigma_3)
                assertThat(r.s()[j]).as("sigma_%d of %dx%d", j, r.rows(), r.cols())
                        .isCloseTo(sigma[j], within(1e-15 * sigma[0]));
            }
            assertThat(Frobenius.relativeError(r.rows() == 5 ? tall : wide, r.reconstruct(3))).isLessThan(1e-15);
            // dropping sigma_3 = 1e-3 leaves exactly that much error (Eckart-Young)
            double expected = 1e-3 / Math.sqrt(100 + 1 + 1e-6);
            assertThat(Frobenius.relativeError(r.rows() == 5 ? tall : wide, r.reconstruct(2)))
                    .isCloseTo(expected, within(1e-12));
        }
    }

    @Test
    void rankOneMatrixHasOneNonZeroSingularValue() {
        // u v^T with |u| = 3, |v| = sqrt 5: sigma_1 = 3 sqrt 5, the rest zero
        double[] u = {1, 2, 2};
        double[] v = {2, 0, 0, 1};
        double[] a = new double[12];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                a[i * 4 + j] = u[i] * v[j];
            }
        }
        JacobiSvd.Result r = JacobiSvd.decompose(a, 3, 4);
        assertThat(r.s()[0]).isCloseTo(3 * Math.sqrt(5), within(1e-14));
        assertThat(r.s()[1]).isLessThan(1e-14);
        assertThat(r.s()[2]).isLessThan(1e-14);
        assertThat(Frobenius.relativeError(a, r.reconstruct(1))).isLessThan(1e-15);
    }

    @Test
    void randomMatrixSatisfiesTheSvdIdentities() {
        Random rnd = new Random(12);
        int m = 40;
        int n = 30;
        double[] a = new double[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextGaussian();
        }
        JacobiSvd.Result r = JacobiSvd.decompose(a, m, n);
        assertThat(Frobenius.relativeError(a, r.reconstruct(n))).isLessThan(1e-14);
        assertThat(r.energy()).isCloseTo(Math.pow(Frobenius.norm(a), 2), within(1e-10));
        for (int j = 1; j < n; j++) {
            assertThat(r.s()[j]).isLessThanOrEqualTo(r.s()[j - 1]);
        }
        for (int p = 0; p < n; p++) {
            for (int q = 0; q < n; q++) {
                double uu = 0;
                double vv = 0;
                for (int i = 0; i < m; i++) {
                    uu += r.u(i, p) * r.u(i, q);
                }
                for (int i = 0; i < n; i++) {
                    vv += r.v(i, p) * r.v(i, q);
                }
                assertThat(uu).as("U^T U [%d, %d]", p, q).isCloseTo(p == q ? 1 : 0, within(1e-13));
                assertThat(vv).as("V^T V [%d, %d]", p, q).isCloseTo(p == q ? 1 : 0, within(1e-13));
            }
        }
        // Eckart-Young: the rank-k truncation's squared error is the sum of the dropped sigma^2
        for (int k : new int[] {1, 10, 29}) {
            double dropped = r.energy() - r.keptEnergy(k);
            double err = Frobenius.relativeError(a, r.reconstruct(k)) * Frobenius.norm(a);
            assertThat(err * err).isCloseTo(dropped, within(1e-9 * r.energy()));
        }
        assertThat(r.sweeps()).isBetween(3, 15);
    }

    @Test
    void refusesNonFiniteElementsAndWrongSizes() {
        assertThatThrownBy(() -> JacobiSvd.decompose(new double[] {1, Double.NaN, 0, 1}, 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot decompose a 2 x 2 matrix holding NaN at row 0, column 1");
        assertThatThrownBy(() -> JacobiSvd.decompose(new double[5], 2, 3))
                .hasMessage("a 2 x 3 matrix needs 6 elements, got 5");
    }

    @Test
    void rankRulesChooseFromTheSpectrum() {
        double[] sigma = {3, 2, 1, 0};          // energies 9, 4, 1, 0 of 14
        assertThat(RankRule.energy(0.6).choose(sigma, 4, 4)).isEqualTo(1);     // 9/14 = 0.643
        assertThat(RankRule.energy(0.9).choose(sigma, 4, 4)).isEqualTo(2);     // 13/14 = 0.929
        assertThat(RankRule.energy(1.0).choose(sigma, 4, 4)).isEqualTo(3);
        assertThat(RankRule.rank(9).choose(sigma, 4, 4)).isEqualTo(4);
        // an 800 x 500 matrix at a quarter of its weights: k (800 + 500) <= 100,000, k = 76
        assertThat(RankRule.parameters(0.25).choose(new double[500], 500, 800)).isEqualTo(76);
        assertThat(RankRule.channels(0.5).choose(new double[25], 25, 9)).isEqualTo(13);
        assertThat(RankRule.keptEnergy(sigma, 2)).isCloseTo(13.0 / 14, within(1e-15));
        assertThatThrownBy(() -> RankRule.energy(1.5)).hasMessage("a kept-energy ratio must be in (0, 1], got 1.5");
    }

    /** The 4x4 Hadamard matrix divided by 2 (orthogonal). */
    static double[] hadamard4() {
        return new double[] {
            0.5, 0.5, 0.5, 0.5,
            0.5, -0.5, 0.5, -0.5,
            0.5, 0.5, -0.5, -0.5,
            0.5, -0.5, -0.5, 0.5};
    }

    /** {@code I - 2 v v^T / (v^T v)}, an orthogonal (and symmetric) matrix. */
    static double[] householder(double[] v) {
        int n = v.length;
        double vv = 0;
        for (double x : v) {
            vv += x * x;
        }
        double[] q = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q[i * n + j] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / vv;
            }
        }
        return q;
    }

    /** {@code Q1 diag(sigma) Q2^T} for square {@code n x n} Q1, Q2. */
    static double[] compose(double[] q1, int n, double[] sigma, double[] q2, int m) {
        double[] a = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < m; c++) {
                for (int j = 0; j < sigma.length; j++) {
                    a[i * m + c] += q1[i * n + j] * sigma[j] * q2[c * m + j];
                }
            }
        }
        return a;
    }

    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }
}
