package dev.minnow.jmh;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.zoo.models.Zoo;
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
 * The exact optimisations of docs/fusion.md (BN folded, activations and Add + ReLU fused, dropout
 * removed) on every zoo model at its default input, batch 1: {@code optimized = false} is the
 * graph as built, {@code true} the optimised one; the ratio is the per-model speed-up table.
 * Command: {@code java -jar jmh/target/benchmarks.jar ExactFusionBenchmark -p threads=2}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx6g"})
public class ExactFusionBenchmark {

    @Param({"lenet300", "lenet5", "alexnet", "alexnet_bvlc", "vgg16", "googlenet", "googlenet_bvlc", "resnet18",
        "resnet50", "mobilenet_v1", "mobilenet_v2", "shufflenet_v1_g3", "shufflenet_v2_x1_0", "squeezenet1_0",
        "squeezenet1_1"})
    public String model;

    @Param({"false", "true"})
    public boolean optimized;

    @Param({"2"})
    public int threads;

    private MinnowInference inference;

    @Setup
    public void setUp() {
        KernelCheck.require("vector");
        Graph g = Zoo.build(model);
        if (optimized) {
            g = GraphOptimizer.standard().optimize(g).graph();
        }
        Zoo.Defaults d = Zoo.defaults(model);
        inference = MinnowInference.plan(g, Shape.of(1, d.channels(), d.height(), d.width()), threads, 7);
    }

    @Benchmark
    public Tensor infer() {
        return inference.run();
    }
}
