package dev.minnow.engine.kernel;

/**
 * The inner loop of the XNOR-popcount convolution ({@link PaddedBinaryConv}): counts of
 * disagreeing bits between one filter and windows of the packed image, four windows at a time. Two
 * implementations, chosen like {@link SimdKernels} by {@link KernelProvider#binary()}:
 * {@link ScalarBinaryKernels} ({@code Long.bitCount}, one POPCNT per 64-bit word) and
 * {@code dev.minnow.engine.kernel.vector.VectorBinaryKernels} (256-bit vectors summed by a
 * carry-save adder tree, so that only one word in eight reaches a POPCNT).
 *
 * <p><b>Layouts.</b> Windows come in groups of {@value #LANES}, their words interleaved:
 * word {@code k} of window {@code l} of group {@code g} is at {@code x[(g * words + k) * 4 + l]}.
 * The filter's words are each repeated four times, {@code w[wOff + 4k + l] = W[k]} for every
 * {@code l}, so that one 256-bit load of each operand lines up window {@code l} with the filter in
 * lane {@code l}. {@code words} is a multiple of {@value #WORD_MULTIPLE} (callers pad both operands
 * with zero words, which count nothing): the vector kernel adds words up eight at a time, and a
 * separate path for a remainder of four cost more (about a quarter of the time at 3x3x256, measured)
 * than the padding's extra eighth of work.
 *
 * <p>Methods are single-threaded; callers split the work.
 */
public interface BinaryKernels {
    /** Windows per group: the lanes of a 256-bit vector of longs. */
    int LANES = 4;

    /** What the words per window must be a multiple of. */
    int WORD_MULTIPLE = 8;

    /** {@code "vector (256-bit)"} or {@code "scalar"}. */
    String name();

    /**
     * For each group {@code g} in {@code [groupFrom, groupTo)} and lane {@code l < 4}:
     * <pre>
     *   out[outOff + 4 (g - groupFrom) + l] = sum over k < words of bitCount(x[(g * words + k) * 4 + l] ^ w[wOff + 4k + l])
     * </pre>
     *
     * @throws IllegalArgumentException if {@code words} is not a positive multiple of eight
     */
    void disagreements(long[] x, int words, long[] w, int wOff, int groupFrom, int groupTo, int[] out, int outOff);

    /** The argument check both implementations share. */
    static void checkWords(int words) {
        if (words <= 0 || words % WORD_MULTIPLE != 0) {
            throw new IllegalArgumentException("words per window must be a positive multiple of " + WORD_MULTIPLE
                    + " (pad with zero words), got " + words);
        }
    }
}
