package dev.minnow.compression.prune;

/**
 * The automated gradual pruning schedule of Zhu and Gupta (2017), "To prune, or not to prune":
 * starting at training step {@code begin}, every {@code frequency} steps until step {@code end},
 * the sparsity target rises from {@code s_i} to {@code s_f} as
 * <pre>
 *   s_t = s_f + (s_i - s_f) * (1 - (t - begin) / (end - begin))^3
 * </pre>
 * The cubic prunes fast while many redundant weights remain and slowly near the end, when the
 * remaining ones matter and the network needs steps to recover. Between pruning steps the target
 * stays at its last value; before {@code begin} nothing is pruned; from {@code end} on the target
 * is {@code s_f}. The last pruning step is always {@code end} itself, even when {@code end - begin}
 * is not a multiple of the frequency.
 *
 * @param initialSparsity s_i, the target at step {@code begin}
 * @param finalSparsity   s_f, reached at step {@code end}
 * @param begin           first pruning step (0-based count of optimizer steps taken)
 * @param end             last pruning step, {@code >= begin}
 * @param frequency       steps between two pruning steps, {@code >= 1}
 */
public record AgpSchedule(double initialSparsity, double finalSparsity, long begin, long end, long frequency) {

    public AgpSchedule {
        MagnitudePruner.checkSparsity(initialSparsity, "AGP initial sparsity");
        MagnitudePruner.checkSparsity(finalSparsity, "AGP final sparsity");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("AGP needs 0 <= begin <= end, got begin " + begin + ", end " + end);
        }
        if (frequency < 1) {
            throw new IllegalArgumentException("AGP pruning frequency must be >= 1 step, got " + frequency);
        }
    }

    /**
     * A schedule over a training run of {@code totalSteps} optimizer steps: from 0 to s_f, pruning
     * from the first step to {@code rampFraction} of the run, about {@code prunings} times.
     */
    public static AgpSchedule over(long totalSteps, double finalSparsity, double rampFraction, int prunings) {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("AGP needs at least one training step, got " + totalSteps);
        }
        if (!(rampFraction > 0 && rampFraction <= 1)) {
            throw new IllegalArgumentException("AGP ramp fraction must be in (0, 1], got " + rampFraction);
        }
        long end = Math.max(0, Math.round(rampFraction * totalSteps) - 1);
        long frequency = Math.max(1, end / Math.max(1, prunings));
        return new AgpSchedule(0, finalSparsity, 0, end, frequency);
    }

    /** True when masks are recomputed after optimizer step {@code step} (0-based). */
    public boolean isPruningStep(long step) {
        return step >= begin && step <= end && ((step - begin) % frequency == 0 || step == end);
    }

    /**
     * The fraction of the way from s_i to s_f after step {@code step}: {@code 1 - (1 - p)^3} with
     * p the progress of the last pruning step at or before it; 0 before the first pruning step
     * (where nothing is pruned yet, see {@link #sparsityAt}).
     */
    public double fractionDone(long step) {
        if (step < begin) {
            return 0;
        }
        if (step >= end) {
            return 1;
        }
        long last = begin + (step - begin) / frequency * frequency;
        double p = (double) (last - begin) / (end - begin);
        double r = 1 - p;
        return 1 - r * r * r;
    }

    /** The sparsity target after optimizer step {@code step}: 0 before {@code begin}, then s_t. */
    public double sparsityAt(long step) {
        return step < begin ? 0 : sparsityAt(step, finalSparsity);
    }

    /** s_t for a layer whose own final sparsity is {@code layerFinal} (per-layer targets, same curve). */
    public double sparsityAt(long step, double layerFinal) {
        if (step < begin) {
            return 0;
        }
        double f = fractionDone(step);
        return initialSparsity + (layerFinal - initialSparsity) * f;
    }
}
