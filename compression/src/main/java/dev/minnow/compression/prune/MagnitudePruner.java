package dev.minnow.compression.prune;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Parameter;
import dev.minnow.engine.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Magnitude pruning: the connections with the smallest absolute weights are removed, on the
 * premise that they contribute least to the output (Han, Pool, Tran and Dally 2015, "Learning both
 * Weights and Connections for Efficient Neural Networks"). A pruning decision is a <b>mask</b> per
 * weight tensor, same shape, {@code 1} for a kept weight and {@code 0} for a pruned one;
 * {@link #apply} zeroes the pruned weights and {@link #attach} keeps them at zero through
 * fine-tuning.
 *
 * <p>Three ways to choose the threshold:
 * <ul>
 * <li>{@link #byQuality}: per layer, {@code prune |w| < q * std(w)} with a <em>quality
 *     parameter</em> q per layer, Han et al.'s rule (as Distiller implements it). For weights that
 *     are roughly normal around zero, q = 1 prunes about 68 % of them, q = 2 about 95 %.</li>
 * <li>{@link #bySparsity}: per layer, the fraction s of the weights with the smallest |w|, exactly
 *     ({@code round(s * n)} weights).</li>
 * <li>{@link #global}: one threshold for all prunable layers together, so that s of all their
 *     weights go. Layers whose weights are small (typically the large fully connected ones, whose
 *     initialisation scale shrinks with their fan-in) lose more than others; no per-layer tuning.</li>
 * </ul>
 * Weights of equal magnitude at the threshold are pruned in a fixed order (layer order, then
 * element index), so the masks never depend on the sort algorithm. Exact zeros count as the
 * smallest weights: pruning an already pruned layer to a higher sparsity keeps its old zeros
 * pruned.
 */
public final class MagnitudePruner {
    private MagnitudePruner() {
    }

    /** Han et al. 2015: per layer, prune {@code |w| < quality * std(w)} (population std of the whole tensor). */
    public static Map<String, Tensor> byQuality(Graph g, Map<String, Float> qualityPerLayer) {
        Map<String, Tensor> masks = new LinkedHashMap<>();
        for (Map.Entry<String, Float> e : qualityPerLayer.entrySet()) {
            float q = e.getValue();
            if (!(q >= 0f) || !Float.isFinite(q)) {
                throw new IllegalArgumentException("quality of '" + e.getKey() + "' must be a finite number >= 0, got " + q);
            }
            Tensor w = weight(g, e.getKey());
            float threshold = (float) (q * standardDeviation(w));
            masks.put(e.getKey(), thresholdMask(w, threshold));
        }
        return masks;
    }

    /** {@link #byQuality} with the same quality for every prunable layer. */
    public static Map<String, Tensor> byQuality(Graph g, float quality) {
        Map<String, Float> q = new LinkedHashMap<>();
        PrunableWeights.of(g).forEach(n -> q.put(n, quality));
        return byQuality(g, q);
    }

    /**
     * Every prunable layer: prune {@code |w| < threshold}, one absolute threshold (the "near-zero"
     * weights after training with an L1 penalty, which drives unneeded weights towards 0).
     */
    public static Map<String, Tensor> byMagnitude(Graph g, float threshold) {
        if (!(threshold >= 0f) || !Float.isFinite(threshold)) {
            throw new IllegalArgumentException("magnitude threshold must be a finite number >= 0, got " + threshold);
        }
        Map<String, Tensor> masks = new LinkedHashMap<>();
        for (String name : PrunableWeights.of(g)) {
            masks.put(name, thresholdMask(g.initializer(name), threshold));
        }
        return masks;
    }

    /** Per layer, prune the given fraction with the smallest |w| (ties broken by element index). */
    public static Map<String, Tensor> bySparsity(Graph g, Map<String, Double> sparsityPerLayer) {
        Map<String, Tensor> masks = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : sparsityPerLayer.entrySet()) {
            double s = checkSparsity(e.getValue(), "sparsity of '" + e.getKey() + "'");
            Tensor w = weight(g, e.getKey());
            int prune = (int) Math.round(s * w.size());
            float[] magnitudes = magnitudes(w);
            float[] sorted = magnitudes.clone();
            Arrays.sort(sorted);
            Tensor mask = Tensor.zeros(w.shape());
            pruneSmallest(magnitudes, 0, magnitudes.length, sorted, prune, mask.data(), new int[] {-1});
            masks.put(e.getKey(), mask);
        }
        return masks;
    }

    /** {@link #bySparsity} with the same sparsity for every prunable layer. */
    public static Map<String, Tensor> bySparsity(Graph g, double sparsity) {
        Map<String, Double> s = new LinkedHashMap<>();
        PrunableWeights.of(g).forEach(n -> s.put(n, sparsity));
        return bySparsity(g, s);
    }

    /** One global |w| threshold across all prunable layers reaching the overall sparsity. */
    public static Map<String, Tensor> global(Graph g, double sparsity) {
        return global(g, PrunableWeights.of(g), sparsity);
    }

    /** One |w| threshold across the given layers, pruning {@code round(sparsity * n)} of their n weights. */
    public static Map<String, Tensor> global(Graph g, List<String> layers, double sparsity) {
        checkSparsity(sparsity, "global sparsity");
        long total = 0;
        List<Tensor> weights = new ArrayList<>();
        for (String name : layers) {
            Tensor w = weight(g, name);
            weights.add(w);
            total += w.size();
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("global pruning of " + total + " weights at once is not supported"
                    + " (at most " + (Integer.MAX_VALUE - 16) + "); prune layer by layer");
        }
        float[] all = new float[(int) total];
        int at = 0;
        for (Tensor w : weights) {
            float[] m = magnitudes(w);
            System.arraycopy(m, 0, all, at, m.length);
            at += m.length;
        }
        float[] sorted = all.clone();
        Arrays.sort(sorted);
        int prune = (int) Math.round(sparsity * total);
        // the count of threshold-equal weights still to prune carries over from layer to layer
        int[] equalBudget = {-1};
        Map<String, Tensor> masks = new LinkedHashMap<>();
        at = 0;
        for (int i = 0; i < layers.size(); i++) {
            Tensor w = weights.get(i);
            Tensor mask = Tensor.zeros(w.shape());
            pruneSmallest(all, at, w.size(), sorted, prune, mask.data(), equalBudget);
            masks.put(layers.get(i), mask);
            at += w.size();
        }
        return masks;
    }

    /** Masks that keep exactly the non-zero weights of every prunable layer (to fine-tune a pruned model). */
    public static Map<String, Tensor> masksOfZeros(Graph g) {
        Map<String, Tensor> masks = new LinkedHashMap<>();
        for (String name : PrunableWeights.of(g)) {
            Tensor w = g.initializer(name);
            Tensor mask = Tensor.zeros(w.shape());
            float[] wd = w.data();
            float[] md = mask.data();
            for (int i = 0, n = w.size(); i < n; i++) {
                md[i] = wd[w.offset() + i] != 0f ? 1f : 0f;
            }
            masks.put(name, mask);
        }
        return masks;
    }

    /** The element-wise product (logical and) of two sets of masks; a layer missing from one keeps the other's mask. */
    public static Map<String, Tensor> intersect(Map<String, Tensor> a, Map<String, Tensor> b) {
        Map<String, Tensor> result = new LinkedHashMap<>(a);
        for (Map.Entry<String, Tensor> e : b.entrySet()) {
            Tensor other = result.get(e.getKey());
            if (other == null) {
                result.put(e.getKey(), e.getValue());
                continue;
            }
            requireSameShape(e.getKey(), other, e.getValue());
            Tensor m = Tensor.zeros(other.shape());
            for (int i = 0, n = m.size(); i < n; i++) {
                m.data()[i] = other.get(i) != 0f && e.getValue().get(i) != 0f ? 1f : 0f;
            }
            result.put(e.getKey(), m);
        }
        return result;
    }

    /** Zeroes the pruned weights in place (graph initializers). */
    public static void apply(Graph g, Map<String, Tensor> masks) {
        for (Map.Entry<String, Tensor> e : masks.entrySet()) {
            Tensor w = g.initializer(e.getKey());
            if (w == null) {
                throw new IllegalArgumentException("graph '" + g.name() + "' has no initializer '" + e.getKey()
                        + "' to apply a mask to");
            }
            requireSameShape(e.getKey(), w, e.getValue());
            Tensor m = e.getValue();
            float[] wd = w.data();
            float[] md = m.data();
            for (int i = 0, n = w.size(); i < n; i++) {
                if (md[m.offset() + i] == 0f) {
                    wd[w.offset() + i] = 0f;
                }
            }
        }
    }

    /** Installs the masks on a Trainer's parameters so fine-tuning keeps them at exactly zero. */
    public static void attach(Trainer t, Map<String, Tensor> masks) {
        Map<String, Parameter> params = t.parameters();
        for (Map.Entry<String, Tensor> e : masks.entrySet()) {
            Parameter p = params.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("the trainer has no parameter '" + e.getKey() + "' to mask"
                        + " (parameters: " + String.join(", ", params.keySet()) + ")");
            }
            p.setMask(e.getValue());
        }
    }

    /** Fraction of zeros per layer and overall (for reports). */
    public static SparsityReport sparsity(Graph g) {
        List<SparsityReport.Layer> layers = new ArrayList<>();
        for (Map.Entry<String, PrunableWeights.Kind> e : PrunableWeights.kinds(g).entrySet()) {
            Tensor w = g.initializer(e.getKey());
            long zeros = 0;
            float[] d = w.data();
            for (int i = 0, n = w.size(); i < n; i++) {
                if (d[w.offset() + i] == 0f) {
                    zeros++;
                }
            }
            layers.add(new SparsityReport.Layer(e.getKey(), e.getValue(), w.shape(), zeros));
        }
        return new SparsityReport(layers);
    }

    /** Population standard deviation {@code sqrt(mean((w - mean(w))^2))} of a float tensor. */
    static double standardDeviation(Tensor w) {
        float[] d = w.data();
        int o = w.offset();
        int n = w.size();
        if (n == 0) {
            return 0;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += d[o + i];
        }
        double mean = sum / n;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            double c = d[o + i] - mean;
            sq += c * c;
        }
        return Math.sqrt(sq / n);
    }

    /** 1 where {@code |w| >= threshold}, else 0. */
    private static Tensor thresholdMask(Tensor w, float threshold) {
        Tensor mask = Tensor.zeros(w.shape());
        float[] d = w.data();
        float[] m = mask.data();
        for (int i = 0, n = w.size(); i < n; i++) {
            m[i] = Math.abs(d[w.offset() + i]) < threshold ? 0f : 1f;
        }
        return mask;
    }

    /**
     * Writes into {@code mask} (n elements) 0 for the elements of {@code magnitudes[from, from+n)}
     * among the {@code prune} smallest of the whole sorted population, 1 for the others. Elements
     * below the threshold (the prune-th smallest value) are pruned; of those equal to it, the
     * first ones in order are, as many as {@code equalBudget[0]} allows ({@code -1} = not yet
     * computed: it is then set from the whole population).
     */
    private static void pruneSmallest(float[] magnitudes, int from, int n, float[] sorted, int prune, float[] mask,
                                      int[] equalBudget) {
        if (prune <= 0) {
            Arrays.fill(mask, 0, n, 1f);
            return;
        }
        float threshold = sorted[prune - 1];
        if (equalBudget[0] < 0) {
            int below = lowerBound(sorted, threshold);
            equalBudget[0] = prune - below;
        }
        for (int i = 0; i < n; i++) {
            float a = magnitudes[from + i];
            if (a < threshold) {
                mask[i] = 0f;
            } else if (a == threshold && equalBudget[0] > 0) {
                mask[i] = 0f;
                equalBudget[0]--;
            } else {
                mask[i] = 1f;
            }
        }
    }

    /** The number of elements of a sorted array strictly below {@code value}. */
    private static int lowerBound(float[] sorted, float value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static float[] magnitudes(Tensor w) {
        float[] d = w.data();
        float[] m = new float[w.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = Math.abs(d[w.offset() + i]);
        }
        return m;
    }

    static Tensor weight(Graph g, String name) {
        Tensor w = g.initializer(name);
        if (w == null || !PrunableWeights.kinds(g).containsKey(name)) {
            throw new IllegalArgumentException(PrunableWeights.notPrunable(g, name));
        }
        return w;
    }

    static double checkSparsity(double s, String what) {
        if (!(s >= 0 && s <= 1)) {
            throw new IllegalArgumentException(what + " must be a fraction in [0, 1], got " + s);
        }
        return s;
    }

    private static void requireSameShape(String name, Tensor w, Tensor mask) {
        if (!w.shape().equals(mask.shape())) {
            throw new IllegalArgumentException("mask of '" + name + "' has shape " + mask.shape()
                    + " but the weight has " + w.shape());
        }
    }
}
