package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            for (int n : new int[] {0, 1, 2, 7, 100, 10_001}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
                Parallel.forRange(threads, n, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).as("threads %d n %d index %d", threads, n, i).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void moreChunksThanThreadsStillCoverEveryIndexOnceInContiguousRanges() {
        for (int threads : new int[] {1, 2, 3}) {
            for (int perThread : new int[] {1, 4}) {
                for (int n : new int[] {0, 1, 5, 8, 97, 1000}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
                    AtomicLong ranges = new AtomicLong();
                    Parallel.forRange(threads, n, perThread, (from, to) -> {
                        ranges.incrementAndGet();
                        for (int i = from; i < to; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertThat(hits.get(i)).as("threads %d x %d, n %d, index %d", threads, perThread, n, i)
                                .isEqualTo(1);
                    }
                    // at most threads x perThread ranges (fewer when the pool or n is smaller)
                    assertThat(ranges.get()).isLessThanOrEqualTo(Math.min(n, (long) threads * perThread));
                }
            }
        }
    }

    @Test
    void manyBackToBackJobsFromSeveralThreadsStayCorrect() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] fs = new Future<?>[4];
            for (int c = 0; c < 4; c++) {
                int seed = c;
                fs[c] = callers.submit(() -> {
                    for (int job = 0; job < 3000; job++) {
                        int n = 1 + (job * 7 + seed) % 50;
                        AtomicLong sum = new AtomicLong();
                        Parallel.forRange(2, n, (from, to) -> {
                            long s = 0;
                            for (int i = from; i < to; i++) {
                                s += i;
                            }
                            sum.addAndGet(s);
                            // nested calls run serially and must not deadlock
                            Parallel.forRange(2, 3, (a, b) -> { });
                        });
                        assertThat(sum.get()).isEqualTo((long) n * (n - 1) / 2);
                    }
                });
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void anExceptionInABodyReachesTheCaller() {
        assertThatThrownBy(() -> Parallel.forRange(2, 10, (from, to) -> {
            if (from > 0) {
                throw new IllegalStateException("chunk " + from + " failed");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("failed");
        // the pool still works afterwards
        AtomicLong count = new AtomicLong();
        Parallel.forRange(2, 10, (from, to) -> count.addAndGet(to - from));
        assertThat(count.get()).isEqualTo(10);
    }
}
