package dev.minnow.compression.lowrank;

import java.util.Random;

/**
 * Measures the Jacobi SVD on matrices {@code Q_1 diag(sigma) Q_2^T} with random orthogonal Q (products
 * of four Householder reflections) and singular values spread from 1 to 1e-8: the accuracy table of
 * docs/low-rank.md. Run after {@code mvn -o test-compile -pl compression -am}:
 * {@code java -cp engine/target/classes:compression/target/classes:compression/target/test-classes
 * dev.minnow.compression.lowrank.SvdAccuracyReport}
 */
final class SvdAccuracyReport {
    static double[] householder(int n, Random r) {
        double[] v = new double[n];
        double vv = 0;
        for (int i = 0; i < n; i++) { v[i] = r.nextGaussian(); vv += v[i] * v[i]; }
        double[] q = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) q[i * n + j] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / vv;
        return q;
    }
    static double[] mul(double[] a, double[] b, int n) {
        double[] c = new double[n * n];
        for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) for (int j = 0; j < n; j++) c[i * n + j] += a[i * n + k] * b[k * n + j];
        return c;
    }
    static double[] orthogonal(int n, Random r) {
        double[] q = householder(n, r);
        for (int i = 0; i < 3; i++) q = mul(q, householder(n, r), n);
        return q;
    }
    public static void main(String[] args) {
        Random r = new Random(1);
        for (int[] mn : new int[][] {{50, 30}, {30, 50}, {800, 500}}) {
            int m = mn[0], n = mn[1], k = Math.min(m, n);
            double[] q1 = orthogonal(m, r), q2 = orthogonal(n, r);
            double[] sigma = new double[k];
            for (int j = 0; j < k; j++) sigma[j] = Math.pow(10, -8.0 * j / (k - 1));   // 1 .. 1e-8
            double[] a = new double[m * n];
            double[] tmp = new double[m * k];
            for (int i = 0; i < m; i++) for (int j = 0; j < k; j++) tmp[i * k + j] = q1[i * m + j] * sigma[j];
            for (int i = 0; i < m; i++) for (int j = 0; j < k; j++) { double t = tmp[i * k + j]; for (int c = 0; c < n; c++) a[i * n + c] += t * q2[c * n + j]; }
            long t0 = System.nanoTime();
            JacobiSvd.Result s = JacobiSvd.decompose(a, m, n);
            double secs = (System.nanoTime() - t0) / 1e9;
            double maxAbs = 0, maxRel = 0;
            for (int j = 0; j < k; j++) {
                maxAbs = Math.max(maxAbs, Math.abs(s.s()[j] - sigma[j]));
                maxRel = Math.max(maxRel, Math.abs(s.s()[j] - sigma[j]) / sigma[j]);
            }
            double orthU = 0, orthV = 0;
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) {
                double uu = 0, vv = 0;
                for (int i = 0; i < m; i++) uu += s.u(i, p) * s.u(i, q);
                for (int i = 0; i < n; i++) vv += s.v(i, p) * s.v(i, q);
                orthU = Math.max(orthU, Math.abs(uu - (p == q ? 1 : 0)));
                orthV = Math.max(orthV, Math.abs(vv - (p == q ? 1 : 0)));
            }
            System.out.printf("%dx%d sigma 1..1e-8: max |sigma^-sigma| = %.2e (sigma_1 = 1), max relative %.2e, |A-USV^T|/|A| = %.2e, max|U^TU-I| = %.2e, max|V^TV-I| = %.2e, %d sweeps, %.2f s%n",
                    m, n, maxAbs, maxRel, Frobenius.relativeError(a, s.reconstruct(k)), orthU, orthV, s.sweeps(), secs);
        }
    }
}
