package dev.minnow.jmh.peers;

import dev.minnow.jmh.MinnowInference;
import dev.minnow.jmh.Network;
import java.nio.file.Files;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The torchvision {@link Network}s at batch 1, Minnow and ONNX Runtime side by side in one run,
 * both loading the same ONNX file (from {@code jmh/scripts/export_torchvision.py}): Minnow with
 * {@code OnnxReader}, ONNX Runtime with its own loader and all graph optimisations. Only
 * {@code run()} is measured. {@link PeerCheck} verifies first that the two agree.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class NetworkPeerBenchmark {

    @Param
    public Network network;

    @Param({"1"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    @Param({"minnow", "ort"})
    public String engine;

    private MinnowInference minnow;
    private OrtModel ort;

    @Setup
    public void setUp() throws Exception {
        switch (engine) {
            case "minnow" -> minnow = MinnowInference.plan(network.graph(), network.inputShape(batch), threads, 7);
            case "ort" -> ort = OrtModel.loadSingleInput(Files.readAllBytes(network.requireFile()), threads,
                    MinnowInference.randomInput(network.inputShape(batch), 7));
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "' (minnow, ort)");
        }
    }

    @Benchmark
    public Object infer() throws Exception {
        if (minnow != null) {
            return minnow.run();
        }
        ort.run();
        return ort;
    }

    @TearDown
    public void tearDown() throws Exception {
        if (ort != null) {
            ort.close();
        }
    }
}
