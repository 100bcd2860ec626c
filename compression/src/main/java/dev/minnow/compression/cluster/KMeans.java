package dev.minnow.compression.cluster;

import java.util.Arrays;
import java.util.Random;

/**
 * One-dimensional k-means (Lloyd 1982): partition values {@code w_1..w_n} into {@code k} clusters
 * {@code C_1..C_k} minimising the within-cluster sum of squares
 * <pre>
 *   argmin_C  sum_j sum_{w in C_j} (w - c_j)^2,        c_j = mean of C_j
 * </pre>
 * by alternating two steps until no assignment changes: assign each value to its nearest centroid,
 * then move each centroid to the mean of its values. Each step lowers the objective, so it
 * converges (to a local minimum that depends on the initialisation, {@link KMeansInit}). A
 * cluster left empty keeps its centroid.
 *
 * <p>In one dimension the nearest centroid is found by binary search over the sorted centroids:
 * the boundary between neighbours {@code c_j < c_j+1} is their midpoint. Centroids are returned
 * sorted ascending.
 */
public final class KMeans {

    /**
     * The clustering.
     *
     * @param centroids   the {@code k} centroids, ascending
     * @param assignments for each value, the index of its centroid
     * @param iterations  Lloyd iterations run
     */
    public record Result(float[] centroids, int[] assignments, int iterations) {
    }

    private KMeans() {
    }

    /**
     * Clusters {@code values}.
     *
     * @param k             number of clusters, at least 1 (when there are fewer distinct values,
     *                      some centroids coincide or stay empty)
     * @param maxIterations stop after this many Lloyd iterations even if assignments still change
     */
    public static Result fit(float[] values, int k, KMeansInit init, long seed, int maxIterations) {
        if (k < 1) {
            throw new IllegalArgumentException("k-means needs k >= 1, got " + k);
        }
        if (values.length == 0) {
            return new Result(new float[k], new int[0], 0);
        }
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("k-means on non-finite value " + v);
            }
        }
        double[] c = initialCentroids(values, k, init, new Random(seed));
        Arrays.sort(c);
        int[] assign = new int[values.length];
        Arrays.fill(assign, -1);
        int iterations = 0;
        while (iterations < maxIterations) {
            iterations++;
            boolean changed = false;
            for (int i = 0; i < values.length; i++) {
                int j = nearest(c, values[i]);
                if (j != assign[i]) {
                    assign[i] = j;
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
            double[] sum = new double[k];
            int[] count = new int[k];
            for (int i = 0; i < values.length; i++) {
                sum[assign[i]] += values[i];
                count[assign[i]]++;
            }
            for (int j = 0; j < k; j++) {
                if (count[j] > 0) {
                    c[j] = sum[j] / count[j];
                }
            }
            if (!isSorted(c)) {
                // an empty cluster kept a centroid that its neighbours moved past: re-sort, re-assign
                Arrays.sort(c);
                Arrays.fill(assign, -1);
            }
        }
        // the final assignment must match the final centroids
        for (int i = 0; i < values.length; i++) {
            assign[i] = nearest(c, values[i]);
        }
        float[] centroids = new float[k];
        for (int j = 0; j < k; j++) {
            centroids[j] = (float) c[j];
        }
        return new Result(centroids, assign, iterations);
    }

    /** The initial centroids of {@code init} (not necessarily sorted). */
    static double[] initialCentroids(float[] values, int k, KMeansInit init, Random random) {
        double[] c = new double[k];
        switch (init) {
            case LINEAR -> {
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (float v : values) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                for (int j = 0; j < k; j++) {
                    c[j] = k == 1 ? (min + max) / 2 : min + (max - min) * j / (k - 1);
                }
            }
            case RANDOM -> {
                // k distinct positions when there are enough values (a partial Fisher-Yates shuffle)
                int n = values.length;
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = i;
                }
                for (int j = 0; j < k; j++) {
                    if (j < n) {
                        int r = j + random.nextInt(n - j);
                        int t = idx[j];
                        idx[j] = idx[r];
                        idx[r] = t;
                        c[j] = values[idx[j]];
                    } else {
                        c[j] = values[random.nextInt(n)];
                    }
                }
            }
            case DENSITY -> {
                float[] sorted = values.clone();
                Arrays.sort(sorted);
                int n = sorted.length;
                for (int j = 0; j < k; j++) {
                    int i = (int) Math.min(n - 1, Math.floor((j + 0.5) * n / k));
                    c[j] = sorted[i];
                }
            }
            case KMEANS_PLUS_PLUS -> {
                int n = values.length;
                double[] d2 = new double[n];
                c[0] = values[random.nextInt(n)];
                for (int i = 0; i < n; i++) {
                    double d = values[i] - c[0];
                    d2[i] = d * d;
                }
                for (int j = 1; j < k; j++) {
                    double total = 0;
                    for (double d : d2) {
                        total += d;
                    }
                    int pick;
                    if (total == 0) {
                        pick = random.nextInt(n);            // every value already sits on a centroid
                    } else {
                        double r = random.nextDouble() * total;
                        pick = n - 1;
                        for (int i = 0; i < n; i++) {
                            r -= d2[i];
                            if (r < 0) {
                                pick = i;
                                break;
                            }
                        }
                    }
                    c[j] = values[pick];
                    for (int i = 0; i < n; i++) {
                        double d = values[i] - c[j];
                        d2[i] = Math.min(d2[i], d * d);
                    }
                }
            }
            default -> throw new IllegalStateException("unhandled initialisation " + init);
        }
        return c;
    }

    /** The index of the centroid nearest to {@code v} in ascending {@code c} (the lower one on a tie). */
    static int nearest(double[] c, float v) {
        int lo = 0;
        int hi = c.length - 1;
        while (lo < hi) {                 // first j with v <= midpoint(c_j, c_j+1), else the last
            int mid = (lo + hi) >>> 1;
            if (v <= (c[mid] + c[mid + 1]) / 2) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static boolean isSorted(double[] c) {
        for (int j = 1; j < c.length; j++) {
            if (c[j] < c[j - 1]) {
                return false;
            }
        }
        return true;
    }

    /** The within-cluster sum of squares of a clustering. */
    public static double inertia(float[] values, Result r) {
        double s = 0;
        for (int i = 0; i < values.length; i++) {
            double d = values[i] - r.centroids()[r.assignments()[i]];
            s += d * d;
        }
        return s;
    }
}
