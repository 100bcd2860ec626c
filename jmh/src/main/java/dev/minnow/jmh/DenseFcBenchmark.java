package dev.minnow.jmh;

import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.SimdKernels;
import dev.minnow.engine.tensor.Tensor;
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
 * The dense baselines of {@link SparseFcBenchmark}, at batch 1 on the vector kernels:
 * <ul>
 * <li>{@code gemmOp}: the layer as Minnow runs it, the Gemm op on the blocked, packing GEMM;</li>
 * <li>{@code gemv}: the strongest simple dense baseline, one vectorised dot product per output
 *     ({@link SimdKernels#dot}) plus the bias, no packing: it streams the weights once, as fast as
 *     memory allows. The sparse layer must beat this for its speed-up to be real.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class DenseFcBenchmark {

    @Param
    public FcLayer shape;

    @Param({"1"})
    public int threads;

    private MinnowInference model;
    private SimdKernels kernels;
    private float[] w;
    private float[] bias;
    private float[] x;
    private float[] y;

    @Setup
    public void setUp() {
        KernelCheck.require("vector");
        var g = shape.graph();
        model = MinnowInference.plan(g, shape.inputShape(1), threads, 7);
        kernels = KernelProvider.kernels();
        w = g.initializer("fc.weight").toFloatArray();
        bias = g.initializer("fc.bias").toFloatArray();
        x = model.input().toFloatArray();
        y = new float[shape.outputs()];
    }

    @Benchmark
    public Tensor gemmOp() {
        return model.run();
    }

    @Benchmark
    public float[] gemv() {
        int k = shape.inputs();
        for (int o = 0; o < y.length; o++) {
            y[o] = bias[o] + kernels.dot(k, w, o * k, x, 0);
        }
        return y;
    }
}
