package dev.minnow.compression.lowrank;

/**
 * The Frobenius norm {@code |A|_F = sqrt(sum of a_ij^2)}, the error measure of every low-rank
 * approximation here: by Eckart-Young, the rank-k truncated SVD is the best rank-k approximation
 * in this norm, with {@code |A - A_k|_F^2 = sum_{j > k} sigma_j^2}.
 */
public final class Frobenius {
    private Frobenius() {
    }

    public static double norm(double[] a) {
        double s = 0;
        for (double x : a) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    /** {@code |a - approx|_F / |a|_F}; 0 when both are zero. */
    public static double relativeError(double[] a, double[] approx) {
        if (a.length != approx.length) {
            throw new IllegalArgumentException("cannot compare " + a.length + " elements with " + approx.length);
        }
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - approx[i];
            diff += d * d;
            ref += a[i] * a[i];
        }
        return ref == 0 ? Math.sqrt(diff) : Math.sqrt(diff / ref);
    }
}
