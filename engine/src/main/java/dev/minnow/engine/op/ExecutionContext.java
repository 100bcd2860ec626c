package dev.minnow.engine.op;

import dev.minnow.engine.kernel.Parallel;
import java.util.Random;

/**
 * The mutable state of one execution of a plan, handed to every op: how many threads it may use,
 * whether it is training, a scratch buffer that grows once and is then reused (im2col columns and
 * the like), a seeded random source (dropout), and one slot per node where an op keeps what it
 * needs later (saved statistics for the backward pass, pre-packed weights).
 *
 * <p>One context belongs to one plan and is used by one thread at a time; ops parallelise inside
 * themselves through {@link Parallel} with {@link #threads()} threads.
 */
public final class ExecutionContext {
    private final int threads;
    private final Random random;
    private boolean training;
    private float[] scratch = new float[0];
    private Object[] nodeStates;
    private int currentNode;
    private boolean[] constantInputs;

    public ExecutionContext(int threads, int nodeCount, long seed) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.nodeStates = new Object[Math.max(0, nodeCount)];
        this.random = new Random(seed);
    }

    /** A context for running a single op outside a plan (tests, benchmarks). */
    public static ExecutionContext standalone() {
        return new ExecutionContext(Parallel.defaultThreads(), 1, 0);
    }

    /** A context for running a single op outside a plan, with a thread count. */
    public static ExecutionContext standalone(int threads) {
        return new ExecutionContext(threads, 1, 0);
    }

    public int threads() {
        return threads;
    }

    public boolean training() {
        return training;
    }

    public void setTraining(boolean training) {
        this.training = training;
    }

    public Random random() {
        return random;
    }

    /**
     * A float buffer of at least {@code minSize} elements, shared by all ops of this execution
     * (they run one after another). Contents are undefined on entry.
     */
    public float[] scratch(int minSize) {
        if (scratch.length < minSize) {
            scratch = new float[minSize];
        }
        return scratch;
    }

    /**
     * Selects the node whose state slot {@link #state()} refers to, and says which of its inputs
     * are constants of the plan (weights of an inference plan), which an op may preprocess once
     * and cache in its state; called by the planner.
     */
    public void enterNode(int index, boolean[] constantInputs) {
        enterNode(index);
        this.constantInputs = constantInputs;
    }

    /**
     * True when input {@code i} of the current node is a constant of the plan: it will hold the
     * same values on every run, so something derived from it (packed weights) may be cached.
     * False outside a plan.
     */
    public boolean isConstantInput(int i) {
        return constantInputs != null && i < constantInputs.length && constantInputs[i];
    }

    /** Selects the node whose state slot {@link #state()} refers to (no constant inputs). */
    public void enterNode(int index) {
        this.constantInputs = null;
        if (index >= nodeStates.length) {
            Object[] grown = new Object[index + 1];
            System.arraycopy(nodeStates, 0, grown, 0, nodeStates.length);
            nodeStates = grown;
        }
        currentNode = index;
    }

    /** The current node's private state, or {@code null}. */
    public Object state() {
        return nodeStates[currentNode];
    }

    public void setState(Object state) {
        nodeStates[currentNode] = state;
    }
}
