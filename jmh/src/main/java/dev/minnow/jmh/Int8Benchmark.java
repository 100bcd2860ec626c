package dev.minnow.jmh;

import dev.minnow.compression.quant.Int8Quantizer;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.op.DequantizeLinear;
import dev.minnow.engine.op.QuantizeLinear;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * int8 layers against the float32 ones they were quantized from, at batch 1, in one run
 * (docs/quantization.md): the same seeded weights, quantized per output channel with ranges
 * calibrated on the benchmark's own input.
 * <ul>
 *   <li>{@code float32}: the float layer as Minnow runs it (packed weights, vector GEMM);</li>
 *   <li>{@code int8Layer}: the integer layer with float input and output, i.e. QuantizeLinear,
 *       the QLinearConv / QGemm, DequantizeLinear (what replacing one layer costs);</li>
 *   <li>{@code int8Core}: the integer op alone on a uint8 input (what each layer costs inside an
 *       int8 network, where activations stay 8-bit between layers).</li>
 * </ul>
 * The 4096x4096 fully connected layer at batch 1 is memory-bound: a float32 pass streams 64 MiB
 * of weights, the int8 pass 16 MiB.
 * <pre>java -jar jmh/target/benchmarks.jar Int8Benchmark -wi 2 -w 1 -i 4 -r 1 -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class Int8Benchmark {

    /** The layers compared: the fully connected layer of the issue and the conv shapes of {@link ConvLayer}. */
    public enum Subject {
        FC_4096X4096, CONV3X3_64_56, POINTWISE_128_256_28, DEPTHWISE3X3_64_112, LENET5_5X5_20_50_12;

        Graph graph() {
            return this == FC_4096X4096 ? FcLayer.FC_4096X4096.graph() : ConvLayer.valueOf(name()).graph();
        }

        Shape inputShape() {
            return this == FC_4096X4096 ? FcLayer.FC_4096X4096.inputShape(1) : ConvLayer.valueOf(name()).inputShape(1);
        }
    }

    @Param
    public Subject subject;

    @Param({"1"})
    public int threads;

    private MinnowInference float32;
    private MinnowInference int8Layer;
    private Plan int8Core;
    private Tensor int8Input;

    @Setup
    public void setUp() {
        KernelCheck.require("vector");
        Graph f = subject.graph();
        float32 = MinnowInference.plan(f, subject.inputShape(), threads, 7);
        Graph q = Int8Quantizer.quantize(f, List.of(float32.input()),
                Int8Quantizer.Options.defaults().withThreads(threads)).graph();
        int8Layer = MinnowInference.plan(q, subject.inputShape(), threads, 7);
        Graph core = integerCore(q);
        String in = core.inputs().get(0).name();
        int8Core = Plan.compile(core, Map.of(in, subject.inputShape()), PlanOptions.inference().withThreads(threads));
        // the quantized benchmark input, as the int8 layer's QuantizeLinear makes it
        Plan keepAll = Plan.compile(q, Map.of(q.inputs().get(0).name(), subject.inputShape()),
                PlanOptions.inference().withThreads(1).withReuseBuffers(false));
        keepAll.run(float32.input());
        int8Input = keepAll.value(in).copy();
    }

    /**
     * The graph between the QuantizeLinear of the input and the DequantizeLinear of the output:
     * input {@code x_quantized} (uint8), output the 8-bit result.
     */
    static Graph integerCore(Graph q) {
        Node quantize = q.nodes().stream().filter(n -> n.op() instanceof QuantizeLinear
                && n.input(0).equals(q.inputs().get(0).name())).findFirst().orElseThrow();
        Node dequantize = q.producer(q.outputs().get(0));
        if (!(dequantize.op() instanceof DequantizeLinear)) {
            throw new IllegalStateException("expected the output to come from a DequantizeLinear, found "
                    + dequantize.describe());
        }
        Graph.Builder b = Graph.builder(q.name() + "_core")
                .input(quantize.output(), DataType.UINT8, q.inputs().get(0).shape());
        q.initializers().forEach(b::initializer);
        q.nodes().stream().filter(n -> !n.name().equals(quantize.name()) && !n.name().equals(dequantize.name()))
                .forEach(b::node);
        return b.output(dequantize.input(0)).build();
    }

    @Benchmark
    public Tensor float32() {
        return float32.run();
    }

    @Benchmark
    public Tensor int8Layer() {
        return int8Layer.run();
    }

    @Benchmark
    public Tensor int8Core() {
        return int8Core.runSingle(int8Input);
    }
}
