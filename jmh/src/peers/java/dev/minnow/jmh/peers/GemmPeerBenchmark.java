package dev.minnow.jmh.peers;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.kernel.Gemm;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.SimdKernels;
import dev.minnow.engine.op.MatMul;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.jmh.MinnowInference;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
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
 * Square single-precision {@code C = A B} of size n, three engines side by side in one run:
 * <ul>
 *   <li>{@code minnow}: {@link Gemm#sgemm} on the JVM's kernels (vector in this fork);</li>
 *   <li>{@code ejml}: EJML 0.44's {@code CommonOps_FDRM.mult} at 1 thread, its concurrent
 *       {@code CommonOps_MT_FDRM.mult} (a ForkJoin pool of {@code threads}) otherwise;</li>
 *   <li>{@code ort}: ONNX Runtime running a two-input {@code MatMul} model written by Minnow's
 *       {@link OnnxWriter}, on input tensors bound once.</li>
 * </ul>
 * FLOPs per call: {@code 2 n^3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class GemmPeerBenchmark {

    @Param({"256", "512", "1024"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    @Param({"minnow", "ejml", "ort"})
    public String engine;

    private float[] a;
    private float[] b;
    private float[] c;
    private SimdKernels kernels;
    private FMatrixRMaj ea;
    private FMatrixRMaj eb;
    private FMatrixRMaj ec;
    private OrtModel ort;

    @Setup
    public void setUp() throws Exception {
        Tensor ta = MinnowInference.randomInput(Shape.of(n, n), 1);
        Tensor tb = MinnowInference.randomInput(Shape.of(n, n), 2);
        a = ta.data();
        b = tb.data();
        c = new float[n * n];
        switch (engine) {
            case "minnow" -> kernels = KernelProvider.kernels();
            case "ejml" -> {
                ea = FMatrixRMaj.wrap(n, n, a);
                eb = FMatrixRMaj.wrap(n, n, b);
                ec = FMatrixRMaj.wrap(n, n, c);
                EjmlConcurrency.setMaxThreads(threads);
            }
            case "ort" -> ort = OrtModel.load(OnnxWriter.toBytes(matMulGraph(n)), threads, Map.of("A", ta, "B", tb));
            default -> throw new IllegalArgumentException("unknown engine '" + engine + "' (minnow, ejml, ort)");
        }
    }

    /** {@code C = MatMul(A, B)}, both inputs {@code [n, n]}. */
    static Graph matMulGraph(int n) {
        return Graph.builder("matmul" + n).input("A", n, n).input("B", n, n)
                .node("matmul", new MatMul(), List.of("A", "B"), List.of("C"))
                .output("C").build();
    }

    @Benchmark
    public Object gemm() throws Exception {
        switch (engine) {
            case "minnow" -> Gemm.sgemm(kernels, false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n, threads);
            case "ejml" -> {
                if (threads == 1) {
                    CommonOps_FDRM.mult(ea, eb, ec);
                } else {
                    CommonOps_MT_FDRM.mult(ea, eb, ec);
                }
            }
            default -> ort.run();
        }
        return c;
    }

    @TearDown
    public void tearDown() throws Exception {
        if (ort != null) {
            ort.close();
        }
    }
}
