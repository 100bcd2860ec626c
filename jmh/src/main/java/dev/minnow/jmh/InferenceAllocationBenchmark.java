package dev.minnow.jmh;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Shape;
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
 * Steady-state inference, planned once in setup: run it with {@code -prof gc} and
 * {@code gc.alloc.rate.norm} is the number of bytes one inference allocates (the plan promises
 * "nothing but the views of caller-owned inputs"; the bar is a few hundred bytes).
 *
 * <p>{@code model} is {@code LENET5}, {@code LENET300_100} (built in code, batch 1) or the name
 * of a {@link Network} (an exported torchvision file).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class InferenceAllocationBenchmark {

    @Param({"LENET5", "MOBILENET_V2"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    private MinnowInference inference;

    @Setup
    public void setUp() {
        Graph graph;
        Shape shape;
        if (model.startsWith("LENET")) {
            graph = LeNets.valueOf(model).graph();
            shape = Shape.of(1, 1, 28, 28);
        } else {
            Network n = Network.valueOf(model);
            graph = n.graph();
            shape = n.inputShape(1);
        }
        inference = MinnowInference.plan(graph, shape, threads, 7);
    }

    @Benchmark
    public Tensor infer() {
        return inference.run();
    }
}
