package dev.minnow.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under the XNOR convolution ({@link XnorConvBenchmark}, docs/lowbit-quantization.md):
 * how long one "word-op" (XOR one 64-bit word of activations with one of weights, count the ones,
 * add) takes on this machine when nothing else is in the way. Every subject reports nanoseconds
 * per word-op ({@link OperationsPerInvocation}); the data (16 KB per array) stays in the L1 cache.
 * <ol>
 *   <li>{@code popcountOnly}: {@code Long.bitCount} of each word, four running sums: the POPCNT
 *       instruction's own throughput, the bound of any kernel built on it;</li>
 *   <li>{@code xorPopcount}: the same on {@code x[i] ^ w[i]} (two loads per word-op);</li>
 *   <li>{@code fourFilters}: the XNOR kernel's inner loop, one activation word against four
 *       filters' words, in runs of 36 words (a 3x3 window of 256 channels), the trip count the
 *       kernel has;</li>
 *   <li>{@code vectorSwar}: the same four-filter loop with 256-bit vectors and a bit-parallel
 *       (SWAR) population count (shift, mask, add: JDK 17's Vector API has no popcount), byte
 *       counts summed once per run.</li>
 * </ol>
 * <pre>java -jar jmh/target/benchmarks.jar PopcountBenchmark -wi 3 -w 1 -i 5 -r 1 -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
public class PopcountBenchmark {
    static final int WORDS = 2048;
    static final int RUN = 36;
    static final int RUNS = WORDS / RUN / 4;
    private static final VectorSpecies<Long> S = LongVector.SPECIES_256;

    private long[] x;
    private long[] w;

    @Setup
    public void setUp() {
        Random r = new Random(42);
        x = new long[WORDS];
        w = new long[WORDS];
        for (int i = 0; i < WORDS; i++) {
            x[i] = r.nextLong();
            w[i] = r.nextLong();
        }
    }

    @Benchmark
    @OperationsPerInvocation(WORDS)
    public int popcountOnly() {
        int a0 = 0;
        int a1 = 0;
        int a2 = 0;
        int a3 = 0;
        for (int i = 0; i < WORDS; i += 4) {
            a0 += Long.bitCount(x[i]);
            a1 += Long.bitCount(x[i + 1]);
            a2 += Long.bitCount(x[i + 2]);
            a3 += Long.bitCount(x[i + 3]);
        }
        return a0 + a1 + a2 + a3;
    }

    @Benchmark
    @OperationsPerInvocation(WORDS)
    public int xorPopcount() {
        int a0 = 0;
        int a1 = 0;
        int a2 = 0;
        int a3 = 0;
        for (int i = 0; i < WORDS; i += 4) {
            a0 += Long.bitCount(x[i] ^ w[i]);
            a1 += Long.bitCount(x[i + 1] ^ w[i + 1]);
            a2 += Long.bitCount(x[i + 2] ^ w[i + 2]);
            a3 += Long.bitCount(x[i + 3] ^ w[i + 3]);
        }
        return a0 + a1 + a2 + a3;
    }

    /** {@code RUNS} windows of {@code RUN} activation words, each against four filters' interleaved words. */
    @Benchmark
    @OperationsPerInvocation(RUNS * RUN * 4)
    public int fourFilters() {
        int sum = 0;
        for (int r = 0; r < RUNS; r++) {
            int xs = r * RUN;
            int ws = r * RUN * 4;
            int d0 = 0;
            int d1 = 0;
            int d2 = 0;
            int d3 = 0;
            for (int i = 0; i < RUN; i++) {
                long v = x[xs + i];
                int wi = ws + 4 * i;
                d0 += Long.bitCount(v ^ w[wi]);
                d1 += Long.bitCount(v ^ w[wi + 1]);
                d2 += Long.bitCount(v ^ w[wi + 2]);
                d3 += Long.bitCount(v ^ w[wi + 3]);
            }
            sum += d0 ^ d1 ^ d2 ^ d3;
        }
        return sum;
    }

    /** As {@link #fourFilters}, four words per vector, filters' runs contiguous. */
    @Benchmark
    @OperationsPerInvocation(RUNS * RUN * 4)
    public int vectorSwar() {
        int sum = 0;
        for (int r = 0; r < RUNS; r++) {
            int xs = r * RUN;
            int ws = r * RUN * 4;
            LongVector c0 = LongVector.zero(S);
            LongVector c1 = c0;
            LongVector c2 = c0;
            LongVector c3 = c0;
            for (int i = 0; i < RUN; i += 4) {
                LongVector v = LongVector.fromArray(S, x, xs + i);
                c0 = c0.add(bytePopcounts(v.lanewise(VectorOperators.XOR, LongVector.fromArray(S, w, ws + i))));
                c1 = c1.add(bytePopcounts(v.lanewise(VectorOperators.XOR, LongVector.fromArray(S, w, ws + RUN + i))));
                c2 = c2.add(bytePopcounts(v.lanewise(VectorOperators.XOR,
                        LongVector.fromArray(S, w, ws + 2 * RUN + i))));
                c3 = c3.add(bytePopcounts(v.lanewise(VectorOperators.XOR,
                        LongVector.fromArray(S, w, ws + 3 * RUN + i))));
            }
            sum += byteSum(c0) ^ byteSum(c1) ^ byteSum(c2) ^ byteSum(c3);
        }
        return sum;
    }

    /** Each byte of the result holds the number of ones in that byte of {@code v} (at most 8). */
    static LongVector bytePopcounts(LongVector v) {
        v = v.sub(v.lanewise(VectorOperators.LSHR, 1).and(0x5555555555555555L));
        v = v.and(0x3333333333333333L).add(v.lanewise(VectorOperators.LSHR, 2).and(0x3333333333333333L));
        return v.add(v.lanewise(VectorOperators.LSHR, 4)).and(0x0F0F0F0F0F0F0F0FL);
    }

    /** The sum of all bytes of {@code c} (bytes up to 255: the 16-bit partial sums, at most 4 x 2 x 255, cannot overflow). */
    static int byteSum(LongVector c) {
        LongVector t = c.and(0x00FF00FF00FF00FFL).add(c.lanewise(VectorOperators.LSHR, 8).and(0x00FF00FF00FF00FFL));
        long r = t.reduceLanes(VectorOperators.ADD);
        r = (r & 0x0000FFFF0000FFFFL) + ((r >>> 16) & 0x0000FFFF0000FFFFL);
        return (int) ((r & 0xFFFFFFFFL) + (r >>> 32));
    }
}
