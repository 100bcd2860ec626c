package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
    void severalChunksPerThreadDecreaseInSizeAndTileTheRange() {
        for (int n : new int[] {1, 7, 8, 95, 1000, 12_321}) {
            for (int chunks : new int[] {2, 8, 16}) {
                assertThat(Parallel.boundary(n, 0, chunks)).isZero();
                assertThat(Parallel.boundary(n, chunks, chunks)).as("n %d, %d chunks", n, chunks).isEqualTo(n);
                int previous = n;
                for (int c = 0; c < chunks; c++) {
                    int size = Parallel.boundary(n, c + 1, chunks) - Parallel.boundary(n, c, chunks);
                    assertThat(size).as("n %d, chunk %d of %d", n, c, chunks).isBetween(0, previous + 1);
                    previous = size;
                }
                if (n >= 1000) {
                    // the last chunk is about 1 / (chunks (chunks + 1) / 2) of the work, the first chunks / that
                    int first = Parallel.boundary(n, 1, chunks);
                    int last = n - Parallel.boundary(n, chunks - 1, chunks);
                    assertThat((double) first / last).as("n %d, %d chunks", n, chunks)
                            .isCloseTo(chunks, within(0.1 * chunks));
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
