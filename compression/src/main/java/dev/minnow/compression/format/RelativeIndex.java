package dev.minnow.compression.format;

import dev.minnow.engine.io.ModelFormatException;

/**
 * The sparse structure of a pruned layer as relative indices (Han, Mao and Dally 2016, "Deep
 * Compression", section 2 and figure 2): instead of absolute positions, each stored entry keeps
 * the number of zeros skipped since the previous entry, in a fixed width of {@code b} bits.
 * <pre>
 *   p_{-1} = -1,    gap_j = p_j - p_{j-1} - 1  in [0, 2^b - 1]
 * </pre>
 * (the paper draws the difference {@code p_j - p_{j-1}} in {@code [1, 2^b]}; storing it minus one
 * is the same code). When the real gap exceeds {@code 2^b - 1}, a <b>filler zero</b> is inserted:
 * an entry with the largest gap {@code 2^b - 1} and the zero code, placed {@code 2^b} positions
 * after the previous entry; this repeats until the remaining gap fits. Zeros after the last
 * entry need no entry at all: the layer's size says where it ends.
 *
 * <p>Each entry thus carries two symbols: its gap (alphabet {@code 2^b}) and its code (the
 * layer's codebook index, 0 for fillers); both streams are then Huffman-coded.
 */
public final class RelativeIndex {

    /**
     * The entries of a layer.
     *
     * @param gaps    zeros skipped before each entry
     * @param codes   the code of each entry (0 for a filler)
     * @param count   number of entries (the arrays may be longer)
     * @param fillers how many of them are filler zeros
     */
    public record Entries(int[] gaps, int[] codes, int count, int fillers) {
    }

    private RelativeIndex() {
    }

    /** The entries for per-element codes (0 = pruned) with gaps of {@code indexBits} bits. */
    public static Entries encode(byte[] elementCodes, int indexBits) {
        if (indexBits < 1 || indexBits > 16) {
            throw new IllegalArgumentException("relative index width must be 1 to 16 bits, got " + indexBits);
        }
        int maxGap = (1 << indexBits) - 1;
        int kept = 0;
        for (byte c : elementCodes) {
            kept += c != 0 ? 1 : 0;
        }
        // fillers: at most one per 2^b zeros
        int capacity = kept + elementCodes.length / (maxGap + 1) + 1;
        int[] gaps = new int[capacity];
        int[] codes = new int[capacity];
        int count = 0;
        int fillers = 0;
        int previous = -1;
        for (int p = 0; p < elementCodes.length; p++) {
            if (elementCodes[p] == 0) {
                continue;
            }
            int gap = p - previous - 1;
            while (gap > maxGap) {
                gaps[count] = maxGap;
                codes[count] = 0;
                count++;
                fillers++;
                gap -= maxGap + 1;
            }
            gaps[count] = gap;
            codes[count] = elementCodes[p] & 0xFF;
            count++;
            previous = p;
        }
        return new Entries(gaps, codes, count, fillers);
    }

    /**
     * Rebuilds the per-element codes of a layer of {@code size} elements from its entries.
     *
     * @throws ModelFormatException if an entry lands past the end of the layer
     */
    public static byte[] decode(int[] gaps, int[] codes, int count, int size) throws ModelFormatException {
        byte[] out = new byte[size];
        long position = -1;
        for (int j = 0; j < count; j++) {
            position += gaps[j] + 1L;
            if (position >= size) {
                throw new ModelFormatException("sparse entry " + j + " of " + count + " lands at element " + position
                        + ", past the end of a layer of " + size + " elements");
            }
            out[(int) position] = (byte) codes[j];
        }
        return out;
    }
}
