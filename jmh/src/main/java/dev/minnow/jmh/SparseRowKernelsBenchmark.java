package dev.minnow.jmh;

import dev.minnow.compression.prune.MagnitudePruner;
import dev.minnow.compression.sparse.CsrMatrix;
import dev.minnow.compression.sparse.ScalarSparseKernels;
import dev.minnow.compression.sparse.SlicedEllpackMatrix;
import dev.minnow.compression.sparse.SparseKernelProvider;
import dev.minnow.compression.sparse.SparseKernels;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.kernel.KernelProvider;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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
 * How fast can a sparse matrix times a vector go on this CPU? The bare product {@code y = W x} of
 * a magnitude-pruned fully connected layer (no op, no bias, no un-sorting), written the ways that
 * could plausibly beat the scalar sliced-ELLPACK kernel Minnow runs at batch 1, to find the cost
 * per non-zero that bounds the sparse speed-up on cache-resident layers (docs/pruning.md, section
 * 6):
 * <ul>
 * <li>{@code scalar}: Minnow's kernel ({@link ScalarSparseKernels#sellTimesVector}), SELL-8,
 *     multiply then add;</li>
 * <li>{@code fma}: the same with {@code Math.fma} (one instruction instead of two);</li>
 * <li>{@code shortIndex}: the same with 16-bit column indices (a quarter fewer bytes);</li>
 * <li>{@code gather8}: the Vector API kernel Minnow can be asked for, one 8-lane gather per step;</li>
 * <li>{@code gather16}: SELL-16 and one 16-lane (512-bit) gather per step;</li>
 * <li>{@code dense}: the dense matrix-vector product on the same (zero-filled) weights, the
 *     engine's vector dot product per output, for the ratio in the same fork.</li>
 * </ul>
 * The variants other than {@code scalar}, {@code gather8} and {@code dense} live only here: they
 * were measured and not adopted.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class SparseRowKernelsBenchmark {
    private static final VectorSpecies<Float> S16 = FloatVector.SPECIES_512;
    private static final int C16 = 16;

    @Param({"FC_784X300", "FC_300X100"})
    public FcLayer shape;

    @Param({"0.9"})
    public double sparsity;

    @Param({"scalar", "fma", "shortIndex", "gather8", "gather16", "dense"})
    public String variant;

    private int[] sliceStart;
    private int[] columns;
    private short[] shortColumns;
    private float[] values;
    private int slices;
    private float[] dense;
    private float[] x;
    private float[] y;
    private SparseKernels vector;

    @Setup
    public void setUp() {
        KernelCheck.require("vector");
        Graph g = shape.graph();
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, sparsity));
        dense = g.initializer("fc.weight").toFloatArray();
        CsrMatrix csr = CsrMatrix.fromDense(dense, 0, shape.outputs(), shape.inputs());
        if (variant.equals("gather16")) {
            buildSell16(csr);
        } else {
            SlicedEllpackMatrix sell = SlicedEllpackMatrix.of(csr);
            sliceStart = sell.sliceStart();
            columns = sell.columns();
            values = sell.values();
            slices = sell.slices();
        }
        shortColumns = new short[columns.length];
        for (int i = 0; i < columns.length; i++) {
            shortColumns[i] = (short) columns[i];
        }
        x = new float[shape.inputs()];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        y = new float[slices * C16 + C16];
        vector = SparseKernelProvider.vectorOrNull();
    }

    /** SELL-16 without sorting: each slice padded to its longest row, column-major. */
    private void buildSell16(CsrMatrix m) {
        int rows = m.rows();
        int[] rs = m.rowStart();
        slices = (rows + C16 - 1) / C16;
        sliceStart = new int[slices + 1];
        for (int s = 0; s < slices; s++) {
            int longest = 0;
            for (int p = s * C16; p < Math.min(rows, (s + 1) * C16); p++) {
                longest = Math.max(longest, rs[p + 1] - rs[p]);
            }
            sliceStart[s + 1] = sliceStart[s] + C16 * longest;
        }
        columns = new int[sliceStart[slices]];
        values = new float[sliceStart[slices]];
        for (int p = 0; p < rows; p++) {
            int at = sliceStart[p / C16] + p % C16;
            for (int j = rs[p]; j < rs[p + 1]; j++, at += C16) {
                columns[at] = m.columns()[j];
                values[at] = m.values()[j];
            }
        }
    }

    @Benchmark
    public float[] product() {
        switch (variant) {
            case "scalar" ->
                    ScalarSparseKernels.INSTANCE.sellTimesVector(sliceStart, columns, values, 0, slices, x, y, 0);
            case "fma" -> fma();
            case "shortIndex" -> shortIndex();
            case "gather8" -> vector.sellTimesVector(sliceStart, columns, values, 0, slices, x, y, 0);
            case "gather16" -> gather16();
            case "dense" -> {
                int k = shape.inputs();
                for (int o = 0; o < shape.outputs(); o++) {
                    y[o] = KernelProvider.kernels().dot(k, dense, o * k, x, 0);
                }
            }
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        }
        return y;
    }

    private void fma() {
        for (int s = 0; s < slices; s++) {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int e = sliceStart[s], end = sliceStart[s + 1]; e < end; e += 8) {
                s0 = Math.fma(values[e], x[columns[e]], s0);
                s1 = Math.fma(values[e + 1], x[columns[e + 1]], s1);
                s2 = Math.fma(values[e + 2], x[columns[e + 2]], s2);
                s3 = Math.fma(values[e + 3], x[columns[e + 3]], s3);
                s4 = Math.fma(values[e + 4], x[columns[e + 4]], s4);
                s5 = Math.fma(values[e + 5], x[columns[e + 5]], s5);
                s6 = Math.fma(values[e + 6], x[columns[e + 6]], s6);
                s7 = Math.fma(values[e + 7], x[columns[e + 7]], s7);
            }
            store8(s, s0, s1, s2, s3, s4, s5, s6, s7);
        }
    }

    private void shortIndex() {
        short[] c = shortColumns;
        for (int s = 0; s < slices; s++) {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int e = sliceStart[s], end = sliceStart[s + 1]; e < end; e += 8) {
                s0 += values[e] * x[c[e]];
                s1 += values[e + 1] * x[c[e + 1]];
                s2 += values[e + 2] * x[c[e + 2]];
                s3 += values[e + 3] * x[c[e + 3]];
                s4 += values[e + 4] * x[c[e + 4]];
                s5 += values[e + 5] * x[c[e + 5]];
                s6 += values[e + 6] * x[c[e + 6]];
                s7 += values[e + 7] * x[c[e + 7]];
            }
            store8(s, s0, s1, s2, s3, s4, s5, s6, s7);
        }
    }

    private void store8(int s, float s0, float s1, float s2, float s3, float s4, float s5, float s6, float s7) {
        int o = 8 * s;
        y[o] = s0;
        y[o + 1] = s1;
        y[o + 2] = s2;
        y[o + 3] = s3;
        y[o + 4] = s4;
        y[o + 5] = s5;
        y[o + 6] = s6;
        y[o + 7] = s7;
    }

    private void gather16() {
        for (int s = 0; s < slices; s++) {
            FloatVector acc = FloatVector.zero(S16);
            for (int e = sliceStart[s], end = sliceStart[s + 1]; e < end; e += C16) {
                acc = FloatVector.fromArray(S16, x, 0, columns, e).fma(FloatVector.fromArray(S16, values, e), acc);
            }
            acc.intoArray(y, C16 * s);
        }
    }
}
