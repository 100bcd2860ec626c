package dev.minnow.engine.graph;

import dev.minnow.engine.kernel.Parallel;
import java.util.Set;

/**
 * How a {@link Plan} is made.
 *
 * @param threads      threads each op may use
 * @param reuseBuffers share one buffer between tensors whose lifetimes do not overlap (inference);
 *                     off when every activation must survive for a backward pass
 * @param variables    initializers that change between runs (trainable parameters): they are not
 *                     treated as constants, so nothing computed from them is folded or cached
 * @param seed         seed of the run's random source (dropout)
 */
public record PlanOptions(int threads, boolean reuseBuffers, Set<String> variables, long seed) {

    public PlanOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        variables = Set.copyOf(variables);
    }

    /** Inference with the default thread count. */
    public static PlanOptions inference() {
        return new PlanOptions(Parallel.defaultThreads(), true, Set.of(), 0);
    }

    public PlanOptions withThreads(int n) {
        return new PlanOptions(n, reuseBuffers, variables, seed);
    }

    public PlanOptions withReuseBuffers(boolean reuse) {
        return new PlanOptions(threads, reuse, variables, seed);
    }

    public PlanOptions withVariables(Set<String> names) {
        return new PlanOptions(threads, reuseBuffers, names, seed);
    }

    public PlanOptions withSeed(long newSeed) {
        return new PlanOptions(threads, reuseBuffers, variables, newSeed);
    }
}
