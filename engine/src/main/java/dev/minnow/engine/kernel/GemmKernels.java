package dev.minnow.engine.kernel;

/**
 * General matrix multiplication, BLAS's {@code sgemm} contract, as the reference triple loop.
 * Matrices are row-major; a leading dimension is the distance between the starts of two rows as
 * stored (so a sub-matrix or a transposed operand can be addressed in place).
 */
public final class GemmKernels {
    private GemmKernels() {
    }

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, with {@code op(A)} of shape {@code M x K} and
     * {@code op(B)} of shape {@code K x N}:
     * <pre>
     *   C[i, j] = alpha * sum_p op(A)[i, p] * op(B)[p, j] + beta * C[i, j]
     *   op(A)[i, p] = transA ? A[p * lda + i] : A[i * lda + p]
     *   op(B)[p, j] = transB ? B[j * ldb + p] : B[p * ldb + j]
     * </pre>
     * As in BLAS, {@code beta == 0} means C is write-only (its old contents, even NaN, are ignored).
     */
    public static void gemmNaive(boolean transA, boolean transB, int m, int n, int k, float alpha,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += av * bv;
                }
                int at = cOff + i * ldc + j;
                c[at] = beta == 0f ? alpha * sum : alpha * sum + beta * c[at];
            }
        }
    }
}
