package dev.minnow.compression.prune;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Evaluation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One-shot versus iterative pruning. One-shot prunes to the final sparsity at once and fine-tunes;
 * iterative (Han et al. 2015, section 3.3) alternates prune and fine-tune over R rounds, each round
 * pruning further, so the network can recover between cuts: "a single aggressive pruning
 * followed by retraining" is worse than "iterative pruning and retraining" at high sparsity.
 *
 * <p>Round r of R targets the sparsity {@code s_r = 1 - (1 - s_f)^(r/R)} per layer: every round
 * removes the same fraction of the weights that are still there (as Frankle and Carbin 2019 do),
 * and round R reaches s_f. One-shot is R = 1. Masks only shrink: a weight pruned in one round
 * stays pruned.
 */
public final class IterativePruner {

    /**
     * What one round measured.
     *
     * @param round           from 1
     * @param target          the overall sparsity aimed at (weighted by layer size)
     * @param sparsity        the overall sparsity of the prunable weights after the round
     * @param prunedAccuracy  test accuracy right after pruning, before fine-tuning
     * @param accuracy        test accuracy after fine-tuning
     */
    public record Round(int round, double target, double sparsity, double prunedAccuracy, double accuracy) {
    }

    private IterativePruner() {
    }

    /** The per-layer target of round {@code r} of {@code rounds}: {@code 1 - (1 - s)^(r/rounds)}. */
    public static double roundTarget(double finalSparsity, int r, int rounds) {
        return r >= rounds ? finalSparsity : 1 - Math.pow(1 - finalSparsity, (double) r / rounds);
    }

    /**
     * Prunes {@code g} in place to the per-layer final sparsities over {@code rounds} rounds, each
     * followed by {@code fineTuning} (with the masks kept), and returns the masks and the rounds.
     */
    public static Result run(Graph g, Map<String, Double> finalSparsity, int rounds, FineTuning fineTuning,
                             ImageDataset train, ImageDataset test) {
        if (rounds < 1) {
            throw new IllegalArgumentException("iterative pruning needs at least one round, got " + rounds);
        }
        int threads = fineTuning.config().threads();
        Map<String, Tensor> masks = new LinkedHashMap<>();
        List<Round> history = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            Map<String, Double> target = new LinkedHashMap<>();
            double weighted = 0;
            long total = 0;
            for (Map.Entry<String, Double> e : finalSparsity.entrySet()) {
                double s = roundTarget(e.getValue(), r, rounds);
                target.put(e.getKey(), s);
                long n = g.initializer(e.getKey()).size();
                weighted += s * n;
                total += n;
            }
            masks = MagnitudePruner.intersect(masks, MagnitudePruner.bySparsity(g, target));
            MagnitudePruner.apply(g, masks);
            double pruned = Evaluation.of(g, test, 256, threads).accuracy();
            fineTuning.run(g, masks, train, null);
            double tuned = fineTuning.config().epochs() == 0 ? pruned : Evaluation.of(g, test, 256, threads).accuracy();
            history.add(new Round(r, total == 0 ? 0 : weighted / total, MagnitudePruner.sparsity(g).overall(),
                    pruned, tuned));
        }
        return new Result(masks, history);
    }

    /** The final masks and one entry per round. */
    public record Result(Map<String, Tensor> masks, List<Round> rounds) {
    }
}
