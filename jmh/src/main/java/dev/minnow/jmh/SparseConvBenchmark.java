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
 * A convolution, dense ({@code sparsity = 0}: im2col + the blocked GEMM) against its
 * magnitude-pruned filters in CSR ({@code SparseConv}: im2col + sparse x dense), at batch 1 on
 * the vector kernels: where {@code SparseInference.CONV_THRESHOLD} comes from.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class SparseConvBenchmark {

    @Param({"LENET5_5X5_20_50_12", "CONV3X3_64_56", "POINTWISE_128_256_28"})
    public ConvLayer layer;

    @Param({"0", "0.7", "0.9", "0.95"})
    public double sparsity;

    /** The sparse kernels (the dense layer, sparsity 0, always runs the engine's vector kernels). */
    @Param({"vector"})
    public String kernels;

    @Param({"1"})
    public int batch;

    @Param({"1"})
    public int threads;

    private MinnowInference model;

    @Setup
    public void setUp() {
        KernelCheck.require("vector");
        model = MinnowInference.plan(SparseLayers.pruned(layer.graph(), sparsity, kernels), layer.inputShape(batch), threads, 7);
    }

    @Benchmark
    public Tensor conv() {
        return model.run();
    }
}
