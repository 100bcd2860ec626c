package dev.minnow.engine.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * The one thread pool of the engine, sized to the machine's cores, and a parallel for-loop over
 * it. Ops split their outermost independent loop (batch, channel, row panel) into as many ranges
 * as they are allowed threads; the calling thread waits, so nested calls cannot oversubscribe.
 *
 * <p>The default thread count is {@code Runtime.availableProcessors()}, or the system property
 * {@code minnow.threads} when set.
 */
public final class Parallel {

    /** A loop body over the index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private static final ForkJoinPool POOL = new ForkJoinPool(CORES, pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setDaemon(true);
        t.setName("minnow-" + t.getPoolIndex());
        return t;
    }, null, false);

    private Parallel() {
    }

    /** Threads used when nobody says otherwise. */
    public static int defaultThreads() {
        String p = System.getProperty("minnow.threads");
        if (p != null) {
            try {
                int t = Integer.parseInt(p.trim());
                if (t >= 1) {
                    return t;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the core count
            }
            throw new IllegalArgumentException("system property minnow.threads must be a positive integer, got '" + p + "'");
        }
        return CORES;
    }

    /** Cores the pool was sized to. */
    public static int cores() {
        return CORES;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@code threads} contiguous ranges
     * of near-equal length, and returns when all are done.
     */
    public static void forRange(int threads, int n, RangeBody body) {
        int chunks = Math.min(Math.max(1, threads), n);
        if (chunks <= 1) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        RangeTask task = new RangeTask(body, n, chunks, 0, chunks);
        if (ForkJoinTask.getPool() == POOL) {
            task.invoke();
        } else {
            POOL.invoke(task);
        }
    }

    private static final class RangeTask extends RecursiveAction {
        private final RangeBody body;
        private final int n;
        private final int chunks;
        private final int firstChunk;
        private final int endChunk;

        RangeTask(RangeBody body, int n, int chunks, int firstChunk, int endChunk) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.firstChunk = firstChunk;
            this.endChunk = endChunk;
        }

        @Override
        protected void compute() {
            if (endChunk - firstChunk == 1) {
                int from = (int) ((long) n * firstChunk / chunks);
                int to = (int) ((long) n * endChunk / chunks);
                if (to > from) {
                    body.run(from, to);
                }
                return;
            }
            int mid = (firstChunk + endChunk) >>> 1;
            invokeAll(new RangeTask(body, n, chunks, firstChunk, mid), new RangeTask(body, n, chunks, mid, endChunk));
        }
    }
}
