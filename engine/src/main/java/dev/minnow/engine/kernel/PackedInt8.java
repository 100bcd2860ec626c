package dev.minnow.engine.kernel;

/**
 * A constant left operand {@code A [m x k]} of an integer matrix product (a layer's int8 or uint8
 * weights) packed once by {@link Int8Kernels#pack}: one byte per weight, as unsigned values
 * ({@code int8 + 128}), cut into panels of {@link #panelRows()} rows in which the two weights of
 * each k-pair of a row are adjacent:
 * <pre>
 *   panel q, pair t:  A[q*R][2t], A[q*R][2t+1], A[q*R+1][2t], A[q*R+1][2t+1], ..., A[q*R+R-1][2t+1]
 * </pre>
 * so that a vector load of {@code 2R} bytes, widened to 16-bit lanes, lines up with {@code R}
 * broadcast pairs of the right operand. Rows past {@code m} and the column past an odd {@code k}
 * hold zeros. {@link #rowSums()} ({@code sum_p A[i][p]}, unsigned) are the zero-point
 * corrections of {@link QuantizedGemm}. Immutable after packing.
 */
public final class PackedInt8 {
    final Int8Kernels owner;
    final int m;
    final int k;
    final int panelRows;
    final byte[] data;
    final int[] rowSums;

    PackedInt8(Int8Kernels owner, int m, int k, int panelRows, byte[] data, int[] rowSums) {
        this.owner = owner;
        this.m = m;
        this.k = k;
        this.panelRows = panelRows;
        this.data = data;
        this.rowSums = rowSums;
    }

    /**
     * Packs in the layout above with panels of {@code panelRows} rows: the packing every
     * implementation shares (they differ in the panel height).
     */
    public static PackedInt8 pack(Int8Kernels owner, int panelRows, byte[] a, int aOff, int lda, int m, int k,
                                  boolean signed) {
        if (m < 0 || k < 0 || (m > 0 && k > 0 && (aOff < 0 || (long) aOff + (long) (m - 1) * lda + k > a.length))) {
            throw new IllegalArgumentException("int8 matrix " + m + " x " + k + " (ld " + lda + ", offset " + aOff
                    + ") does not fit in " + a.length + " bytes");
        }
        if (k > QuantizedGemm.MAX_DEPTH) {
            throw new IllegalArgumentException("reduction length " + k + " exceeds " + QuantizedGemm.MAX_DEPTH
                    + ", beyond which uint8 products could overflow an int32 accumulator");
        }
        int pairs = (k + 1) / 2;
        int panels = (m + panelRows - 1) / panelRows;
        byte[] data = new byte[panels * pairs * 2 * panelRows];
        int[] sums = new int[m];
        int flip = signed ? 0x80 : 0;
        for (int i = 0; i < m; i++) {
            int q = i / panelRows;
            int r = i % panelRows;
            int base = q * pairs * 2 * panelRows + 2 * r;
            int sum = 0;
            for (int p = 0; p < k; p++) {
                int u = (a[aOff + i * lda + p] & 0xFF) ^ flip;
                data[base + (p >> 1) * 2 * panelRows + (p & 1)] = (byte) u;
                sum += u;
            }
            sums[i] = sum;
        }
        return new PackedInt8(owner, m, k, panelRows, data, sums);
    }

    /** The implementation that packed this operand (and must multiply it). */
    public Int8Kernels owner() {
        return owner;
    }

    public int rows() {
        return m;
    }

    /** The reduction length {@code k}. */
    public int columns() {
        return k;
    }

    /** Number of k-pairs, {@code ceil(k / 2)}. */
    public int pairs() {
        return (k + 1) / 2;
    }

    public int panelRows() {
        return panelRows;
    }

    public int panels() {
        return (m + panelRows - 1) / panelRows;
    }

    /** For implementations: the packed bytes. */
    public byte[] data() {
        return data;
    }

    /** For implementations: where panel {@code q} starts in {@link #data()}. */
    public int panelOffset(int q) {
        return q * pairs() * 2 * panelRows;
    }

    /** {@code sum_p A[i][p]} over the unsigned values, one per row. */
    public int[] rowSums() {
        return rowSums;
    }

    /** Bytes held. */
    public long footprint() {
        return data.length + 4L * rowSums.length;
    }
}
