package dev.minnow.jmh;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.compression.structured.StructuredPruner;
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
 * Filter pruning's real speed-up (docs/structured-pruning.md): a zoo model at its default input,
 * batch 1, as built ({@code macs = 0}) and with that fraction of its convolution MACs removed by
 * {@link StructuredPruner#byMacs} (uniform allocation, L1 ranking), both with the exact inference
 * optimisations that {@code minnow bench} applies. Same run, same JVM flags: the ratio of the two
 * rows is the speed-up. Command:
 * {@code java -jar jmh/target/benchmarks.jar StructuredPruningBenchmark -p threads=2 -wi 2 -w 1 -i 4 -r 1 -f 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx6g"})
public class StructuredPruningBenchmark {

    @Param({"resnet18"})
    public String model;

    @Param({"0", "0.5"})
    public double macs;

    @Param({"2"})
    public int threads;

    private MinnowInference inference;

    @Setup
    public void setUp() {
        KernelCheck.require("vector");
        inference = plan(model, macs, threads);
    }

    /**
     * The zoo model with {@code macs} of its convolution MACs removed by uniform filter pruning (none
     * for 0), optimised as {@code ./minnow bench} does, planned for batch 1 (also an {@code Interleaved}
     * subject).
     */
    static MinnowInference plan(String model, double macs, int threads) {
        Graph g = Zoo.build(model);
        if (macs > 0) {
            g = StructuredPruner.byMacs(g, macs, StructuredPruner.Allocation.UNIFORM).graph();
        }
        g = GraphOptimizer.standard().optimize(g).graph();
        Zoo.Defaults d = Zoo.defaults(model);
        return MinnowInference.plan(g, Shape.of(1, d.channels(), d.height(), d.width()), threads, 7);
    }

    @Benchmark
    public Tensor infer() {
        return inference.run();
    }
}
