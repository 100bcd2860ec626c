package dev.minnow.jmh;

import dev.minnow.engine.kernel.ConvGemm;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.PackedLeft;
import dev.minnow.engine.kernel.SimdKernels;
import dev.minnow.engine.kernel.WinogradConv;
import java.util.Random;
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
 * One 3x3 stride-1 convolution (padding 1, batch 1) by Winograd F(2x2, 3x3) ({@code WinogradConv})
 * against im2col + the packed GEMM ({@code ConvGemm.forwardPacked}), on the kernels the JVM chose:
 * where {@code WinogradConv.MIN_CHANNELS} and {@code MIN_TILES} come from. {@code shape} is
 * {@code inChannels x outChannels x size}; the defaults are ResNet-18's four stages and
 * SqueezeNet 1.1's first expand layer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class WinogradBenchmark {

    @Param({"64x64x56", "128x128x28", "256x256x14", "512x512x7", "16x64x55"})
    public String shape;

    @Param({"winograd", "im2col"})
    public String algorithm;

    @Param({"1", "2"})
    public int threads;

    private float[] x;
    private float[] y;
    private float[] b;
    private WinogradConv.Prepared winograd;
    private ConvGemm.Shape gemmShape;
    private PackedLeft[] packed;
    private final ConvGemm.Sources sources = new ConvGemm.Sources();

    @Setup
    public void setUp() {
        String[] s = shape.split("x");
        int cin = Integer.parseInt(s[0]);
        int cout = Integer.parseInt(s[1]);
        int size = Integer.parseInt(s[2]);
        Random r = new Random(7);
        x = random(r, cin * size * size);
        float[] w = random(r, cout * cin * 9);
        b = random(r, cout);
        y = new float[cout * size * size];
        int[] one = {1, 1, 1};
        int[] pad = {0, 1, 1};
        int[] plane = {1, size, size};
        SimdKernels kernels = KernelProvider.kernels();
        if (algorithm.equals("winograd")) {
            winograd = WinogradConv.prepare(kernels, 1, cin, cout, 1, size, size, size, size, pad, one, w, 0);
        } else if (algorithm.equals("im2col")) {
            gemmShape = ConvGemm.Shape.of(1, cin, cout, 1, plane, plane, new int[] {1, 3, 3}, one, pad, one);
            packed = ConvGemm.packWeights(kernels, gemmShape, w, 0);
        } else {
            throw new IllegalArgumentException("algorithm must be winograd or im2col, got " + algorithm);
        }
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2f - 1f;
        }
        return a;
    }

    @Benchmark
    public float[] conv() {
        if (winograd != null) {
            WinogradConv.forward(winograd, x, 0, b, 0, y, 0, 0f, Float.POSITIVE_INFINITY, threads);
        } else {
            ConvGemm.forwardPacked(gemmShape, packed, x, 0, b, 0, y, 0, 0f, Float.POSITIVE_INFINITY, sources, threads);
        }
        return y;
    }
}
