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
 * The torchvision {@link Network}s (ONNX files from {@code jmh/scripts/export_torchvision.py}) run
 * by Minnow alone at batch 1 on the vector kernels; {@link NetworkScalarBenchmark} runs them on the
 * scalar ones. ONNX Runtime on the same files: {@code peers.NetworkPeerBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class NetworkBenchmark {

    @Param
    public Network network;

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
        model = MinnowInference.plan(network.graph(), network.inputShape(batch), threads, 7);
    }

    @Benchmark
    public Tensor infer() {
        return model.run();
    }
}
