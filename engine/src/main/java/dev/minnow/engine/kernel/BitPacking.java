package dev.minnow.engine.kernel;

/**
 * Bit-packed storage of ternary ({@code -1, 0, +1}) and binary ({@code -1, +1}) weight codes, the
 * format of {@link dev.minnow.engine.op.DequantizeLowBit}'s {@code codes} input.
 *
 * <p>A weight tensor is viewed as {@code rows x rowLength} (rows = its first dimension, e.g. the
 * filters of a convolution); each row is packed on its own into {@code words = ceil(rowLength / 64)}
 * 64-bit words, element {@code j} of a row at bit {@code j mod 64} of word {@code j / 64} (bit 0 the
 * least significant; words stored little-endian, as every INT64 in Minnow's files). Bits past the end
 * of a row are 0.
 * <ul>
 *   <li><b>binary</b> (1 bit per weight): one plane, bit set when the code is {@code +1}, clear for
 *       {@code -1}; a row takes {@code words} longs;</li>
 *   <li><b>ternary</b> (2 bits per weight): two planes, first the <em>nonzero</em> plane (bit set when
 *       the code is not 0), then the <em>negative</em> plane (bit set when the code is {@code -1});
 *       a row takes {@code 2 * words} longs. Code = nonzero ? (negative ? -1 : +1) : 0.</li>
 * </ul>
 * So a {@code [500, 800]} binary matrix takes {@code 500 * 13} longs = 52,000 bytes instead of
 * 1,600,000 as float32 (30.8x; 32x when a row is a multiple of 64 long).
 */
public final class BitPacking {
    private BitPacking() {
    }

    /** 64-bit words per packed row of {@code length} one-bit elements. */
    public static int words(int length) {
        return (length + 63) >>> 6;
    }

    /** Longs a row takes for {@code bits} = 1 (binary) or 2 (ternary). */
    public static int rowLongs(int bits, int rowLength) {
        checkBits(bits);
        return bits * words(rowLength);
    }

    /**
     * Packs codes ({@code rows x rowLength}, row-major) into {@code packed[off ...]}, which must hold
     * {@code rows * rowLongs(bits, rowLength)} longs.
     *
     * @throws IllegalArgumentException for a code outside {-1, +1} (binary) or {-1, 0, +1} (ternary)
     */
    public static void pack(byte[] codes, int rows, int rowLength, int bits, long[] packed, int off) {
        checkBits(bits);
        int words = words(rowLength);
        int stride = bits * words;
        java.util.Arrays.fill(packed, off, off + rows * stride, 0L);
        for (int r = 0; r < rows; r++) {
            int row = off + r * stride;
            for (int j = 0; j < rowLength; j++) {
                byte c = codes[r * rowLength + j];
                long bit = 1L << (j & 63);
                int word = row + (j >>> 6);
                if (bits == 1) {
                    if (c == 1) {
                        packed[word] |= bit;
                    } else if (c != -1) {
                        throw new IllegalArgumentException("binary code must be -1 or +1, found " + c + " at row " + r
                                + ", element " + j);
                    }
                } else if (c == 1 || c == -1) {
                    packed[word] |= bit;
                    if (c == -1) {
                        packed[word + words] |= bit;
                    }
                } else if (c != 0) {
                    throw new IllegalArgumentException("ternary code must be -1, 0 or +1, found " + c + " at row " + r
                            + ", element " + j);
                }
            }
        }
    }

    /** Unpacks {@code rows x rowLength} codes from {@code packed[off ...]} into {@code codes}. */
    public static void unpack(long[] packed, int off, int rows, int rowLength, int bits, byte[] codes) {
        checkBits(bits);
        int words = words(rowLength);
        int stride = bits * words;
        for (int r = 0; r < rows; r++) {
            int row = off + r * stride;
            for (int j = 0; j < rowLength; j++) {
                int word = row + (j >>> 6);
                int shift = j & 63;
                byte c;
                if (bits == 1) {
                    c = (byte) (((packed[word] >>> shift) & 1L) != 0 ? 1 : -1);
                } else if (((packed[word] >>> shift) & 1L) == 0) {
                    c = 0;
                } else {
                    c = (byte) (((packed[word + words] >>> shift) & 1L) != 0 ? -1 : 1);
                }
                codes[r * rowLength + j] = c;
            }
        }
    }

    private static void checkBits(int bits) {
        if (bits != 1 && bits != 2) {
            throw new IllegalArgumentException("bits must be 1 (binary) or 2 (ternary), found " + bits);
        }
    }
}
