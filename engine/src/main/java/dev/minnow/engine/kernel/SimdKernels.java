package dev.minnow.engine.kernel;

/**
 * The inner loops that decide Minnow's speed, with two implementations: {@link ScalarKernels}
 * (plain Java, always available, relying on C2's auto-vectorisation where it can) and
 * {@code dev.minnow.engine.kernel.vector.VectorKernels} (explicit SIMD with
 * {@code jdk.incubator.vector}, used when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}). {@link KernelProvider} picks one at start-up.
 *
 * <p>Methods are single-threaded; callers ({@link Gemm}, the conv and pooling ops) split work
 * across threads and hand each thread its own slice. Every method has a naive reference next to
 * it (in {@link Gemm} and the op kernels) and tests compare both implementations with it.
 */
public interface SimdKernels {

    /** {@code "vector (256-bit)"}, {@code "scalar"}: printed by benchmarks and {@code minnow --version}. */
    String name();

    /**
     * Floats per vector of these kernels (1 for the scalar ones). {@link #gemmPacked} reads a
     * {@link ColumnSource}'s columns in place in runs of this many, so convolutions whose output
     * rows are not a multiple of it are laid out differently ({@link ConvColumns#widens}).
     */
    int vectorWidth();

    /**
     * Columns of C one register tile spans ({@code 2 * vectorWidth()} for the vector kernels; 16
     * for the scalar ones, whose loops have no tile). Threads share a product's columns in
     * multiples of it: a share that ends inside a tile makes both threads run a partial tile, each
     * at the cost of a whole one (AVX-512: 32 columns, where 16 had been assumed).
     */
    default int tileColumns() {
        return 16;
    }

    /**
     * Single-threaded matrix multiply {@code C = alpha * op(A) * op(B) + (accumulate ? C : 0)}
     * for an {@code m x n} block of C, where {@code op(A)} is {@code m x k} and {@code op(B)} is
     * {@code k x n}, all row-major with the given leading dimensions.
     *
     * <p>{@code op(A)(i, p) = transA ? a[aOff + p*lda + i] : a[aOff + i*lda + p]}, and likewise
     * for B. Implementations block for the caches and pack operands into per-thread buffers that
     * are allocated once per thread.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float[] c, int cOff, int ldc, boolean accumulate);

    /**
     * A sum of shifted rows, the inner loop of a depthwise convolution:
     * {@code out[outOff + j] = bias + sum_t w[wOff + t] * in[taps[t] + j]} for {@code j < width}
     * and {@code t < taps.length}. Each tap offset points at the input element that the first
     * output of the row multiplies with that filter tap; the caller has laid the input out so that
     * consecutive outputs read consecutive inputs (padded, and de-interleaved for stride 2). Each
     * sum is clamped to {@code [lo, hi]} as it is written (a fused ReLU or ReLU6; infinities for
     * none), sparing a second pass over the outputs.
     */
    void shiftedRowSum(float[] in, int[] taps, float[] w, int wOff, float bias, float[] out, int outOff, int width,
                       float lo, float hi);

    /**
     * Prepares the constant left operand {@code A [m x k]} (row-major at {@code a[aOff]}, leading
     * dimension {@code lda}) for {@link #gemmPacked}.
     */
    PackedLeft packLeft(float[] a, int aOff, int lda, int m, int k);

    /**
     * Single-threaded {@code C[i0 .. i0+rows, j0 .. j0+n) = clamp(A[i0 .. i0+rows, :] * B[:, j0 .. j0+n)
     * + bias, lo, hi)}: rows of the product of a packed left operand and columns {@code j0 .. j0+n}
     * of a column source, with a per-row bias (may be null) and a clamp fused into the final write
     * (ReLU is {@code [0, inf)}, ReLU6 {@code [0, 6]}, none {@code (-inf, inf)}). Column {@code j}
     * of B lands in column {@code j - j0} of C; {@code cOff} locates row 0 of C and {@code biasOff}
     * the bias of row 0. {@code i0} is a multiple of 4 and so is {@code i0 + rows}, unless it is
     * A's last row (whole register tiles, so that threads can share the rows of one product).
     */
    void gemmPacked(PackedLeft a, int i0, int rows, ColumnSource b, int j0, int n, float[] c, int cOff, int ldc,
                    float[] bias, int biasOff, float lo, float hi);

    /**
     * {@code y[i] = min(max(x[i], lo), hi)} for {@code i < n} (ReLU is {@code lo = 0, hi = inf},
     * ReLU6 {@code hi = 6}); NaN stays NaN. {@code x} and {@code y} may be the same range.
     */
    void clamp(float[] x, int xOff, float[] y, int yOff, int n, float lo, float hi);

    /**
     * The backward pass of {@link #clamp}: {@code dx[i] += dy[i]} where {@code lo <= x[i] <= hi},
     * nothing elsewhere, for {@code i < n}; a NaN in {@code x} passes nothing. ReLU's is
     * {@code lo = Float.MIN_VALUE} (that is, {@code x > 0}), {@code hi = inf}. Without branches, so
     * that inputs of either sign in random order cost no mispredictions.
     */
    void clampGradient(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n, float lo, float hi);

    /** {@code y[i] = a[i] + b[i]} for {@code i < n}, optionally followed by {@code max(0, .)}. */
    void add(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n, boolean relu);

    /**
     * A maximum of shifted rows, the inner loop of max pooling:
     * {@code out[outOff + j] = max_t in[taps[t] + j]} for {@code j < width} (NaN wins, as in
     * {@link Math#max}).
     */
    void shiftedRowMax(float[] in, int[] taps, float[] out, int outOff, int width);

    /**
     * {@code 2 * pairs} consecutive floats split into their even and odd ones:
     * {@code dst[even + t] = x[src + 2t]} and {@code dst[odd + t] = x[src + 2t + 1]} for
     * {@code t < pairs}, bit for bit (a row into its two column phases, {@link PhasePlanes}). The
     * two destination ranges must not overlap each other or the source.
     */
    void splitPairs(float[] x, int src, float[] dst, int even, int odd, int pairs);

    /**
     * One output row of a 2x2, stride-2 max pool that records where each maximum came from (the
     * training forward pass): for {@code j < outW}, the window of output {@code o + j} is
     * {@code x[xOff + top + 2j + {0, 1, inW, inW + 1}]}; {@code y[yOff + o + j]} gets the winning
     * element and {@code winners[o + j]} its index (without {@code xOff}). The first maximum wins
     * (-0 ties +0) and the last NaN wins over numbers, as in {@link PoolKernels#maxPoolNaive}.
     */
    void maxPool2x2Row(float[] x, int xOff, int top, int inW, float[] y, int yOff, int[] winners, int o, int outW);

    /** {@code sum_i x[xOff + i] * y[yOff + i]} for {@code i < n}. */
    float dot(int n, float[] x, int xOff, float[] y, int yOff);

    /** {@code y[yOff + i] += alpha * x[xOff + i]} for {@code i < n}. */
    void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);
}
