package dev.minnow.engine.kernel;

/**
 * The inner loops of integer-only inference (Jacob et al. 2018), in two implementations like
 * {@link SimdKernels}: {@link ScalarInt8Kernels} (plain Java, always there) and
 * {@code dev.minnow.engine.kernel.vector.VectorInt8Kernels} ({@code jdk.incubator.vector}), chosen
 * by {@link KernelProvider#int8()}.
 *
 * <p><b>Unsigned operands.</b> Both operands of a product are handled as unsigned 8-bit values
 * {@code u in [0, 255]}: uint8 tensors as they are, int8 tensors offset by 128 (their zero points
 * too, so every difference {@code q - z} is unchanged). The reason is arithmetic: the product of
 * two such values is below {@code 255^2 = 65025 < 2^16}, so a 16-bit multiply is exact, and two
 * of them packed in a 32-bit lane, {@code p1 * 2^16 + p0}, can be summed as one int32 while the
 * high halves are summed apart: {@code p0 + p1 = raw - (hi << 16) + hi}. That emulates the
 * "multiply pairs of int16 and add into int32" instruction (x86 {@code pmaddwd}) that the Vector
 * API does not offer. The corrections for zero points are applied afterwards
 * ({@link QuantizedGemm}), exactly as in the paper's eq. 7:
 * <pre>
 *   sum_p (a_p - za)(b_p - zb) = sum_p a_p b_p - zb * sum_p a_p - za * sum_p b_p + K za zb
 * </pre>
 *
 * <p><b>Layouts.</b> The left operand (a layer's weights, {@code m x k}) is packed once
 * ({@link #pack}) into panels of {@link PackedInt8#panelRows()} rows whose k-pairs are
 * interleaved, one byte per weight. The right operand arrives as "pairs" (see
 * {@link QuantizedGemm#pairIndex}): int32 values {@code b[2p][j] | b[2p+1][j] << 16}.
 *
 * <p>Methods are single-threaded; the callers split the work.
 */
public interface Int8Kernels {

    /** {@code "vector (256-bit)"} or {@code "scalar"}. */
    String name();

    /**
     * Packs {@code A [m x k]} (row-major at {@code a[aOff + i*lda + p]}) as unsigned values: a
     * stored byte {@code v} becomes {@code v & 0xFF}, or {@code (v & 0xFF) ^ 0x80 = v + 128} when
     * {@code signed}.
     */
    PackedInt8 pack(byte[] a, int aOff, int lda, int m, int k, boolean signed);

    /**
     * The raw products of one row panel of {@code a} with {@code n} columns of pairs:
     * {@code c[j * panelRows + r] = sum_p A[panel*panelRows + r][p] * B[p][j]} (unsigned values,
     * rows past {@code m} undefined), for {@code j < n}; {@code colSums[j] = sum_p B[p][j]} when
     * {@code colSums} is not null.
     */
    void gemmPanel(PackedInt8 a, int panel, int[] pairs, int n, int[] c, int[] colSums);

    /**
     * The batch-1 product, a matrix-vector product over the panels {@code [panelFrom, panelTo)}:
     * <pre>
     *   c[i] = sum_p A[i][p] * x[p]        for i in [panelFrom * panelRows, panelTo * panelRows)
     * </pre>
     * (unsigned values, rows past {@code m} undefined; {@code c} holds at least
     * {@code panelTo * panelRows} values) with {@code x} given as one column of pairs,
     * {@code pairs[t] = x[2t] | x[2t+1] << 16}. It is {@link #gemmPanel} with {@code n = 1}, but
     * written for the memory-bound case: every weight byte is read once, in the order it is stored,
     * and the loaded activation pair serves two panels, so a 4096 x 4096 layer streams its 16 MiB
     * of weights at the speed memory delivers them.
     */
    void gemv(PackedInt8 a, int panelFrom, int panelTo, int[] pairs, int[] c);

    /**
     * A sum of shifted rows in int32, the inner loop of a quantized depthwise convolution:
     * {@code out[outOff + j] = bias + sum_t w[wOff + t] * in[taps[t] + j]} for {@code j < width},
     * where {@code in} holds {@code x - zx} and {@code w} holds {@code w - zw}.
     */
    void shiftedRowSum(int[] in, int[] taps, int[] w, int wOff, int bias, int[] out, int outOff, int width);
}
