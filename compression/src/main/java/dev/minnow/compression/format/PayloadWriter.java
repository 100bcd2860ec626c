package dev.minnow.compression.format;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian numbers, LEB128 varints and length-prefixed strings into a growing buffer. */
final class PayloadWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PayloadWriter u8(int v) {
        out.write(v);
        return this;
    }

    PayloadWriter u32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
        return this;
    }

    PayloadWriter u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    PayloadWriter f32(float v) {
        return u32(Float.floatToRawIntBits(v));
    }

    /** Unsigned LEB128: 7 bits per byte, low bits first, high bit set on all but the last byte. */
    PayloadWriter varint(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("varint of a negative number " + v);
        }
        while (v >= 0x80) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    PayloadWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    PayloadWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return varint(b.length).bytes(b);
    }

    int size() {
        return out.size();
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
