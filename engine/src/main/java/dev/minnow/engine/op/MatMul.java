package dev.minnow.engine.op;

import dev.minnow.engine.kernel.Gemm;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Matrix product with NumPy's {@code matmul} semantics:
 * <pre>
 *   A [..., M, K] x B [..., K, N] -> Y [..., M, N],   Y[b, i, j] = sum_p A[b, i, p] * B[b, p, j]
 * </pre>
 * The leading ("batch") dimensions broadcast against each other, aligned from the right, each pair
 * equal or one of them 1. A 1-D {@code A [K]} is treated as {@code [1, K]} and a 1-D {@code B [K]} as
 * {@code [K, 1]}, and the added dimension is removed from the result (so vector x vector is a scalar).
 *
 * <p><b>Backward</b>, for each output matrix {@code Y[b] = A[a(b)] * B[b'(b)]}:
 * <pre>
 *   dL/dA[a(b)] += dY[b] * B[b'(b)]^T        dL/dB[b'(b)] += A[a(b)]^T * dY[b]
 * </pre>
 * Accumulating over all output batches sums the gradient over the batch dimensions along which an
 * operand was broadcast (it was reused there). A 1-D operand's gradient is that of its
 * {@code [1, K]} or {@code [K, 1]} matrix form, which has the same elements.
 *
 * <p>Cost: {@code macs = (product of Y's batch dimensions) * M * N * K}.
 */
public final class MatMul implements Op {

    public static MatMul fromOnnx(Attributes a) {
        a.requireOnly("MatMul");
        return new MatMul();
    }

    @Override
    public String opType() {
        return "MatMul";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 2);
        ValueInfo a = OpChecks.require(inputs, 0, "A");
        ValueInfo b = OpChecks.require(inputs, 1, "B");
        OpChecks.requireType(a, DataType.FLOAT, "A");
        OpChecks.requireType(b, DataType.FLOAT, "B");
        Shape as = a.shape();
        Shape bs = b.shape();
        if (as.rank() < 1 || bs.rank() < 1) {
            throw new IllegalArgumentException("MatMul needs operands of rank >= 1, found A " + as + " and B " + bs);
        }
        int k = as.dim(-1);
        int kb = bs.rank() == 1 ? bs.dim(0) : bs.dim(-2);
        if (k != kb) {
            throw new IllegalArgumentException("A " + as + " has K = " + k + " (its last dimension) but B " + bs
                    + " has K = " + kb + " (its " + (bs.rank() == 1 ? "only" : "second-to-last") + " dimension)");
        }
        int batchRank = Math.max(batchRank(as), batchRank(bs));
        int[] out = new int[batchRank + (as.rank() > 1 ? 1 : 0) + (bs.rank() > 1 ? 1 : 0)];
        for (int d = 0; d < batchRank; d++) {
            int ad = batchDim(as, batchRank, d);
            int bd = batchDim(bs, batchRank, d);
            if (ad != bd && ad != 1 && bd != 1) {
                throw new IllegalArgumentException("batch dimensions of A " + as + " and B " + bs
                        + " do not broadcast: " + ad + " vs " + bd + " (each pair must be equal or contain a 1)");
            }
            out[d] = ad == 1 ? bd : ad;
        }
        int i = batchRank;
        if (as.rank() > 1) {
            out[i++] = as.dim(-2);
        }
        if (bs.rank() > 1) {
            out[i] = bs.dim(-1);
        }
        return List.of(ValueInfo.of(Shape.of(out)));
    }

    /** Dimensions before the last two (none for rank 1 and 2). */
    private static int batchRank(Shape s) {
        return Math.max(0, s.rank() - 2);
    }

    /** Batch dimension {@code d} of {@code s} once right-aligned to {@code batchRank} dimensions (1 if missing). */
    private static int batchDim(Shape s, int batchRank, int d) {
        int own = d - (batchRank - batchRank(s));
        return own < 0 ? 1 : s.dim(own);
    }

    /**
     * The matrix of {@code operand} (A's or B's shape) that output matrix {@code batch} reads: the
     * output batch index decomposed over the broadcast batch dimensions, where a dimension of size 1
     * in the operand does not move it.
     */
    private static int matrixIndex(int batch, Shape operand, Shape as, Shape bs, int batchRank) {
        int rest = batch;
        int index = 0;
        int stride = 1;
        for (int d = batchRank - 1; d >= 0; d--) {
            int ad = batchDim(as, batchRank, d);
            int size = ad == 1 ? batchDim(bs, batchRank, d) : ad;
            int coord = rest % size;
            rest /= size;
            int own = batchDim(operand, batchRank, d);
            if (own != 1) {
                index += coord * stride;
            }
            stride *= own;
        }
        return index;
    }

    /** The number of output matrices: the product of the broadcast batch dimensions. */
    private static int batches(Shape as, Shape bs, int batchRank) {
        int batches = 1;
        for (int d = 0; d < batchRank; d++) {
            int ad = batchDim(as, batchRank, d);
            batches *= ad == 1 ? batchDim(bs, batchRank, d) : ad;
        }
        return batches;
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor y = outputs[0];
        Shape as = a.shape();
        Shape bs = b.shape();
        int m = as.rank() == 1 ? 1 : as.dim(-2);
        int k = as.dim(-1);
        int n = bs.rank() == 1 ? 1 : bs.dim(-1);
        int batchRank = Math.max(batchRank(as), batchRank(bs));
        int batches = batches(as, bs, batchRank);
        for (int batch = 0; batch < batches; batch++) {
            int aMatrix = matrixIndex(batch, as, as, bs, batchRank);
            int bMatrix = matrixIndex(batch, bs, as, bs, batchRank);
            Gemm.sgemm(false, false, m, n, k, 1f, a.data(), a.offset() + aMatrix * m * k, k,
                    b.data(), b.offset() + bMatrix * k * n, n, 0f, y.data(), y.offset() + batch * m * n, n,
                    ctx.threads());
        }
    }

    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        if (dy == null) {
            return;
        }
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor da = inputGrads[0];
        Tensor db = inputGrads[1];
        Shape as = a.shape();
        Shape bs = b.shape();
        int m = as.rank() == 1 ? 1 : as.dim(-2);
        int k = as.dim(-1);
        int n = bs.rank() == 1 ? 1 : bs.dim(-1);
        int batchRank = Math.max(batchRank(as), batchRank(bs));
        int batches = batches(as, bs, batchRank);
        for (int batch = 0; batch < batches; batch++) {
            int aAt = a.offset() + matrixIndex(batch, as, as, bs, batchRank) * m * k;
            int bAt = b.offset() + matrixIndex(batch, bs, as, bs, batchRank) * k * n;
            int gAt = dy.offset() + batch * m * n;
            if (da != null) {   // dA [M, K] += dY [M, N] * B^T [N, K]
                Gemm.sgemm(false, true, m, k, n, 1f, dy.data(), gAt, n, b.data(), bAt, n, 1f,
                        da.data(), da.offset() + (aAt - a.offset()), k, ctx.threads());
            }
            if (db != null) {   // dB [K, N] += A^T [K, M] * dY [M, N]
                Gemm.sgemm(true, false, k, n, m, 1f, a.data(), aAt, k, dy.data(), gAt, n, 1f,
                        db.data(), db.offset() + (bAt - b.offset()), n, ctx.threads());
            }
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        return (long) outputs.get(0).shape().size() * inputs.get(0).shape().dim(-1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MatMul;
    }

    @Override
    public int hashCode() {
        return MatMul.class.hashCode();
    }

    @Override
    public String toString() {
        return "MatMul";
    }
}
