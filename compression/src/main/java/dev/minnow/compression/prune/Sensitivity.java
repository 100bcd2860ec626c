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
