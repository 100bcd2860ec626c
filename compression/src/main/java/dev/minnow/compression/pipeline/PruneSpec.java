package dev.minnow.compression.pipeline;

import dev.minnow.compression.prune.MagnitudePruner;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How much to prune, as a command line writes it:
 * <pre>
 *   none                                no pruning
 *   q=0.7                               every layer: prune |w| &lt; 0.7 std(w) (Han et al. 2015)
 *   sparsity=0.9                        every layer: prune its 90 % smallest weights
 *   sparsity=0.9,fc3=0.75,conv1=0.3     the same with per-layer values (a layer name or a weight name)
 *   q=1.2,fc1=1.5                       per-layer quality factors
 *   fc1=0.92,fc2=0.91,fc3=0.74          sparsity of the listed layers only
 *   sparsity=0.91,conv=0.65             by kind: "conv" and "fc" stand for every layer of that kind
 * </pre>
 * A weight takes the value of its own name, else of its layer (the name before the last dot),
 * else of its kind, else the first value.
 * For iterative pruning the value is reached in steps: at step {@code t} of {@code T} the
 * per-layer value is scaled by the automated gradual schedule of Zhu and Gupta (2017),
 * {@code 1 - (1 - t/T)^3} (big steps first, when the network has most redundancy).
 *
 * @param mode      quality factors or sparsities (or none)
 * @param fallback  the value for layers not listed (NaN: leave them unpruned)
 * @param perLayer  layer or weight name to value
 */
public record PruneSpec(Mode mode, double fallback, Map<String, Double> perLayer) {

    /** What the numbers mean. */
    public enum Mode { NONE, QUALITY, SPARSITY }

    public PruneSpec {
        perLayer = Map.copyOf(perLayer);
    }

    /** No pruning. */
    public static PruneSpec none() {
        return new PruneSpec(Mode.NONE, Double.NaN, Map.of());
    }

    /** Parses the forms above. */
    public static PruneSpec parse(String text) {
        String t = text.trim();
        if (t.isEmpty() || t.equalsIgnoreCase("none")) {
            return none();
        }
        Mode mode = null;
        double fallback = Double.NaN;
        Map<String, Double> layers = new LinkedHashMap<>();
        for (String part : t.split(",")) {
            String[] kv = part.split("=", -1);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("--prune: expected key=value items (e.g. q=0.7, sparsity=0.9,"
                        + " fc1=0.92), found '" + part + "'");
            }
            String key = kv[0].trim();
            double v = number(kv[1], key);
            String k = key.toLowerCase(Locale.ROOT);
            if (k.equals("q") || k.equals("quality") || k.equals("s") || k.equals("sparsity")) {
                Mode m = k.startsWith("q") ? Mode.QUALITY : Mode.SPARSITY;
                if (mode != null) {
                    throw new IllegalArgumentException("--prune: give one of q=... or sparsity=..., once");
                }
                mode = m;
                fallback = v;
            } else {
                layers.put(key, v);
            }
        }
        if (mode == null) {
            mode = Mode.SPARSITY;
        }
        for (Map.Entry<String, Double> e : layers.entrySet()) {
            check(mode, e.getValue(), e.getKey());
        }
        if (!Double.isNaN(fallback)) {
            check(mode, fallback, mode == Mode.QUALITY ? "q" : "sparsity");
        }
        return new PruneSpec(mode, fallback, layers);
    }

    private static double number(String v, String key) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--prune: " + key + " must be a number, found '" + v + "'");
        }
    }

    private static void check(Mode mode, double v, String key) {
        if (mode == Mode.SPARSITY && !(v >= 0 && v < 1)) {
            throw new IllegalArgumentException("--prune: sparsity of " + key + " must be in [0, 1), found " + v);
        }
        if (mode == Mode.QUALITY && !(v >= 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException("--prune: quality factor of " + key + " must be >= 0, found " + v);
        }
    }

    /**
     * The value for each prunable weight that gets one (its weight name, else its layer name, else
     * its kind, else the fallback); weights without one are left out.
     *
     * @param prunable weight name to kind ("conv" or "fc")
     *
     * @throws IllegalArgumentException if a listed name matches no prunable weight
     */
    public Map<String, Double> resolve(Map<String, String> prunable) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (mode == Mode.NONE) {
            return out;
        }
        List<String> unused = new ArrayList<>(perLayer.keySet());
        for (String w : prunable.keySet()) {
            String layer = w.contains(".") ? w.substring(0, w.lastIndexOf('.')) : w;
            Double v = perLayer.get(w);
            if (v != null) {
                unused.remove(w);
            } else if ((v = perLayer.get(layer)) != null) {
                unused.remove(layer);
            } else if ((v = perLayer.get(prunable.get(w))) != null) {
                unused.remove(prunable.get(w));
            } else if (!Double.isNaN(fallback)) {
                v = fallback;
            }
            if (v != null) {
                out.put(w, v);
            }
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("--prune names " + unused + ", which are not prunable weights or"
                    + " layers of this model (prunable: " + prunable.keySet() + ")");
        }
        return out;
    }

    /** The value reached at step {@code t} of {@code steps}: {@code v (1 - (1 - t/T)^3)}. */
    static double atStep(double value, int t, int steps) {
        double r = 1.0 - (double) t / steps;
        return value * (1 - r * r * r);
    }

    /** The masks of step {@code t} of {@code steps} for {@code graph}'s current weights. */
    Map<String, Tensor> masks(Graph graph, Map<String, String> prunable, int t, int steps) {
        Map<String, Double> values = resolve(prunable);
        if (mode == Mode.QUALITY) {
            Map<String, Float> q = new LinkedHashMap<>();
            values.forEach((w, v) -> q.put(w, (float) atStep(v, t, steps)));
            return MagnitudePruner.byQuality(graph, q);
        }
        Map<String, Double> s = new LinkedHashMap<>();
        values.forEach((w, v) -> s.put(w, atStep(v, t, steps)));
        return mode == Mode.NONE ? Map.of() : MagnitudePruner.bySparsity(graph, s);
    }

    /** "sparsity=0.9, fc3=0.75" or "none". */
    public String describe() {
        if (mode == Mode.NONE) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        if (!Double.isNaN(fallback)) {
            sb.append(mode == Mode.QUALITY ? "q=" : "sparsity=").append(fallback);
        } else {
            sb.append(mode == Mode.QUALITY ? "q per layer" : "sparsity per layer");
        }
        perLayer.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(",").append(e.getKey()).append("=").append(e.getValue()));
        return sb.toString();
    }
}
