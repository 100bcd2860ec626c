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
 * The {@link ConvLayer} subjects run by Minnow alone, on the vector kernels; {@link
 * ConvLayerScalarBenchmark} runs the same on the scalar ones, and the ratio of the two medians is
 * the "vector vs scalar" column of docs/performance.md. The side-by-side comparison with ONNX
 * Runtime is {@code peers.ConvLayerPeerBenchmark} ({@code -Ppeers}).
 *
 * <p>Threads default to 1 only: the vector/scalar ratio is a property of the kernels; pass
 * {@code -p threads=1,2} for more.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class ConvLayerBenchmark {

    @Param
    public ConvLayer layer;

    @Param({"1", "8"})
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
        model = MinnowInference.plan(layer.graph(), layer.inputShape(batch), threads, 7);
    }

    @Benchmark
    public Tensor conv() {
        return model.run();
    }
}
