package dev.minnow.compression.prune;

import dev.minnow.compression.report.LineChart;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Evaluation;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pruning sensitivity analysis (Han et al. 2015, figure 6; Distiller's "sensitivity analysis"):
 * each prunable layer is pruned <em>alone</em> to a range of sparsities, without fine-tuning, and
 * the accuracy measured, the other layers staying dense. The curves show which layers are
 * redundant (flat until high sparsity: the big fully connected layers) and which are fragile
 * (steep early: typically the first convolution, with few weights that every later layer
 * depends on). {@link Result#choose} turns them into per-layer sparsities.
 *
 * <p>The graph's weights are restored after every measurement; the analysis leaves it unchanged.
 */
public final class Sensitivity {

    /** 10 % to 90 % in steps of 10, and 95 %. */
    public static final double[] DEFAULT_SPARSITIES = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
    /**
     * The default grid and 97, 98 and 99 %: to share out a high overall sparsity
     * ({@link Result#chooseForSparsity}), the big layers need steps above 95 %.
     */
    public static final double[] EXTENDED_SPARSITIES = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97,
        0.98, 0.99};

    private Sensitivity() {
    }

    /**
     * The accuracy of every layer pruned alone at every sparsity, on {@code data}.
     *
     * @param log one line per layer as it is done, or {@code null}
     */
    public static Result analyse(Graph g, List<String> layers, double[] sparsities, ImageDataset data, int threads,
                                 PrintStream log) {
        for (double s : sparsities) {
            MagnitudePruner.checkSparsity(s, "sensitivity sparsity");
        }
        double baseline = Evaluation.of(g, data, 256, threads).accuracy();
        double[][] accuracy = new double[layers.size()][sparsities.length];
        for (int l = 0; l < layers.size(); l++) {
            String name = layers.get(l);
            Tensor w = MagnitudePruner.weight(g, name);
            Tensor saved = w.copy();
            try {
                for (int j = 0; j < sparsities.length; j++) {
                    MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, Map.of(name, sparsities[j])));
                    accuracy[l][j] = Evaluation.of(g, data, 256, threads).accuracy();
                    w.copyFrom(saved);
                }
            } finally {
                w.copyFrom(saved);
            }
            if (log != null) {
                StringBuilder sb = new StringBuilder("sensitivity of " + name + ":");
                for (int j = 0; j < sparsities.length; j++) {
                    sb.append(String.format(Locale.ROOT, " %.0f%%->%.2f", 100 * sparsities[j], 100 * accuracy[l][j]));
                }
                log.println(sb);
            }
        }
        return new Result(baseline, List.copyOf(layers), sparsities.clone(), accuracy);
    }

    /**
     * The measurements.
     *
     * @param baseline   accuracy of the unpruned graph
     * @param layers     the weights analysed, in order
     * @param sparsities the sparsities tried, increasing
     * @param accuracy   {@code accuracy[layer][sparsity]}
     */
    public record Result(double baseline, List<String> layers, double[] sparsities, double[][] accuracy) {

        /**
         * Per layer, the highest sparsity of the grid such that it and every lower one lose at most
         * {@code tolerance} accuracy (a fraction: 0.005 = half a point) against the baseline; 0 when
         * even the lowest loses more. Requiring every lower sparsity to pass too keeps one lucky
         * measurement beyond a drop from being chosen.
         */
        public Map<String, Double> choose(double tolerance) {
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
            }
            Map<String, Double> chosen = new LinkedHashMap<>();
            for (int l = 0; l < layers.size(); l++) {
                double best = 0;
                for (int j = 0; j < sparsities.length; j++) {
                    if (baseline - accuracy[l][j] > tolerance + 1e-12) {
                        break;
                    }
                    best = Math.max(best, sparsities[j]);
                }
                chosen.put(layers.get(l), best);
            }
            return chosen;
        }

        /**
         * Per-layer sparsities reaching {@code target} overall (weighted by the layers' sizes),
         * shared out by sensitivity: {@link #choose} for the smallest tolerance whose choice
         * reaches the target, so every layer is pruned as far as the others' loss allows and the
         * robust layers take most of the cut. Since the grid is coarse, that choice usually
         * overshoots; the result is interpolated linearly, layer by layer, between it and the choice
         * of the next smaller tolerance (or no pruning), so that the overall sparsity is exactly the
         * target. When even the grid's highest sparsities everywhere fall short, those are returned.
         *
         * @param sizes weights per layer (same names as {@link #layers()})
         */
        public Map<String, Double> chooseForSparsity(double target, Map<String, Long> sizes) {
            MagnitudePruner.checkSparsity(target, "target sparsity");
            java.util.TreeSet<Double> tolerances = new java.util.TreeSet<>();
            tolerances.add(0.0);
            for (double[] row : accuracy) {
                for (double a : row) {
                    tolerances.add(Math.max(0, baseline - a));
                }
            }
            Map<String, Double> previous = new LinkedHashMap<>();
            layers.forEach(l -> previous.put(l, 0.0));
            Map<String, Double> next = previous;
            for (double t : tolerances) {
                next = choose(t);
                double reached = overall(next, sizes);
                if (reached >= target - 1e-12) {
                    double before = overall(previous, sizes);
                    double alpha = reached - before < 1e-15 ? 1 : (target - before) / (reached - before);
                    Map<String, Double> result = new LinkedHashMap<>();
                    for (String l : layers) {
                        result.put(l, previous.get(l) + alpha * (next.get(l) - previous.get(l)));
                    }
                    return result;
                }
                previous.clear();
                previous.putAll(next);
            }
            return next;
        }

        /** The overall sparsity of per-layer sparsities, weighted by layer size. */
        public static double overall(Map<String, Double> sparsities, Map<String, Long> sizes) {
            double pruned = 0;
            long total = 0;
            for (Map.Entry<String, Double> e : sparsities.entrySet()) {
                Long n = sizes.get(e.getKey());
                if (n == null) {
                    throw new IllegalArgumentException("no size given for layer '" + e.getKey() + "'");
                }
                pruned += e.getValue() * n;
                total += n;
            }
            return total == 0 ? 0 : pruned / total;
        }

        /** A markdown table: one row per layer, one column per sparsity, accuracies in percent. */
        public String table() {
            StringBuilder sb = new StringBuilder("| layer |");
            for (double s : sparsities) {
                sb.append(String.format(Locale.ROOT, " %s %% |", percent(s)));
            }
            sb.append("\n|---|");
            sb.append("---:|".repeat(sparsities.length)).append('\n');
            for (int l = 0; l < layers.size(); l++) {
                sb.append("| ").append(layers.get(l)).append(" |");
                for (int j = 0; j < sparsities.length; j++) {
                    sb.append(String.format(Locale.ROOT, " %.2f |", 100 * accuracy[l][j]));
                }
                sb.append('\n');
            }
            return sb.toString();
        }

        /** Accuracy (%) against sparsity (%), one line per layer, the baseline as a dashed line. */
        public LineChart chart(String title) {
            LineChart c = new LineChart(title, "sparsity of the layer alone (%)", "accuracy (%)");
            double[] x = new double[sparsities.length + 1];
            for (int j = 0; j < sparsities.length; j++) {
                x[j + 1] = 100 * sparsities[j];
            }
            for (int l = 0; l < layers.size(); l++) {
                double[] y = new double[x.length];
                y[0] = 100 * baseline;
                for (int j = 0; j < sparsities.length; j++) {
                    y[j + 1] = 100 * accuracy[l][j];
                }
                c.series(layers.get(l), x, y);
            }
            c.reference(String.format(Locale.ROOT, "baseline %.2f %%", 100 * baseline), 100 * baseline);
            return c.xRange(0, 100);
        }

        private static String percent(double s) {
            double p = 100 * s;
            return Math.abs(p - Math.rint(p)) < 1e-9 ? Long.toString(Math.round(p)) : String.format(Locale.ROOT, "%.1f", p);
        }
    }
}
