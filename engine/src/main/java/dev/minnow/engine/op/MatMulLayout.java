package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Shape;
import java.util.List;

/**
 * The NumPy {@code matmul} geometry shared by the integer matrix products (MatMulInteger,
 * QLinearMatMul): output shape as {@link MatMul}'s, and which matrices of A and B each output
 * matrix reads when batch dimensions broadcast.
 */
final class MatMulLayout {
    final int m;
    final int k;
    final int n;
    final int batches;
    private final Shape as;
    private final Shape bs;
    private final int batchRank;

    MatMulLayout(Shape as, Shape bs) {
        this.as = as;
        this.bs = bs;
        this.m = as.rank() == 1 ? 1 : as.dim(-2);
        this.k = as.dim(-1);
        this.n = bs.rank() == 1 ? 1 : bs.dim(-1);
        this.batchRank = Math.max(batchRank(as), batchRank(bs));
        int b = 1;
        for (int d = 0; d < batchRank; d++) {
            int ad = batchDim(as, d);
            b *= ad == 1 ? batchDim(bs, d) : ad;
        }
        this.batches = b;
    }

    /** The output shape, with {@link MatMul}'s checks and messages. */
    static Shape outputShape(Shape as, Shape bs) {
        return new MatMul().inferOutputs(List.of(ValueInfo.of(as), ValueInfo.of(bs))).get(0).shape();
    }

    private static int batchRank(Shape s) {
        return Math.max(0, s.rank() - 2);
    }

    private int batchDim(Shape s, int d) {
        int own = d - (batchRank - batchRank(s));
        return own < 0 ? 1 : s.dim(own);
    }

    /** Element offset of the A matrix that output matrix {@code batch} reads. */
    int aOffset(int batch) {
        return matrixIndex(batch, as) * m * k;
    }

    /** Element offset of the B matrix that output matrix {@code batch} reads. */
    int bOffset(int batch) {
        return matrixIndex(batch, bs) * k * n;
    }

    private int matrixIndex(int batch, Shape operand) {
        int rest = batch;
        int index = 0;
        int stride = 1;
        for (int d = batchRank - 1; d >= 0; d--) {
            int ad = batchDim(as, d);
            int size = ad == 1 ? batchDim(bs, d) : ad;
            int coord = rest % size;
            rest /= size;
            int own = batchDim(operand, d);
            if (own != 1) {
                index += coord * stride;
            }
            stride *= own;
        }
        return index;
    }
}
