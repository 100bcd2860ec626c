package dev.minnow.compression.format;

import dev.minnow.engine.io.ModelFormatException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link PayloadWriter} wrote, checking every length against the bytes left, so that a
 * corrupt or hostile file fails with a {@link ModelFormatException} naming the offset instead of
 * reading garbage or allocating absurd amounts of memory.
 */
final class PayloadReader {
    private final byte[] bytes;
    private final int end;
    private final String source;
    private int position;

    PayloadReader(byte[] bytes, int from, int to, String source) {
        this.bytes = bytes;
        this.position = from;
        this.end = to;
        this.source = source;
    }

    int position() {
        return position;
    }

    int remaining() {
        return end - position;
    }

    ModelFormatException error(String what) {
        return new ModelFormatException(source + ": " + what + " (at byte " + position + ")");
    }

    private void need(long n, String what) throws ModelFormatException {
        if (n < 0 || n > end - position) {
            throw error("truncated or corrupt: " + what + " needs " + n + " bytes, " + (end - position) + " left");
        }
    }

    int u8(String what) throws ModelFormatException {
        need(1, what);
        return bytes[position++] & 0xFF;
    }

    int u32(String what) throws ModelFormatException {
        need(4, what);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (bytes[position++] & 0xFF) << (8 * i);
        }
        return v;
    }

    float f32(String what) throws ModelFormatException {
        return Float.intBitsToFloat(u32(what));
    }

    /** A varint that must lie in {@code [0, max]}. */
    long varint(String what, long max) throws ModelFormatException {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            if (shift > 56) {
                throw error("corrupt: varint of " + what + " is too long");
            }
            int b = u8(what);
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (v < 0 || v > max) {
            throw error("corrupt: " + what + " is " + v + ", expected at most " + max);
        }
        return v;
    }

    int varintInt(String what, int max) throws ModelFormatException {
        return (int) varint(what, max);
    }

    /** {@code n} bytes; returns the offset of the first in the underlying array. */
    int skip(long n, String what) throws ModelFormatException {
        need(n, what);
        int at = position;
        position += (int) n;
        return at;
    }

    byte[] array() {
        return bytes;
    }

    String string(String what, int maxBytes) throws ModelFormatException {
        int n = varintInt(what + " length", maxBytes);
        int at = skip(n, what);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, at, n)).toString();
        } catch (CharacterCodingException e) {
            throw error("corrupt: " + what + " is not valid UTF-8");
        }
    }
}
