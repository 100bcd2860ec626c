package dev.minnow.compression.sparse;

import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.MatMul;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * A fully connected layer whose weight matrix is mostly zeros, computed from its CSR form: the
 * sparse twin of {@link Gemm} (and of {@link MatMul} by a constant matrix).
 * <pre>
 *   Y = alpha * A * op(B) + beta * C        A [M, K], op(B) [K, N], W = op(B)^T [N, K] held in CSR
 *   M = 1:  Y[0][o] = sum over the non-zeros (o, k) of W of  W[o][k] * A[0][k]      (sparse x vector, W in SELL)
 *   M > 1:  Y^T = W * A^T                                                           (sparse x dense)
 * </pre>
 * At batch 1 the dense layer is a matrix-vector product bound by memory bandwidth: it reads every
 * weight once. The sparse one reads only the non-zeros, each with its 4-byte column index, plus
 * gathered inputs: at density d it moves about {@code 2 d} of the dense bytes, so it wins clearly
 * below d = 0.5 and by about {@code 1 / (2 d)} at low density (Deep Compression, section 6: 3x to
 * 4x on CPU for pruned fully connected layers). At batch 1 the op reads a second copy of W in
 * sliced ELLPACK ({@link SlicedEllpackMatrix}: rows sorted by length, eight advancing together),
 * which removes the per-row loop overheads that dominate short CSR rows. With M &gt; 1, A is transposed into scratch so that
 * each non-zero multiplies a contiguous row of M activations ({@link SparseKernels#csrTimesDense}).
 *
 * <p><b>Portability.</b> The op keeps the dense op's type and attributes ({@link #opType()},
 * {@link #attributes()}), and the node keeps reading the dense weight initializer: a graph with
 * sparse ops exports to ONNX and the native format as the equivalent dense graph, which any runtime
 * loads. The CSR matrix is made once from that initializer by {@link SparseInference}; changing the
 * initializer afterwards does not change the op (there is no backward pass: train the dense graph).
 */
public final class SparseGemm implements Op {
    private final Op dense;
    private final float alpha;
    private final float beta;
    private final boolean transB;
    private final CsrMatrix weight;
    /** The weight as the batch-1 kernels read it (rows sorted by length, in slices of 8). */
    private final SlicedEllpackMatrix slicedWeight;
    private final SparseKernels kernels;
    private final SparseKernels batchOneKernels;

    /**
     * @param dense  the op replaced: a {@link Gemm} without {@code transA}, or a {@link MatMul}
     * @param weight {@code op(B)^T} as an {@code [N, K]} CSR matrix (for {@code Gemm.linear()}, B itself)
     */
    public SparseGemm(Op dense, CsrMatrix weight) {
        this(dense, weight, SparseKernelProvider.kernels(), SparseKernelProvider.slicedTimesVectorKernels());
    }

    /** With explicit kernels for every product (tests, benchmarks). */
    public SparseGemm(Op dense, CsrMatrix weight, SparseKernels kernels) {
        this(dense, weight, kernels, kernels);
    }

    private SparseGemm(Op dense, CsrMatrix weight, SparseKernels kernels, SparseKernels batchOneKernels) {
        this.dense = Objects.requireNonNull(dense, "dense");
        this.weight = Objects.requireNonNull(weight, "weight");
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        this.batchOneKernels = Objects.requireNonNull(batchOneKernels, "batchOneKernels");
        this.slicedWeight = SlicedEllpackMatrix.of(weight);
        if (dense instanceof Gemm g) {
            if (g.transA()) {
                throw new IllegalArgumentException("SparseGemm needs Gemm with transA = 0 (the activations as rows)");
            }
            alpha = g.alpha();
            beta = g.beta();
            transB = g.transB();
        } else if (dense instanceof MatMul) {
            alpha = 1f;
            beta = 0f;
            transB = false;
        } else {
            throw new IllegalArgumentException("SparseGemm replaces Gemm or MatMul, not " + dense.opType());
        }
    }

    /** The sparse form of {@code dense} for the constant weight {@code b} (its input 1). */
    public static SparseGemm of(Op dense, Tensor b) {
        if (b.rank() != 2) {
            throw new IllegalArgumentException("SparseGemm needs a 2-D weight B, found " + b.shape());
        }
        boolean t = dense instanceof Gemm g && g.transB();
        CsrMatrix w = t ? CsrMatrix.fromDense(b.data(), b.offset(), b.shape().dim(0), b.shape().dim(1))
                : CsrMatrix.fromDenseTransposed(b.data(), b.offset(), b.shape().dim(0), b.shape().dim(1));
        return new SparseGemm(dense, w);
    }

    /** The dense op this one stands for (and is exported as). */
    public Op dense() {
        return dense;
    }

    /** {@code op(B)^T}, {@code [N, K]}, in CSR. */
    public CsrMatrix weight() {
        return weight;
    }

    @Override
    public String opType() {
        return dense.opType();
    }

    @Override
    public Attributes attributes() {
        return dense.attributes();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        List<ValueInfo> out = dense.inferOutputs(inputs);
        Shape bs = inputs.get(1).shape();
        int n = transB ? bs.dim(0) : bs.dim(-1);
        int k = transB ? bs.dim(1) : bs.dim(-2);
        if (bs.rank() != 2 || n != weight.rows() || k != weight.cols()) {
            throw new IllegalArgumentException("B " + bs + " does not match the sparse weight, " + weight.rows()
                    + " outputs x " + weight.cols() + " inputs");
        }
        if (inputs.get(0).shape().dim(-1) != k) {
            throw new IllegalArgumentException("A " + inputs.get(0).shape() + " must have K = " + k + " as its last"
                    + " dimension");
        }
        return out;
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor a = inputs[0];
        Tensor c = inputs.length > 2 ? inputs[2] : null;
        Tensor y = outputs[0];
        int k = weight.cols();
        int n = weight.rows();
        int m = k == 0 ? 0 : a.size() / k;
        CsrJob job = job(ctx);
        float[] yd = y.data();
        int yo = y.offset();
        if (m == 1) {
            float[] sorted = ctx.scratch(slicedWeight.paddedRows());
            job.timesVector(slicedWeight, job.fromIndexZero(a.data(), a.offset(), k), sorted, 0, ctx.threads());
            unsortWithEpilogue(sorted, yd, yo, c, n);
            return;
        }
        float[] scratch = ctx.scratch(k * m + n * m);
        transpose(a.data(), a.offset(), m, k, scratch, 0);
        int yt = k * m;
        job.timesDense(weight, 0, n, m, scratch, 0, m, scratch, yt, m, ctx.threads());
        boolean addC = c != null && beta != 0f;
        int colStride = addC ? biasColStride(c, n) : 0;
        int rowStride = addC ? biasRowStride(c, m) : 0;
        for (int i = 0; i < m; i++) {
            int row = yo + i * n;
            for (int o = 0; o < n; o++) {
                float v = alpha * scratch[yt + o * m + i];
                yd[row + o] = addC ? v + beta * c.data()[c.offset() + i * rowStride + o * colStride] : v;
            }
        }
    }

    /**
     * {@code Y[0][rowOrder[p]] = alpha * sorted[p] + beta * C[rowOrder[p]]}: the batch-1 output back
     * in row order, C broadcast as Gemm does.
     */
    private void unsortWithEpilogue(float[] sorted, float[] yd, int yo, Tensor c, int n) {
        int[] rowOrder = slicedWeight.rowOrder();
        if (c == null || beta == 0f) {
            for (int p = 0; p < n; p++) {
                yd[yo + rowOrder[p]] = alpha * sorted[p];
            }
            return;
        }
        float[] cd = c.data();
        int co = c.offset();
        int colStride = biasColStride(c, n);
        for (int p = 0; p < n; p++) {
            int o = rowOrder[p];
            yd[yo + o] = alpha * sorted[p] + beta * cd[co + o * colStride];
        }
    }

    private static int biasColStride(Tensor c, int n) {
        Shape cs = c.shape();
        return cs.rank() >= 1 && cs.dim(-1) == n && n != 1 ? 1 : 0;
    }

    private static int biasRowStride(Tensor c, int m) {
        Shape cs = c.shape();
        return cs.rank() == 2 && cs.dim(0) == m && m != 1 ? cs.dim(1) : 0;
    }

    /** {@code t[p * rows + i] = a[aOff + i * cols + p]}: the {@code [rows, cols]} matrix transposed. */
    static void transpose(float[] a, int aOff, int rows, int cols, float[] t, int tOff) {
        for (int i = 0; i < rows; i++) {
            int row = aOff + i * cols;
            for (int p = 0; p < cols; p++) {
                t[tOff + p * rows + i] = a[row + p];
            }
        }
    }

    private CsrJob job(ExecutionContext ctx) {
        if (ctx.state() instanceof CsrJob j) {
            return j;
        }
        CsrJob j = new CsrJob(kernels, batchOneKernels);
        ctx.setState(j);
        return j;
    }

    @Override
    public boolean isTrainableInput(int index) {
        return dense.isTrainableInput(index);
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        int k = weight.cols();
        long m = k == 0 ? 0 : inputs.get(0).shape().size() / k;
        return m * weight.nnz();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseGemm s && s.dense.equals(dense) && s.weight.equals(weight);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dense, weight);
    }

    @Override
    public String toString() {
        return "SparseGemm(" + dense + ", " + weight + ")";
    }
}
