package dev.minnow.jmh;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.compression.lowrank.LowRankDecomposition;
import dev.minnow.compression.lowrank.LowRankMethod;
import dev.minnow.compression.lowrank.RankRule;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.zoo.models.Zoo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
 * Inference latency of a model before and after low-rank decomposition (docs/low-rank.md), all
 * variants in one run. The decomposition is made in the setup from the fixed ranks the
 * {@code decomposition} parameter names ({@code original}, or {@code METHOD-LAYER-RANKS}:
 * {@code svd-fc1-64}, {@code tucker-conv2-10x25} for R_in x R_out, {@code cp-conv2-32}); latency
 * depends on the shapes only, so the zoo's untrained LeNet-5 times the same as the trained file
 * (a .mnw path works too, as {@code model}). Both graphs get the exact inference optimisations
 * (fused activations), as {@code minnow bench} applies them.
 * Command: {@code java -jar jmh/target/benchmarks.jar LowRankBenchmark -wi 2 -w 1 -i 4 -r 1 -f 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
public class LowRankBenchmark {

    @Param({"lenet5"})
    public String model;

    @Param({"original", "svd-fc1-64", "tucker-conv2-10x25", "cp-conv2-32"})
    public String decomposition;

    @Param({"1", "64"})
    public int batch;

    @Param({"2"})
    public int threads;

    private MinnowInference inference;

    @Setup
    public void setUp() throws IOException {
        KernelCheck.require("vector");
        Graph g = model.endsWith(".mnw") ? ModelFile.load(Path.of(model)).graph() : Zoo.build(model);
        g = decompose(g, decomposition);
        g = GraphOptimizer.standard().optimize(g).graph();
        inference = MinnowInference.plan(g, Shape.of(batch, 1, 28, 28), threads, 7);
    }

    /** The graph decomposed as {@code spec} says ({@code original}: unchanged). */
    static Graph decompose(Graph g, String spec) {
        if (spec.equals("original")) {
            return g;
        }
        String[] p = spec.split("-");
        if (p.length != 3) {
            throw new IllegalArgumentException("decomposition '" + spec + "' is not original or METHOD-LAYER-RANKS");
        }
        LowRankMethod method = switch (p[0]) {
            case "svd" -> new LowRankMethod.Svd(RankRule.rank(Integer.parseInt(p[2])));
            case "tucker" -> {
                String[] r = p[2].split("x");
                yield new LowRankMethod.Tucker(RankRule.rank(Integer.parseInt(r[1])), RankRule.rank(Integer.parseInt(r[0])));
            }
            case "cp" -> new LowRankMethod.Cp(Integer.parseInt(p[2]));
            default -> throw new IllegalArgumentException("unknown method '" + p[0] + "' in '" + spec + "'");
        };
        return LowRankDecomposition.apply(g, method, List.of(p[1])).graph();
    }

    @Benchmark
    public Tensor infer() {
        return inference.run();
    }
}
