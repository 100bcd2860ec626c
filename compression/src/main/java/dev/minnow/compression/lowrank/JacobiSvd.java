package dev.minnow.compression.lowrank;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The singular value decomposition {@code A = U S V^T} of a real {@code m x n} matrix by one-sided
 * Jacobi rotations (Hestenes 1958; Demmel &amp; Veselic 1992, "Jacobi's method is more accurate
 * than QR"), in double precision.
 *
 * <p><b>The idea.</b> Right-multiplying A by a rotation in the plane of columns {@code p, q}
 * changes only those two columns. Choose the angle that makes them orthogonal; sweep over all
 * pairs again and again until every pair is orthogonal. Then {@code A V = G} with V the product of
 * the rotations (orthogonal) and G's columns mutually orthogonal, so {@code sigma_j = |g_j|},
 * {@code u_j = g_j / sigma_j} and {@code A = U S V^T}. For the pair with
 * <pre>
 *   alpha = |g_p|^2,   beta = |g_q|^2,   gamma = g_p . g_q
 *   zeta  = (beta - alpha) / (2 gamma)
 *   t     = sign(zeta) / (|zeta| + sqrt(1 + zeta^2))      (the smaller root of t^2 + 2 zeta t - 1 = 0)
 *   c     = 1 / sqrt(1 + t^2),   s = c t
 *   g_p  <- c g_p - s g_q,       g_q <- s g_p + c g_q     (and the same on V's columns)
 * </pre>
 * the new columns are orthogonal ({@code cs(alpha - beta) + (c^2 - s^2) gamma = 0}), and the squared
 * norms move by {@code -t gamma} and {@code +t gamma}. A pair counts as orthogonal when
 * {@code |gamma| <= m * eps * sqrt(alpha beta)}, and a column shorter than {@code eps |A|_F} as
 * zero; the sweeps stop when no pair needed a rotation.
 * Convergence is quadratic once the off-diagonal mass is small: 13 sweeps for LeNet-5's fc1, 26 for
 * an 800 x 500 matrix with singular values spread from 1 to 1e-8.
 *
 * <p><b>Cost.</b> Each sweep visits {@code n (n - 1) / 2} pairs at {@code O(m + n)} each, so
 * {@code O(m n^2)} per sweep. A wide matrix ({@code m < n}) is decomposed through its transpose,
 * {@code A^T = V S U^T}, so the rotations always work on the shorter side: a LeNet-5 {@code fc1}
 * (500 x 800) takes about 10 seconds; an AlexNet {@code fc6} (4096 x 9216) would want a
 * bidiagonalisation first (Golub &amp; Kahan), which this teaching implementation leaves out.
 *
 * <p><b>Accuracy.</b> One-sided Jacobi computes every singular value to high <em>relative</em>
 * accuracy when A's columns are well scaled, and never forms {@code A^T A} (which would square
 * the condition number and lose the small singular values). Measured (JacobiSvdTest,
 * SvdAccuracyReport, docs/low-rank.md): singular values within about {@code 1e-15 * sigma_1} of the
 * known ones on small matrices and {@code 4e-14 * sigma_1} at 800 x 500, with
 * {@code |A - U S V^T| / |A|} of the same order.
 */
public final class JacobiSvd {
    /** Sweeps before giving up; far more than any matrix here needs. */
    public static final int MAX_SWEEPS = 80;

    private JacobiSvd() {
    }

    /**
     * The thin SVD of an {@code rows x cols} matrix: with {@code r = min(rows, cols)},
     * {@code U [rows x r]} and {@code V [cols x r]} with orthonormal columns (a column of U whose
     * singular value is zero is zero), and {@code S} descending.
     *
     * @param rows   m
     * @param cols   n
     * @param u      U, row-major {@code rows x r}
     * @param s      singular values, descending
     * @param v      V, row-major {@code cols x r}
     * @param sweeps sweeps the rotations took
     */
    public record Result(int rows, int cols, double[] u, double[] s, double[] v, int sweeps) {

        /** {@code r = min(rows, cols)}, the number of singular values. */
        public int rank() {
            return s.length;
        }

        public double u(int i, int j) {
            return u[i * s.length + j];
        }

        public double v(int i, int j) {
            return v[i * s.length + j];
        }

        /** {@code sum_j sigma_j^2 = |A|_F^2}. */
        public double energy() {
            return keptEnergy(s.length);
        }

        /** {@code sum_{j < k} sigma_j^2}, the energy a rank-k truncation keeps. */
        public double keptEnergy(int k) {
            double e = 0;
            for (int j = 0; j < k; j++) {
                e += s[j] * s[j];
            }
            return e;
        }

        /** The best rank-k approximation {@code U_k S_k V_k^T} (Eckart-Young), row-major {@code rows x cols}. */
        public double[] reconstruct(int k) {
            int r = s.length;
            double[] a = new double[rows * cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < k; j++) {
                    double us = u[i * r + j] * s[j];
                    if (us == 0) {
                        continue;
                    }
                    for (int c = 0; c < cols; c++) {
                        a[i * cols + c] += us * v[c * r + j];
                    }
                }
            }
            return a;
        }
    }

    /**
     * Decomposes the row-major {@code rows x cols} matrix {@code a} (not modified).
     *
     * @throws IllegalArgumentException if the sizes do not match or an element is not finite
     */
    public static Result decompose(double[] a, int rows, int cols) {
        if (rows < 1 || cols < 1 || a.length != rows * cols) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix needs " + (long) rows * cols
                    + " elements, got " + a.length);
        }
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new IllegalArgumentException("cannot decompose a " + rows + " x " + cols + " matrix holding "
                        + a[i] + " at row " + i / cols + ", column " + i % cols);
            }
        }
        if (rows >= cols) {
            return tall(a, rows, cols);
        }
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        Result r = tall(t, cols, rows);               // A^T = V S U^T
        return new Result(rows, cols, r.v(), r.s(), r.u(), r.sweeps());
    }

    /** Rows >= cols: orthogonalise the columns. */
    private static Result tall(double[] a, int m, int n) {
        double[][] g = new double[n][m];             // g[j] is column j of A V
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                g[j][i] = a[i * n + j];
            }
        }
        double[][] v = new double[n][n];              // v[j] is column j of V
        for (int j = 0; j < n; j++) {
            v[j][j] = 1;
        }
        double tolerance = Math.max(m, 1) * Math.ulp(1.0);
        double total = 0;
        for (double x : a) {
            total += x * x;
        }
        // a column below eps * |A| is rounding noise: rotating it against the others could go on forever
        double negligible = total * Math.ulp(1.0) * Math.ulp(1.0);
        double[] norm2 = new double[n];
        int sweeps = 0;
        boolean rotated = true;
        while (rotated) {
            if (sweeps == MAX_SWEEPS) {
                throw new IllegalStateException("the Jacobi SVD of a " + m + " x " + n + " matrix did not converge in "
                        + MAX_SWEEPS + " sweeps");
            }
            sweeps++;
            rotated = false;
            for (int j = 0; j < n; j++) {
                norm2[j] = dot(g[j], g[j]);           // recomputed each sweep so rounding does not accumulate
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = norm2[p];
                    double beta = norm2[q];
                    if (alpha <= negligible || beta <= negligible) {
                        continue;
                    }
                    double gamma = dot(g[p], g[q]);
                    if (Math.abs(gamma) <= tolerance * Math.sqrt(alpha * beta)) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = c * t;
                    rotate(g[p], g[q], c, s);
                    rotate(v[p], v[q], c, s);
                    norm2[p] = alpha - t * gamma;
                    norm2[q] = beta + t * gamma;
                }
            }
        }
        double[] sigma = new double[n];
        for (int j = 0; j < n; j++) {
            sigma[j] = Math.sqrt(dot(g[j], g[j]));
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -sigma[j]));
        double[] u = new double[m * n];
        double[] vv = new double[n * n];
        double[] s = new double[n];
        for (int k = 0; k < n; k++) {
            int j = order[k];
            s[k] = sigma[j];
            double inv = sigma[j] > 0 ? 1 / sigma[j] : 0;
            for (int i = 0; i < m; i++) {
                u[i * n + k] = g[j][i] * inv;
            }
            for (int i = 0; i < n; i++) {
                vv[i * n + k] = v[j][i];
            }
        }
        return new Result(m, n, u, s, vv, sweeps);
    }

    private static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    private static void rotate(double[] x, double[] y, double c, double s) {
        for (int i = 0; i < x.length; i++) {
            double a = x[i];
            double b = y[i];
            x[i] = c * a - s * b;
            y[i] = s * a + c * b;
        }
    }
}
