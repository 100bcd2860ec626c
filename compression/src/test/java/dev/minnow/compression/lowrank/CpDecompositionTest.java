package dev.minnow.compression.lowrank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** CP by ALS: a rank-one tensor by hand, exactly low-rank tensors, and the behaviour on a random kernel. */
class CpDecompositionTest {

    @Test
    void rankOneTensorByHand() {
        // a o b o c o d with |a| = sqrt 5, |b| = 1.5, |c| = sqrt 5, |d| = sqrt 10: lambda = 7.5 sqrt 10
        double[][] f = {{1, 2}, {1, -1, 0.5}, {2, 1}, {1, 3}};
        double[] x = outer(f);
        CpDecomposition cp = CpDecomposition.decompose(x, new int[] {2, 3, 2, 2}, 1, 50, 1e-15, 1);
        assertThat(cp.relativeError()).isLessThan(1e-13);
        assertThat(cp.weights()[0]).isCloseTo(7.5 * Math.sqrt(10), within(1e-12));
        // each factor is the unit vector of the hand-made one, up to sign
        for (int m = 0; m < 4; m++) {
            double dot = 0;
            double norm = 0;
            for (int i = 0; i < f[m].length; i++) {
                dot += cp.factor(m, i, 0) * f[m][i];
                norm += f[m][i] * f[m][i];
            }
            assertThat(Math.abs(dot)).as("mode %d", m).isCloseTo(Math.sqrt(norm), within(1e-12));
        }
    }

    @Test
    void recoversAnExactlyLowRankKernel() {
        int[] dims = {6, 5, 3, 3};
        double[] x = lowRank(dims, 3, new Random(7));
        CpDecomposition cp = CpDecomposition.decompose(x, dims, 3, 2000, 1e-14, 1);
        assertThat(cp.relativeError()).isLessThan(1e-6);
        assertThat(Frobenius.relativeError(x, cp.reconstruct())).isEqualTo(cp.relativeError(), within(1e-15));
    }

    @Test
    void onARandomKernelMoreRankFitsBetterAndTheSeedFixesTheResult() {
        int[] dims = {8, 6, 3, 3};
        double[] x = Tucker2Test.random(new Random(8), 8 * 6 * 9);
        CpDecomposition r2 = CpDecomposition.decompose(x, dims, 2, 200, 1e-9, 1);
        CpDecomposition r12 = CpDecomposition.decompose(x, dims, 12, 200, 1e-9, 1);
        assertThat(r2.relativeError()).isBetween(0.5, 1.0);
        assertThat(r12.relativeError()).isLessThan(r2.relativeError());
        assertThat(r12.iterations()).isBetween(1, 200);
        CpDecomposition again = CpDecomposition.decompose(x, dims, 12, 200, 1e-9, 1);
        assertThat(again.relativeError()).isEqualTo(r12.relativeError());
        assertThat(again.reconstruct()).containsExactly(r12.reconstruct());
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> CpDecomposition.decompose(new double[5], new int[] {2, 3}, 1, 10, 0, 1))
                .hasMessage("a tensor of dimensions [2, 3] needs 6 elements, got 5");
        assertThatThrownBy(() -> CpDecomposition.decompose(new double[6], new int[] {2, 3}, 0, 10, 0, 1))
                .hasMessage("CP needs a rank >= 1 and at least one iteration, got rank 0 and 10 iterations");
    }

    /** The outer product of the vectors, row-major. */
    static double[] outer(double[][] f) {
        int size = 1;
        for (double[] v : f) {
            size *= v.length;
        }
        double[] x = new double[size];
        int[] idx = new int[f.length];
        for (int e = 0; e < size; e++) {
            double p = 1;
            for (int m = 0; m < f.length; m++) {
                p *= f[m][idx[m]];
            }
            x[e] = p;
            for (int m = f.length - 1; m >= 0; m--) {
                if (++idx[m] < f[m].length) {
                    break;
                }
                idx[m] = 0;
            }
        }
        return x;
    }

    /** A sum of {@code rank} outer products of Gaussian vectors. */
    static double[] lowRank(int[] dims, int rank, Random rnd) {
        int size = 1;
        for (int d : dims) {
            size *= d;
        }
        double[] x = new double[size];
        for (int r = 0; r < rank; r++) {
            double[][] f = new double[dims.length][];
            for (int m = 0; m < dims.length; m++) {
                f[m] = Tucker2Test.random(rnd, dims[m]);
            }
            double[] term = outer(f);
            for (int i = 0; i < size; i++) {
                x[i] += term[i];
            }
        }
        return x;
    }
}
