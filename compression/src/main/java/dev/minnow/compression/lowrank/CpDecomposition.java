package dev.minnow.compression.lowrank;

import java.util.Arrays;
import java.util.Random;

/**
 * The canonical polyadic (CP, also CANDECOMP/PARAFAC) decomposition of a dense N-way tensor into
 * a sum of {@code R} rank-one terms, fitted by alternating least squares (Carroll &amp; Chang 1970;
 * Harshman 1970; Kolda &amp; Bader 2009, "Tensor Decompositions and Applications", section 3.4):
 * <pre>
 *   X[i_0, ..., i_{N-1}]  ~  sum_{r &lt; R}  lambda_r * A_0[i_0, r] * A_1[i_1, r] * ... * A_{N-1}[i_{N-1}, r]
 * </pre>
 * For a convolution kernel {@code W [C_out, C_in, kh, kw]} this is Lebedev et al.'s decomposition
 * ("Speeding-up Convolutional Neural Networks Using Fine-tuned CP-Decomposition", ICLR 2015),
 * which turns one convolution into four thin ones ({@link ConvFactorization#cp}).
 *
 * <p><b>ALS.</b> Fixing every factor but {@code A_n} makes the fit a linear least-squares problem
 * with the closed-form solution
 * <pre>
 *   A_n = X_(n) (A_{N-1} (.) ... (.) A_{n+1} (.) A_{n-1} (.) ... (.) A_0)  V^-1,
 *   V   = (A_0^T A_0) * ... * (A_{n-1}^T A_{n-1}) * (A_{n+1}^T A_{n+1}) * ... * (A_{N-1}^T A_{N-1})
 * </pre>
 * ({@code (.)} the Khatri-Rao product, {@code *} the element-wise product of the R x R Gram
 * matrices). The first factor is the "MTTKRP", computed here element by element without forming
 * the Khatri-Rao matrix; V is solved by Cholesky with a tiny ridge ({@code 1e-15 trace(V) / R},
 * which keeps it solvable when two components become collinear). After each update the columns
 * of {@code A_n} are normalised and their norms kept as {@code lambda}. One iteration updates
 * every mode once; the loop stops when the relative error changes by less than the tolerance or at
 * the iteration limit. The start is a seeded Gaussian draw, so a run is reproducible.
 *
 * <p><b>Caveats</b> (the ones Lebedev et al. report). The best rank-R approximation may not exist
 * (the error can approach an infimum while components diverge: "degeneracy"), ALS may crawl
 * ("swamps"), and a different seed can give a different local optimum. Exactly low-rank tensors
 * are recovered to rounding error (CpDecompositionTest); for real kernels the relative error is
 * reported, and fine-tuning absorbs what the fit missed.
 *
 * @param dims          the tensor's dimensions
 * @param rank          R
 * @param weights       lambda, length R
 * @param factors       {@code A_n}, row-major {@code [dims[n], R]} with unit-norm columns
 * @param iterations    ALS iterations run
 * @param relativeError {@code |X - X^|_F / |X|_F} at the end
 */
