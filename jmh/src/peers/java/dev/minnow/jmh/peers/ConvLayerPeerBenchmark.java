package dev.minnow.jmh.peers;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.jmh.ConvLayer;
import dev.minnow.jmh.MinnowInference;
import java.util.Map;
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
 * Each {@link ConvLayer} as a one-node model, Minnow and ONNX Runtime side by side in one run.
 * Minnow plans the graph built with {@code ModelBuilder}; ONNX Runtime loads the bytes
 * {@link OnnxWriter} makes of that same graph, so both compute the very same convolution with the
 * same weights on the same input. Only {@code run()} is measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class ConvLayerPeerBenchmark {

    @Param
    public ConvLayer layer;

    @Param({"1", "8"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    @Param({"minnow", "ort"})
    public String engine;

    private MinnowInference minnow;
    private OrtModel ort;

    @Setup
    public void setUp() throws Exception {
        Graph g = layer.graph();
        switch (engine) {
            case "minnow" -> minnow = MinnowInference.plan(g, layer.inputShape(batch), threads, 7);
            case "ort" -> ort = OrtModel.load(OnnxWriter.toBytes(g), threads,
                    Map.of(g.inputs().get(0).name(), MinnowInference.randomInput(layer.inputShape(batch), 7)));
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "' (minnow, ort)");
        }
    }

    @Benchmark
    public Object conv() throws Exception {
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
