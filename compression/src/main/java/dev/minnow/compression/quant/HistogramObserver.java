package dev.minnow.compression.quant;

import dev.minnow.engine.tensor.Tensor;

/**
 * Calibration by histogram: a first pass finds the extremes, a second builds a histogram of
 * {@code |x|} in {@value #BINS} bins over {@code [0, max|x|]}, and a clipping threshold {@code t}
 * is chosen from it; the range is then {@code [max(min, -t), min(max, t)]} (for a ReLU output,
 * {@code [0, t]}). Values beyond {@code t} saturate, the rest gets a finer grid. Three rules:
 * <ul>
 *   <li>{@link Method#PERCENTILE}: the smallest {@code t} below which a given fraction of the
 *       values lie (e.g. 99.99 %).</li>
 *   <li>{@link Method#ENTROPY} (TensorRT's entropy calibration, Migacz 2017, "8-bit Inference with
 *       TensorRT"): for every candidate {@code t} of at least {@code L} bins ({@code L} = 256
 *       quantization levels for non-negative data, 128 per side otherwise), the reference
 *       distribution {@code P} is the histogram up to {@code t} with the clipped outliers added to
 *       its last bin, and the candidate {@code Q} merges those bins into {@code L} levels and
 *       spreads each level back evenly over the bins that were non-empty; {@code t} minimises
 *       {@code KL(P || Q) = sum P log(P / Q)}.</li>
 *   <li>{@link Method#MSE}: {@code t} minimises the expected squared error
 *       {@code sum_bins n_b * e_b(t)}, with {@code e_b = (x_b - t)^2} for a clipped bin and the
 *       uniform rounding noise {@code step^2 / 12} ({@code step = t / (L - 1)}) inside.</li>
 * </ul>
 */
public final class HistogramObserver implements Observer {
    /** Histogram resolution (TensorRT's is 2048 as well). */
    public static final int BINS = 2048;
    /** The probability an empty bin of the candidate distribution is given in the KL divergence. */
    static final double EMPTY_BIN_MASS = 1e-4;

    /** How the threshold is chosen. */
    public enum Method { PERCENTILE, ENTROPY, MSE }

    private final Method method;
    private final double percentile;
    private final MinMaxObserver extremes = new MinMaxObserver();
    private long[] histogram;
    private double width;

    private HistogramObserver(Method method, double percentile) {
        this.method = method;
        this.percentile = percentile;
    }

