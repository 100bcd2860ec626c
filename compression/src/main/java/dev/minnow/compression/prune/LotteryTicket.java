package dev.minnow.compression.prune;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Evaluation;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Is the value of pruning in the kept <em>weights</em> or in the kept <em>architecture</em>?
 * Two papers answer differently:
 * <ul>
 * <li>Frankle and Carbin 2019, "The Lottery Ticket Hypothesis": a dense network contains a sparse
 *     subnetwork (the "winning ticket") that, <b>reset to its original initial weights</b> and
 *     trained alone, matches the dense network. Re-initialised at random, the same subnetwork
 *     learns worse: the initialisation matters.</li>
 * <li>Liu, Sun, Zhou, Huang and Darrell 2019, "Rethinking the Value of Network Pruning": for
 *     structured pruning, training the pruned architecture <b>from a fresh random initialisation</b>
 *     matches fine-tuning the pruned weights; what pruning finds is an architecture. (They note
 *     that for unstructured pruning on small data sets the lottery-ticket initialisation can help.)</li>
 * </ul>
 * {@link #compare} measures, for each sparsity, with the same magnitude mask (found on the trained
 * dense network): (a) the pruned network fine-tuned, (b) the mask applied to the original initial
 * weights ("rewind") and trained from there, (c) the mask applied to a new random initialisation
 * and trained. (b) and (c) train as long as the dense network did.
 *
 * <p>The masks are per layer, every layer at the same sparsity except the output layer (the last
 * prunable weight) at half of it, as Frankle and Carbin prune their fully connected networks.
 * Pruning is one-shot (they also use iterative pruning, which finds tickets at higher sparsity).
 */
public final class LotteryTicket {

    /**
     * One sparsity's accuracies.
     *
     * @param sparsity       per-layer sparsity of the hidden layers (the output layer has half)
     * @param overall        overall sparsity of the prunable weights
     * @param pruned         accuracy right after pruning the trained network
     * @param fineTuned      (a) the pruned network fine-tuned
     * @param rewound        (b) the mask on the original initial weights, trained
     * @param reinitialized  (c) the mask on a fresh random initialisation, trained
     */
    public record Row(double sparsity, double overall, double pruned, double fineTuned, double rewound,
                      double reinitialized) {
    }

    /** The dense network's accuracy and one row per sparsity. */
    public record Result(double denseAccuracy, int trainEpochs, int fineTuneEpochs, List<Row> rows) {

        /** A markdown table of the accuracies in percent. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "| sparsity (hidden / overall) | pruned, no training |"
                    + " (a) fine-tuned %d ep | (b) rewound to init, %d ep | (c) random init, %d ep |%n",
                    fineTuneEpochs, trainEpochs, trainEpochs));
            sb.append("|---|---:|---:|---:|---:|\n");
            sb.append(String.format(Locale.ROOT, "| 0 %% (dense) | %.2f | | | |%n", 100 * denseAccuracy));
            for (Row r : rows) {
                sb.append(String.format(Locale.ROOT, "| %.0f %% / %.1f %% | %.2f | %.2f | %.2f | %.2f |%n",
                        100 * r.sparsity(), 100 * r.overall(), 100 * r.pruned(), 100 * r.fineTuned(),
                        100 * r.rewound(), 100 * r.reinitialized()));
            }
            return sb.toString();
        }
    }

    private LotteryTicket() {
    }

    /** Per-layer targets: {@code sparsity} for every prunable weight but the last, which gets half. */
    public static Map<String, Double> targets(Graph g, double sparsity) {
        List<String> layers = PrunableWeights.of(g);
        Map<String, Double> t = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            t.put(layers.get(i), i == layers.size() - 1 && layers.size() > 1 ? sparsity / 2 : sparsity);
        }
        return t;
    }

    /**
     * Runs the comparison.
     *
     * @param build      makes the network with its initial weights for a seed
     * @param seed       seed of the original initialisation (and of training)
     * @param otherSeed  seed of the fresh initialisation of (c)
     * @param training   the dense training, reused for (b) and (c)
     * @param fineTuning the fine-tuning of (a)
     * @param log        a line per step, or {@code null}
     */
    public static Result compare(LongFunction<Graph> build, long seed, long otherSeed, double[] sparsities,
                                 FineTuning training, FineTuning fineTuning, ImageDataset train, ImageDataset test,
                                 PrintStream log) {
        int threads = training.config().threads();
        Graph g = build.apply(seed);
        Map<String, Tensor> initial = snapshot(g);
        training.run(g, null, train, null);
        double dense = accuracy(g, test, threads);
        say(log, "dense network trained: %.2f %%", 100 * dense);
        Map<String, Tensor> trained = snapshot(g);
        List<Row> rows = new ArrayList<>();
        for (double s : sparsities) {
            restore(g, trained);
            Map<String, Tensor> masks = MagnitudePruner.bySparsity(g, targets(g, s));
            MagnitudePruner.apply(g, masks);
            double overall = MagnitudePruner.sparsity(g).overall();
            double pruned = accuracy(g, test, threads);
            fineTuning.run(g, masks, train, null);
            double a = accuracy(g, test, threads);
            say(log, "sparsity %.0f %%: pruned %.2f %%, (a) fine-tuned %.2f %%", 100 * s, 100 * pruned, 100 * a);

            restore(g, initial);
            MagnitudePruner.apply(g, masks);
            training.run(g, masks, train, null);
            double b = accuracy(g, test, threads);
            say(log, "sparsity %.0f %%: (b) rewound to the initial weights and trained %.2f %%", 100 * s, 100 * b);

            Graph fresh = build.apply(otherSeed);
            MagnitudePruner.apply(fresh, masks);
            training.run(fresh, masks, train, null);
            double c = accuracy(fresh, test, threads);
            say(log, "sparsity %.0f %%: (c) random initialisation and trained %.2f %%", 100 * s, 100 * c);
            rows.add(new Row(s, overall, pruned, a, b, c));
        }
        restore(g, trained);
        return new Result(dense, training.config().epochs(), fineTuning.config().epochs(), rows);
    }

    private static double accuracy(Graph g, ImageDataset test, int threads) {
        return Evaluation.of(g, test, 256, threads).accuracy();
    }

    private static void say(PrintStream log, String format, Object... args) {
        if (log != null) {
            log.println(String.format(Locale.ROOT, format, args));
        }
    }

    /** Copies of every float initializer. */
    static Map<String, Tensor> snapshot(Graph g) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        g.initializers().forEach((name, t) -> copy.put(name, t.copy()));
        return copy;
    }

    static void restore(Graph g, Map<String, Tensor> snapshot) {
        snapshot.forEach((name, t) -> g.initializer(name).copyFrom(t));
    }
}
