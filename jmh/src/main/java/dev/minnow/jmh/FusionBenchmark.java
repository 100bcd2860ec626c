package dev.minnow.jmh;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.compression.rebirth.DeepRebirth;
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
 * Layer fusion step by step on BVLC's GoogLeNet (Inception v1 with LRN, 224x224, batch 1): what
 * each transformation of docs/fusion.md and docs/deeprebirth.md buys in Minnow, in one run.
 * <pre>
 *   original     the graph as built (conv, ReLU, pooling, LRN, concat as separate nodes)
 *   exact        + the exact optimisations: ReLU fused into the convolutions, dropout removed
 *   streamline   + DeepRebirth streamline merging (stem pools into conv strides, LRN gone), exact
 *   branch       + DeepRebirth branch merging (Inception 1x1 and pool branches merged), exact
 *   all          + both merges, exact: the full DeepRebirth transform
 * </pre>
 * The merged layers have fresh (untrained) weights: speed does not depend on their values.
 * Command (docs/deeprebirth.md):
 * {@code java -jar jmh/target/benchmarks.jar FusionBenchmark -p threads=2}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 4)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class FusionBenchmark {

    @Param({"original", "exact", "streamline", "branch", "all"})
    public String step;

    @Param({"googlenet_bvlc"})
    public String model;

    @Param({"2"})
    public int threads;

    private MinnowInference inference;

    /** The graph of one step. */
    static Graph graph(String model, String step) {
        Graph g = Zoo.build(model);
        return switch (step) {
            case "original" -> g;
            case "exact" -> GraphOptimizer.standard().optimize(g).graph();
            case "streamline", "branch", "all" -> GraphOptimizer.standard().optimize(
                    new DeepRebirth(!step.equals("branch"), !step.equals("streamline"), 1).apply(g).graph()).graph();
            default -> throw new IllegalArgumentException("unknown step '" + step
                    + "' (original, exact, streamline, branch, all)");
        };
    }

    @Setup
    public void setUp() {
        KernelCheck.require("vector");
        Zoo.Defaults d = Zoo.defaults(model);
        inference = MinnowInference.plan(graph(model, step), Shape.of(1, d.channels(), d.height(), d.width()), threads, 7);
    }

    @Benchmark
    public Tensor infer() {
        return inference.run();
    }
}
