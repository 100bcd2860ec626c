package dev.minnow.compression.huffman;

import java.util.Arrays;

/**
 * Appends bits to a growing byte array, most significant bit of each byte first (the order in
 * which a code's bits are read back by {@link BitReader}). The last byte is padded with zero bits.
 */
public final class BitWriter {
    private byte[] bytes = new byte[64];
    private long bitLength;

    /** Appends the {@code count} low bits of {@code value}, the highest of them first; {@code count} in [0, 32]. */
    public void write(int value, int count) {
        if (count < 0 || count > 32) {
            throw new IllegalArgumentException("can write 0 to 32 bits at a time, asked for " + count);
        }
        for (int i = count - 1; i >= 0; i--) {
            writeBit((value >>> i) & 1);
        }
    }

    /** Appends one bit (0 or 1). */
    public void writeBit(int bit) {
        int byteIndex = (int) (bitLength >>> 3);
        if (byteIndex == bytes.length) {
            if (bytes.length >= Integer.MAX_VALUE / 2) {
                throw new IllegalStateException("bit stream longer than 1 GB");
            }
            bytes = Arrays.copyOf(bytes, bytes.length * 2);
        }
        if (bit != 0) {
            bytes[byteIndex] |= (byte) (0x80 >>> (bitLength & 7));
        }
        bitLength++;
    }

    /** Bits written so far. */
    public long bitLength() {
        return bitLength;
    }

    /** The stream as {@code ceil(bitLength / 8)} bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, (int) ((bitLength + 7) >>> 3));
    }
}