public record CpDecomposition(int[] dims, int rank, double[] weights, double[][] factors, int iterations,
                              double relativeError) {
    public static final int DEFAULT_ITERATIONS = 300;
    public static final double DEFAULT_TOLERANCE = 1e-7;

    /**
     * Fits a rank-{@code rank} CP model to the row-major tensor {@code x}.
     *
     * @param maxIterations ALS iterations at most
     * @param tolerance     stop when the relative error moves by less than this in one iteration
     * @param seed          seed of the Gaussian start
     */
    public static CpDecomposition decompose(double[] x, int[] dims, int rank, int maxIterations, double tolerance,
                                            long seed) {
        int size = 1;
        for (int d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("tensor dimensions must be >= 1, got " + Arrays.toString(dims));
            }
            size *= d;
        }
        if (x.length != size) {
            throw new IllegalArgumentException("a tensor of dimensions " + Arrays.toString(dims) + " needs " + size
                    + " elements, got " + x.length);
        }
        if (rank < 1 || maxIterations < 1) {
            throw new IllegalArgumentException("CP needs a rank >= 1 and at least one iteration, got rank " + rank
                    + " and " + maxIterations + " iterations");
        }
        int n = dims.length;
        Random random = new Random(seed);
        double[][] factors = new double[n][];
        double[] weights = new double[rank];
        for (int m = 0; m < n; m++) {
            factors[m] = new double[dims[m] * rank];
            for (int i = 0; i < factors[m].length; i++) {
                factors[m][i] = random.nextGaussian();
            }
            normalizeColumns(factors[m], dims[m], rank, weights);
        }
        Arrays.fill(weights, 1);
        double previous = Double.POSITIVE_INFINITY;
        double error = Double.POSITIVE_INFINITY;
        int iterations = 0;
        while (iterations < maxIterations) {
            iterations++;
            for (int mode = 0; mode < n; mode++) {
                double[] m = mttkrp(x, dims, factors, mode, rank);
                double[] v = gramProduct(factors, dims, mode, rank);
                factors[mode] = solveRight(m, dims[mode], v, rank);
                normalizeColumns(factors[mode], dims[mode], rank, weights);
            }
            error = Frobenius.relativeError(x, reconstruct(dims, weights, factors));
            if (Math.abs(previous - error) < tolerance) {
                break;
            }
            previous = error;
        }
        return new CpDecomposition(dims.clone(), rank, weights, factors, iterations, error);
    }

    /** {@code X^ = sum_r lambda_r a_0r o a_1r o ...}, row-major. */
    public double[] reconstruct() {
        return reconstruct(dims, weights, factors);
    }

    /** Factor {@code n}'s element {@code [i, r]}. */
    public double factor(int n, int i, int r) {
        return factors[n][i * rank + r];
    }

    static double[] reconstruct(int[] dims, double[] weights, double[][] factors) {
        int n = dims.length;
        int rank = weights.length;
        int size = 1;
        for (int d : dims) {
            size *= d;
        }
        double[] out = new double[size];
        double[] p = new double[rank];
        int[] idx = new int[n];
        for (int e = 0; e < size; e++) {
            System.arraycopy(weights, 0, p, 0, rank);
            for (int m = 0; m < n; m++) {
                int base = idx[m] * rank;
                double[] f = factors[m];
                for (int r = 0; r < rank; r++) {
                    p[r] *= f[base + r];
                }
            }
            double s = 0;
            for (int r = 0; r < rank; r++) {
                s += p[r];
            }
            out[e] = s;
            increment(idx, dims);
        }
        return out;
    }

    /** {@code M[i, r] = sum over the other indices of X[..., i, ...] * prod_{m != mode} A_m[i_m, r]}. */
    private static double[] mttkrp(double[] x, int[] dims, double[][] factors, int mode, int rank) {
        int n = dims.length;
        double[] out = new double[dims[mode] * rank];
        double[] p = new double[rank];
        int[] idx = new int[n];
        for (int e = 0; e < x.length; e++) {
            double v = x[e];
            if (v != 0) {
                Arrays.fill(p, v);
                for (int m = 0; m < n; m++) {
                    if (m == mode) {
                        continue;
                    }
                    int base = idx[m] * rank;
                    double[] f = factors[m];
                    for (int r = 0; r < rank; r++) {
                        p[r] *= f[base + r];
                    }
                }
                int base = idx[mode] * rank;
                for (int r = 0; r < rank; r++) {
                    out[base + r] += p[r];
                }
            }
            increment(idx, dims);
        }
        return out;
    }

    /** The element-wise product of the Gram matrices {@code A_m^T A_m} over every mode but {@code mode}. */
    private static double[] gramProduct(double[][] factors, int[] dims, int mode, int rank) {
        double[] v = new double[rank * rank];
        Arrays.fill(v, 1);
        for (int m = 0; m < dims.length; m++) {
            if (m == mode) {
                continue;
            }
            double[] f = factors[m];
            for (int a = 0; a < rank; a++) {
                for (int b = a; b < rank; b++) {
                    double s = 0;
                    for (int i = 0; i < dims[m]; i++) {
                        s += f[i * rank + a] * f[i * rank + b];
                    }
                    v[a * rank + b] *= s;
                    if (b != a) {
                        v[b * rank + a] *= s;
                    }
                }
            }
        }
        return v;
    }

    /** {@code M V^-1} for a symmetric positive semi-definite V, by Cholesky with a small ridge. */
    private static double[] solveRight(double[] m, int rows, double[] v, int rank) {
        double trace = 0;
        for (int a = 0; a < rank; a++) {
            trace += v[a * rank + a];
        }
        double ridge = 1e-15 * Math.max(trace / rank, Double.MIN_NORMAL);
        double[] l = null;
        for (int attempt = 0; l == null; attempt++) {
            l = cholesky(v, rank, ridge);
            ridge *= 1e3;
            if (l == null && attempt > 12) {
                throw new IllegalStateException("CP-ALS: the " + rank + " x " + rank + " Gram product is not positive"
                        + " definite even with a ridge of " + ridge);
            }
        }
        // each row y of the result solves V y^T = m_row^T: L z = m_row, L^T y = z
        double[] out = new double[rows * rank];
        double[] z = new double[rank];
        for (int i = 0; i < rows; i++) {
            for (int a = 0; a < rank; a++) {
                double s = m[i * rank + a];
                for (int b = 0; b < a; b++) {
                    s -= l[a * rank + b] * z[b];
                }
                z[a] = s / l[a * rank + a];
            }
            for (int a = rank - 1; a >= 0; a--) {
                double s = z[a];
                for (int b = a + 1; b < rank; b++) {
                    s -= l[b * rank + a] * out[i * rank + b];
                }
                out[i * rank + a] = s / l[a * rank + a];
            }
        }
        return out;
    }

    /** The lower-triangular L with {@code L L^T = V + ridge I}, or null when a pivot is not positive. */
    private static double[] cholesky(double[] v, int n, double ridge) {
        double[] l = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b <= a; b++) {
                double s = v[a * n + b] + (a == b ? ridge : 0);
                for (int c = 0; c < b; c++) {
                    s -= l[a * n + c] * l[b * n + c];
                }
                if (a == b) {
                    if (!(s > 0)) {
                        return null;
                    }
                    l[a * n + a] = Math.sqrt(s);
                } else {
                    l[a * n + b] = s / l[b * n + b];
                }
            }
        }
        return l;
    }

    /** Scales each column of {@code f [rows, rank]} to unit norm, writing the norms to {@code norms}. */
    private static void normalizeColumns(double[] f, int rows, int rank, double[] norms) {
        for (int r = 0; r < rank; r++) {
            double s = 0;
            for (int i = 0; i < rows; i++) {
                s += f[i * rank + r] * f[i * rank + r];
            }
            double norm = Math.sqrt(s);
            norms[r] = norm;
            if (norm > 0) {
                for (int i = 0; i < rows; i++) {
                    f[i * rank + r] /= norm;
                }
            }
        }
    }

    /** The next row-major multi-index (last axis fastest). */
    private static void increment(int[] idx, int[] dims) {
        for (int m = dims.length - 1; m >= 0; m--) {
            if (++idx[m] < dims[m]) {
                return;
            }
            idx[m] = 0;
        }
    }
}
