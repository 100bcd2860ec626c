package dev.minnow.compression.huffman;

import dev.minnow.engine.io.ModelFormatException;

/**
 * Reads the bits {@link BitWriter} wrote, most significant bit of each byte first, and refuses to
 * read past the stream's declared length: stored data that asks for more bits than it holds is
 * corrupt, and says so.
 */
public final class BitReader {
    private final byte[] bytes;
    private final int offset;
    private final long bitLength;
    private long position;

    /**
     * @param bytes     the buffer
     * @param offset    where the stream starts in it
     * @param bitLength how many bits the stream holds (at most the bytes from {@code offset} on)
     */
    public BitReader(byte[] bytes, int offset, long bitLength) {
        if (offset < 0 || bitLength < 0 || offset + ((bitLength + 7) >>> 3) > bytes.length) {
            throw new IllegalArgumentException("a stream of " + bitLength + " bits at byte " + offset
                    + " does not fit in " + bytes.length + " bytes");
        }
        this.bytes = bytes;
        this.offset = offset;
        this.bitLength = bitLength;
    }

    /** Reads one bit. */
    public int readBit() throws ModelFormatException {
        if (position >= bitLength) {
            throw new ModelFormatException("bit stream exhausted: tried to read past its " + bitLength + " bits");
        }
        int b = bytes[offset + (int) (position >>> 3)];
        int bit = (b >>> (7 - (position & 7))) & 1;
        position++;
        return bit;
    }

    /** Reads {@code count} bits (0 to 32) as an unsigned number, the first bit read the highest. */
    public int read(int count) throws ModelFormatException {
        if (count < 0 || count > 32) {
            throw new IllegalArgumentException("can read 0 to 32 bits at a time, asked for " + count);
        }
        int v = 0;
        for (int i = 0; i < count; i++) {
            v = (v << 1) | readBit();
        }
        return v;
    }

    /** Bits read so far. */
    public long position() {
        return position;
    }

    /** Bits left. */
    public long remaining() {
        return bitLength - position;
    }
}
