package dev.minnow.jmh;

import dev.minnow.engine.kernel.Gemm;
import dev.minnow.engine.kernel.Int8Kernels;
import dev.minnow.engine.kernel.Int8MatrixColumns;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.PackedInt8;
import dev.minnow.engine.kernel.QuantizedGemm;
import dev.minnow.engine.kernel.Requantization;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The raw kernels under a 4096 x 4096 fully connected layer at batch 1 (a matrix-vector product),
 * float32 against int8 in one run, without the ops around them ({@link Int8Benchmark} times the
 * ops). Weights from seed 42; every subject computes all 4096 outputs.
 * <ol>
 *   <li>{@code float32Gemv}: {@link Gemm#sgemm} with {@code m = 1}, the path of the float Gemm op at
 *       batch 1 (dot products of the input with the rows of W, 64 MiB of weights);</li>
 *   <li>{@code int8GemmPanels}: the integer GEMM's panel kernel called with one column, panel by
 *       panel, the batch-1 path before {@code Int8Kernels.gemv} existed (1 thread);</li>
 *   <li>{@code int8Gemv}: {@link Int8Kernels#gemv} over all panels (1 thread, raw sums, 16 MiB);</li>
 *   <li>{@code int8GemvScalar}: the same with the plain-Java kernels (the fallback; 1 thread);</li>
 *   <li>{@code int8Multiply}: {@link QuantizedGemm#multiply}, the gemv plus the requantization to
 *       8-bit outputs, on {@code threads} threads: what the QGemm op runs.</li>
 * </ol>
 * <pre>java -jar jmh/target/benchmarks.jar Int8GemvBenchmark -wi 2 -w 1 -i 5 -r 1 -f 1 -p threads=1,2</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class Int8GemvBenchmark {
    static final int N = 4096;

    @Param({"1"})
    public int threads;

    private float[] wf;
    private float[] xf;
    private float[] yf;
    private PackedInt8 packed;
    private PackedInt8 packedScalar;
    private int[] pairs;
    private int[] raw;
    private int[] tile;
    private Int8MatrixColumns x8;
    private Requantization rq;
    private byte[] y8;

    @Setup
    public void setUp() {
        KernelCheck.require("vector");
        Random r = new Random(42);
        wf = new float[N * N];
        byte[] w8 = new byte[N * N];
        for (int i = 0; i < wf.length; i++) {
            w8[i] = (byte) (r.nextInt(255) - 127);
            wf[i] = w8[i] * 0.01f;
        }
        xf = new float[N];
        byte[] xq = new byte[N];
        for (int p = 0; p < N; p++) {
            xq[p] = (byte) r.nextInt(256);
            xf[p] = (xq[p] & 0xFF) * 0.02f;
        }
        yf = new float[N];
        packed = KernelProvider.int8().pack(w8, 0, N, N, N, true);
        packedScalar = KernelProvider.int8Scalar().pack(w8, 0, N, N, N, true);
        pairs = new int[N / 2];
        for (int t = 0; t < N / 2; t++) {
            pairs[t] = (xq[2 * t] & 0xFF) | (xq[2 * t + 1] & 0xFF) << 16;
        }
        raw = new int[packed.panels() * packed.panelRows()];
        tile = new int[packed.panelRows()];
        x8 = new Int8MatrixColumns().set(xq, 0, N, N, 1, true, false);
        double[] mult = {0.01 * 0.02 / 0.5};
        rq = Requantization.forProduct(packed, new int[] {128}, 0, null, mult, 0, -128, 127);
        y8 = new byte[N];
    }

    @Benchmark
    public float[] float32Gemv() {
        Gemm.sgemm(false, true, 1, N, N, 1f, xf, 0, N, wf, 0, N, 0f, yf, 0, N, threads);
        return yf;
    }

    @Benchmark
    public int int8GemmPanels() {
        Int8Kernels k = packed.owner();
        int s = 0;
        for (int q = 0; q < packed.panels(); q++) {
            k.gemmPanel(packed, q, pairs, 1, tile, null);
            s += tile[0];
        }
        return s;
    }

    @Benchmark
    public int[] int8Gemv() {
        packed.owner().gemv(packed, 0, packed.panels(), pairs, raw);
        return raw;
    }

    @Benchmark
    public int[] int8GemvScalar() {
        packedScalar.owner().gemv(packedScalar, 0, packedScalar.panels(), pairs, raw);
        return raw;
    }

    @Benchmark
    public byte[] int8Multiply() {
        QuantizedGemm.multiply(packed, x8, rq, y8, 0, 1, 1, threads);
        return y8;
    }
}
