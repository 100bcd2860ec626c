package dev.minnow.jmh;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.kernel.BinaryConv;
import dev.minnow.engine.kernel.BinaryKernels;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.PaddedBinaryConv;
import dev.minnow.engine.op.SlidingWindow;
import dev.minnow.engine.op.XnorConv;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
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
 * XNOR-popcount convolution against Minnow's float32 convolution on the same layer, in one run:
 * 3x3, 256 -> 256 channels, 14x14, pad 1, batch 1 (a ResNet stage-4 layer; issue 7's target is
 * XNOR >= 5x faster). Both are one-node graphs planned as {@code minnow run} plans them; the float
 * Conv runs its packed GEMM (vector kernels), the XnorConv binarises and packs its input on every run
 * (that cost is included) and computes {@code 256 * 196} dot products of 2,304 bits as 36 XOR +
 * popcount words each. The XNOR weights are the signs of the float ones.
 *
 * <p>Three more subjects time the binary kernels alone on one thread, packing included, so a reader
 * sees what each step bought: {@code xnorKernelRows} is {@link BinaryConv#forwardRows} (unpadded
 * image, tap bounds tested per position, one POPCNT per word); {@code xnorKernelScalar} and
 * {@code xnorKernelVector} are {@link PaddedBinaryConv} (zero-bordered image, windows gathered four
 * at a time, the border corrected per rectangle of valid taps) with the scalar and the vector
 * {@link BinaryKernels}; the op runs the one {@link KernelProvider#binary()} chooses.
 *
 * <pre>
 *   mvn -q -B -DskipTests package -pl jmh -am
 *   java -jar jmh/target/benchmarks.jar XnorConvBenchmark -wi 2 -w 1 -i 5 -r 1 -f 1 -p threads=1,2
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class XnorConvBenchmark {
    static final int CHANNELS = 256;
    static final int SIZE = 14;

    @Param({"1"})
    public int threads;

    private MinnowInference float32;
    private MinnowInference xnor;
    private float[] x;
    private BinaryConv.Shape shape;
    private long[] signs;
    private long[] bits;
    private PaddedBinaryConv.Layer layer;
    private BinaryKernels vectorKernels;
    private float[] alpha;
    private float[] bias;
    private float[] y;

    @Setup
    public void setUp() {
        Graph conv = floatConv();
        float32 = MinnowInference.plan(conv, Shape.of(1, CHANNELS, SIZE, SIZE), threads, 7);
        Graph xnorGraph = xnorConv(conv);
        xnor = MinnowInference.plan(xnorGraph, Shape.of(1, CHANNELS, SIZE, SIZE), threads, 7);
        Tensor in = xnor.input();
        x = new float[CHANNELS * SIZE * SIZE];
        for (int i = 0; i < x.length; i++) {
            x[i] = in.get(i);
        }
        shape = new BinaryConv.Shape(CHANNELS, SIZE, SIZE, CHANNELS, 3, 3, 1, 1, 1, 1, 1, 1, SIZE, SIZE);
        Tensor s = xnorGraph.initializer("signs");
        signs = new long[shape.weightLongs()];
        for (int i = 0; i < signs.length; i++) {
            signs[i] = s.longData()[s.offset() + i];
        }
        bits = new long[shape.activationLongs()];
        layer = new PaddedBinaryConv.Layer(shape);
        layer.prepareWeights(signs, 0);
        vectorKernels = KernelProvider.binaryVectorOrNull();
        if (vectorKernels == null) {
            throw new IllegalStateException("the vector binary kernels need --add-modules jdk.incubator.vector");
        }
        alpha = xnorGraph.initializer("alpha").data().clone();
        bias = conv.initializer("conv.bias").data().clone();
        y = new float[CHANNELS * SIZE * SIZE];
    }

    /** The float layer: weights and bias from seed 42. */
    static Graph floatConv() {
        ModelBuilder b = new ModelBuilder("conv3x3_256_14", 42);
        String x = b.input("x", Shape.UNKNOWN, CHANNELS, SIZE, SIZE);
        return b.output(b.conv(x, ConvSpec.of(CHANNELS, 3).withPad(1).named("conv"))).build();
    }

    /** The same layer as an XnorConv: the weights' signs, alpha = E|W| per filter, the same bias. */
    static Graph xnorConv(Graph conv) {
        Tensor w = conv.initializer("conv.weight");
        int taps = CHANNELS * 9;
        long[] signs = new long[CHANNELS * 9 * BinaryConv.words(CHANNELS)];
        BinaryConv.packWeights(w.data(), w.offset(), CHANNELS, CHANNELS, 3, 3, signs, 0);
        float[] alpha = new float[CHANNELS];
        for (int oc = 0; oc < CHANNELS; oc++) {
            double sum = 0;
            for (int i = 0; i < taps; i++) {
                sum += Math.abs(w.get(oc * taps + i));
            }
            alpha[oc] = (float) (sum / taps);
        }
        return Graph.builder("xnor3x3_256_14")
                .input("x", DataType.FLOAT, Shape.pattern(Shape.UNKNOWN, CHANNELS, SIZE, SIZE))
                .initializer("signs", Tensor.ofLongs(Shape.of(CHANNELS, 3, 3, BinaryConv.words(CHANNELS)), signs))
                .initializer("alpha", Tensor.of(Shape.of(CHANNELS), alpha))
                .initializer("bias", conv.initializer("conv.bias"))
                .node("xnor", new XnorConv(SlidingWindow.of2d(3, 1, 1), true), List.of("x", "signs", "alpha", "bias"),
                        List.of("y"))
                .output("y")
                .build();
    }

    @Benchmark
    public Tensor float32Conv() {
        return float32.run();
    }

    @Benchmark
    public Tensor xnorConv() {
        return xnor.run();
    }

    @Benchmark
    public float[] xnorKernelRows() {
        BinaryConv.packActivations(x, 0, CHANNELS, SIZE, SIZE, bits, 0);
        BinaryConv.forwardRows(shape, bits, 0, signs, 0, alpha, 0, 1f, bias, 0, y, 0, 0, SIZE);
        return y;
    }

    @Benchmark
    public float[] xnorKernelScalar() {
        return paddedKernel(KernelProvider.binaryScalar());
    }

    @Benchmark
    public float[] xnorKernelVector() {
        return paddedKernel(vectorKernels);
    }

    private float[] paddedKernel(BinaryKernels kernels) {
        layer.packImage(x, 0);
        layer.forwardFilters(kernels, alpha, 0, 1f, bias, 0, y, 0, 0, CHANNELS);
        return y;
    }
}
