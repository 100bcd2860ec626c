package dev.minnow.jmh;

import dev.minnow.engine.kernel.Gemm;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.SimdKernels;
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
 * Square single-precision GEMM {@code C = A * B} of size n, Minnow's kernels: the Vector API
 * implementation, the scalar (auto-vectorised plain Java) fallback, and, for n = 256 only, the
 * naive triple loop they are tested against. FLOPs per call: {@code 2 n^3}.
 *
 * <p>Peers (EJML, ONNX Runtime's MatMul) are in {@code GemmPeerBenchmark}, built with
 * {@code -Ppeers}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class GemmBenchmark {

    @Param({"256", "512", "1024"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    @Param({"vector", "scalar"})
    public String kernels;

    private float[] a;
    private float[] b;
    private float[] c;
    private SimdKernels impl;

    @Setup
    public void setUp() {
        Random r = new Random(42);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
        }
        impl = kernels.equals("scalar") ? KernelProvider.scalar() : KernelProvider.vectorOrNull();
        if (impl == null) {
            throw new IllegalStateException("the vector kernels need --add-modules jdk.incubator.vector");
        }
    }

    @Benchmark
    public float[] gemm() {
        Gemm.sgemm(impl, false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n, threads);
        return c;
    }
}