    /** Clips at the {@code percent}-th percentile of {@code |x|} (e.g. 99.99). */
    public static HistogramObserver percentile(double percent) {
        if (!(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("percentile must lie in (0, 100], got " + percent);
        }
        return new HistogramObserver(Method.PERCENTILE, percent / 100);
    }

    /** TensorRT's entropy (KL-divergence) calibration. */
    public static HistogramObserver entropy() {
        return new HistogramObserver(Method.ENTROPY, 0);
    }

    /** The threshold minimising the expected squared quantization error. */
    public static HistogramObserver mse() {
        return new HistogramObserver(Method.MSE, 0);
    }

    public Method method() {
        return method;
    }

    @Override
    public void observe(Tensor t) {
        extremes.observe(t);
    }

    @Override
    public boolean needsSecondPass() {
        return true;
    }

    @Override
    public void observeAgain(Tensor t) {
        if (histogram == null) {
            Range r = extremes.range();
            double absMax = Math.max(Math.abs(r.min()), Math.abs(r.max()));
            width = absMax > 0 ? absMax / BINS : 1;
            histogram = new long[BINS];
        }
        float[] d = t.data();
        for (int i = t.offset(), end = t.offset() + t.size(); i < end; i++) {
            int b = (int) (Math.abs(d[i]) / width);
            histogram[b >= BINS ? BINS - 1 : b]++;
        }
    }

    /** The histogram of {@code |x|} (for tests and reports), or null before the second pass. */
    public long[] histogram() {
        return histogram == null ? null : histogram.clone();
    }

    @Override
    public Range range() {
        Range r = extremes.range();
        if (histogram == null) {
            return r;
        }
        int levels = r.min() >= 0 ? 256 : 128;
        int bins = switch (method) {
            case PERCENTILE -> percentileBins();
            case ENTROPY -> entropyBins(levels);
            case MSE -> mseBins(levels);
        };
        double t = bins * width;
        return new Range((float) Math.max(r.min(), -t), (float) Math.min(r.max(), t));
    }

    private long total() {
        long n = 0;
        for (long c : histogram) {
            n += c;
        }
        return n;
    }

    private int percentileBins() {
        long target = (long) Math.ceil(percentile * total());
        long seen = 0;
        for (int b = 0; b < BINS; b++) {
            seen += histogram[b];
            if (seen >= target) {
                return b + 1;
            }
        }
        return BINS;
    }

    /** Bins of the candidate threshold minimising KL(P || Q), TensorRT's algorithm. */
    private int entropyBins(int levels) {
        long[] h = histogram;
        double[] p = new double[BINS];
        double[] q = new double[BINS];
        double bestKl = Double.POSITIVE_INFINITY;
        int best = BINS;
        long beyond = 0;
        for (int b = levels; b < BINS; b++) {
            beyond += h[b];
        }
        for (int i = levels; i <= BINS; i++) {
            // P: the first i bins, outliers folded into the last one
            for (int b = 0; b < i; b++) {
                p[b] = h[b];
            }
            p[i - 1] += beyond;
            // Q: i bins merged into `levels` chunks, each spread over its non-empty bins
            for (int l = 0; l < levels; l++) {
                int from = (int) ((long) l * i / levels);
                int to = (int) ((long) (l + 1) * i / levels);
                double sum = 0;
                int nonEmpty = 0;
                for (int b = from; b < to; b++) {
                    sum += h[b];
                    if (h[b] != 0) {
                        nonEmpty++;
                    }
                }
                for (int b = from; b < to; b++) {
                    q[b] = h[b] == 0 || nonEmpty == 0 ? 0 : sum / nonEmpty;
                }
            }
            double kl = divergence(p, q, i);
            if (kl < bestKl) {
                bestKl = kl;
                best = i;
            }
            if (i < BINS) {
                beyond -= h[i];
            }
        }
        return best;
    }

    /**
     * KL(P || Q) over the first {@code n} bins after normalising both. Q is 0 where the raw histogram
     * was empty, and P is not in one place: the last bin, which holds the clipped outliers; such a bin
     * gets the mass {@value #EMPTY_BIN_MASS} (smoothing, in the spirit of MXNet's and ONNX Runtime's
     * calibrators), so that clipping a lone outlier costs a little, not an infinite divergence.
     */
    private static double divergence(double[] p, double[] q, int n) {
        double ps = 0;
        double qs = 0;
        for (int b = 0; b < n; b++) {
            ps += p[b];
            qs += q[b];
        }
        if (ps == 0 || qs == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int b = 0; b < n; b++) {
            if (p[b] > 0) {
                double pb = p[b] / ps;
                double qb = q[b] > 0 ? q[b] / qs : EMPTY_BIN_MASS;
                kl += pb * Math.log(pb / qb);
            }
        }
        return kl;
    }

    /** Bins of the threshold with the least expected squared error (clipping plus rounding). */
    private int mseBins(int levels) {
        long[] h = histogram;
        double bestErr = Double.POSITIVE_INFINITY;
        int best = BINS;
        for (int i = 1; i <= BINS; i++) {
            double t = i * width;
            double step = t / (levels - 1);
            double noise = step * step / 12;
            double err = 0;
            for (int b = 0; b < BINS; b++) {
                if (h[b] == 0) {
                    continue;
                }
                double centre = (b + 0.5) * width;
                err += h[b] * (centre > t ? (centre - t) * (centre - t) : noise);
            }
            if (err < bestErr) {
                bestErr = err;
                best = i;
            }
        }
        return best;
    }
}
