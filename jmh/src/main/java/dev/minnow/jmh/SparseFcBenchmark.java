package dev.minnow.jmh;

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
 * A fully connected layer with its weight magnitude-pruned to 50/70/90/95 % and held in CSR
 * ({@code SparseGemm}), for LeNet-300-100's and AlexNet's shapes at batch 1, on the kernels Minnow
 * picks ({@code auto}) and on the vector and the scalar sparse kernels alone. {@link DenseFcBenchmark}
 * measures the same layers dense; the speed-up at a sparsity is the dense median over the sparse
 * one (docs/pruning.md; Deep Compression reports 3x on CPU).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class SparseFcBenchmark {

    @Param
    public FcLayer shape;

    @Param({"0.5", "0.7", "0.9", "0.95"})
    public double sparsity;

    /** {@code auto}: what {@code minnow} runs (SparseKernelProvider's choice per product); else for every product. */
    @Param({"auto", "vector", "scalar"})
    public String kernels;

    @Param({"1"})
    public int batch;

    @Param({"1"})
    public int threads;

    private MinnowInference model;

    @Setup
    public void setUp() {
        model = MinnowInference.plan(SparseLayers.pruned(shape.graph(), sparsity, kernels), shape.inputShape(batch),
                threads, 7);
    }

    @Benchmark
    public Tensor fc() {
        return model.run();
    }
}
