package dev.minnow.jmh;

import dev.minnow.compression.sparse.SparseKernelProvider;
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
 * A fully connected layer, dense ({@code sparsity = 0}: the Gemm op on the blocked GEMM) against
 * its magnitude-pruned weight in CSR ({@code SparseGemm}), at 50/70/90/95 % sparsity, for
 * LeNet-300-100's and AlexNet's shapes at batch 1, on the vector kernels;
 * {@link SparseGemmScalarBenchmark} runs the same on the scalar ones. The speed-up at a sparsity
 * is the dense median over the sparse one (docs/pruning.md; Deep Compression reports 3x on CPU).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class SparseGemmBenchmark {

    @Param
    public FcLayer shape;

    @Param({"0", "0.5", "0.7", "0.9", "0.95"})
    public double sparsity;

    @Param({"1"})
    public int batch;

    @Param({"1"})
    public int threads;

    private MinnowInference model;

    /** The kernels this class measures. */
    protected String kernels() {
        return "vector";
    }

    @Setup
    public void setUp() {
        KernelCheck.require(kernels());
        if (!SparseKernelProvider.kernels().name().startsWith(kernels())) {
            throw new IllegalStateException("expected the " + kernels() + " sparse kernels, got "
                    + SparseKernelProvider.kernels().name());
        }
        model = MinnowInference.plan(SparseLayers.pruned(shape.graph(), sparsity), shape.inputShape(batch), threads, 7);
    }

    @Benchmark
    public Tensor fc() {
        return model.run();
    }
}
