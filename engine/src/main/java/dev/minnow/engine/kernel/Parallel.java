package dev.minnow.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one thread pool of the engine, sized to the machine's cores, and a parallel for-loop over
 * it. Ops split their outermost independent loop (batch, channel, row panel) into as many ranges
 * as they are allowed threads.
 *
 * <p><b>Design.</b> Inference at batch 1 calls this tens of times per image, each call lasting
 * tens of microseconds, so the pool is built for low latency and zero allocation rather than
 * generality: {@code cores - 1} persistent workers plus the calling thread; one job slot written
 * in place (no task objects); workers spin briefly on a generation counter before parking, so a
 * run of back-to-back layers never pays the park/unpark latency. The caller takes chunks too and
 * then waits for the last one.
 *
 * <p>The job slot is published like a sequence lock: the generation is odd while the caller
 * writes it and even once it is complete, and a worker re-reads the generation after reading the
 * slot to be sure it saw one whole job. Chunks are claimed from a ticket that carries the job's
 * number next to the chunk index, so a worker that woke late for an old job can never claim a
 * chunk of the next one with the old job's settings.
 *
 * <p><b>Nesting and concurrency.</b> A call made from inside a parallel body, or while another
 * thread is using the pool (several application threads running models at once), runs serially
 * on its own thread: the cores are busy anyway, and it can never deadlock.
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
    private static final int SPINS = 20_000;

    private static final ReentrantLock POOL_LOCK = new ReentrantLock();
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final Worker[] WORKERS = startWorkers();

    // the job slot, written by the caller under POOL_LOCK while the generation is odd
    private static volatile RangeBody body;
    private static volatile int jobSize;
    private static volatile int jobChunks;
    /** Whether the job's chunks decrease in size ({@link #boundary}) rather than being equal. */
    private static volatile boolean jobDecreasing;
    /** (job number << 32) | next chunk to claim. */
    private static final AtomicLong TICKET = new AtomicLong();
    private static final AtomicInteger PENDING = new AtomicInteger();
    private static final AtomicReference<Throwable> FAILURE = new AtomicReference<>();
    private static volatile long generation;
    private static volatile Thread waiter;

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
                // fall through to the error below
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
     * of near-equal length, and returns when all are done. An exception thrown by the body is
     * rethrown here.
     */
    public static void forRange(int threads, int n, RangeBody rangeBody) {
        forRange(threads, n, 1, rangeBody);
    }

    /**
     * As {@link #forRange(int, int, RangeBody)}, but cut into up to {@code chunksPerThread} times
     * as many ranges as threads, which the threads claim one at a time: when one thread starts
     * late (a parked worker waking up) or loses its core for a while (a busy or virtualised
     * machine), the others take over its share instead of waiting for it at the end. The ranges
     * shrink from first to last ({@link #boundary}), so that the end is balanced finely with few
     * ranges in all. Worth it when a range costs little to start (no per-range packing or setup
     * that would be repeated).
     */
    public static void forRange(int threads, int n, int chunksPerThread, RangeBody rangeBody) {
        int participants = Math.min(Math.min(Math.max(1, threads), n), WORKERS.length + 1);
        if (participants <= 1 || INSIDE.get() || !POOL_LOCK.tryLock()) {
            if (n > 0) {
                rangeBody.run(0, n);
            }
            return;
        }
        int chunks = (int) Math.min(n, (long) participants * Math.max(1, chunksPerThread));
        try {
            long g = generation + 1;          // odd: the slot is being written
            generation = g;
            body = rangeBody;
            jobSize = n;
            jobChunks = chunks;
            jobDecreasing = chunksPerThread > 1;
            FAILURE.set(null);
            PENDING.set(chunks);
            waiter = Thread.currentThread();
            TICKET.set(jobNumber(g + 1) << 32);
            generation = g + 1;               // even: published
            for (int i = 0; i < participants - 1; i++) {
                WORKERS[i].wake();
            }
            INSIDE.set(Boolean.TRUE);
            try {
                runChunks(g + 1, rangeBody, n, chunks, chunksPerThread > 1);
            } finally {
                INSIDE.set(Boolean.FALSE);
            }
            for (int spin = 0; PENDING.get() > 0; spin++) {
                if (spin < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(50_000L);
                }
            }
            body = null;
            Throwable t = FAILURE.get();
            if (t != null) {
                FAILURE.set(null);
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(t);
            }
        } finally {
            POOL_LOCK.unlock();
        }
    }

    /**
     * Where chunk {@code c} of {@code chunks} starts in {@code [0, n)}: sizes decreasing linearly,
     * in proportion to {@code chunks, chunks - 1, ..., 1} (trapezoid self-scheduling). The last
     * chunks are small, so the thread that finishes first waits at most a small chunk for the
     * other: with equal chunks (an eighth of the work each at two threads) SqueezeNet's calling
     * thread spent 0.4-0.6 ms of a 5 ms inference waiting, 1.3-1.7 ms in a minute where the
     * other core ran slower. Used when the caller asked for several chunks per thread; one chunk
     * per thread stays an even split.
     */
    static int boundary(int n, int c, int chunks) {
        long total = (long) chunks * (chunks + 1) / 2;
        long before = (long) c * chunks - (long) c * (c - 1) / 2;
        return (int) (n * before / total);
    }

    private static long jobNumber(long evenGeneration) {
        return (evenGeneration >>> 1) & 0xFFFF_FFFFL;
    }

    /** Claims and runs chunks of job {@code g} until none are left (or the job is over). */
    private static void runChunks(long g, RangeBody b, int n, int chunks, boolean decreasing) {
        long job = jobNumber(g);
        while (true) {
            long t = TICKET.get();
            if ((t >>> 32) != job) {
                return;
            }
            int c = (int) t;
            if (c >= chunks) {
                return;
            }
            if (!TICKET.compareAndSet(t, t + 1)) {
                continue;
            }
            int from = decreasing ? boundary(n, c, chunks) : (int) ((long) n * c / chunks);
            int to = decreasing ? boundary(n, c + 1, chunks) : (int) ((long) n * (c + 1) / chunks);
            try {
                if (to > from && FAILURE.get() == null) {
                    b.run(from, to);
                }
            } catch (Throwable failure) {
                FAILURE.compareAndSet(null, failure);
            } finally {
                if (PENDING.decrementAndGet() == 0) {
                    Thread w = waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            }
        }
    }

    private static Worker[] startWorkers() {
        Worker[] workers = new Worker[Math.max(0, CORES - 1)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
        return workers;
    }

    /** A pool thread: waits for a new generation, takes chunks, waits again. */
    private static final class Worker extends Thread {
        private long seen;
        private volatile boolean parked;

        Worker(int index) {
            super("minnow-worker-" + index);
            setDaemon(true);
        }

        void wake() {
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            INSIDE.set(Boolean.TRUE);
            while (true) {
                int spin = 0;
                long g;
                while ((g = generation) == seen || (g & 1) != 0) {
                    if (spin++ < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (generation == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                RangeBody b = body;
                int n = jobSize;
                int chunks = jobChunks;
                boolean decreasing = jobDecreasing;
                if (generation != g) {
                    continue;                 // a newer job is being written: read it again
                }
                seen = g;
                if (b != null) {
                    runChunks(g, b, n, chunks, decreasing);
                }
            }
        }
    }
}
