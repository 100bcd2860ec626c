package dev.minnow.jmh;

import dev.minnow.engine.kernel.Gemm;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The textbook triple loop at n = 256, single-threaded: the starting point of the optimisation
 * story told in docs/performance.md (what packing, blocking and register tiles buy).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
public class GemmNaiveBenchmark {
    private static final int N = 256;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
        Random r = new Random(42);
        a = new float[N * N];
        b = new float[N * N];
        c = new float[N * N];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
        }
    }

    @Benchmark
    public float[] naive256() {
        Gemm.sgemmNaive(false, false, N, N, N, 1f, a, 0, N, b, 0, N, 0f, c, 0, N);
        return c;
    }
}
