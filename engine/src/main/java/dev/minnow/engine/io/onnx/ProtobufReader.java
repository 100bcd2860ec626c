package dev.minnow.engine.io.onnx;

import dev.minnow.engine.io.ModelFormatException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the protocol-buffer wire format from a byte array, one field at a time, checking every
 * length against the bytes actually present.
 *
 * <p>The format: a message is a sequence of fields, each a <em>tag</em> varint
 * {@code (fieldNumber << 3) | wireType} followed by a value whose encoding the wire type gives:
 * <pre>
 *   wire type 0  varint            1..10 bytes, 7 bits each, low group first, high bit = "more"
 *   wire type 1  fixed64           8 bytes little-endian (double, fixed64)
 *   wire type 2  length-delimited  varint length, then that many bytes (string, bytes, message,
 *                                  or a "packed" run of numbers)
 *   wire type 5  fixed32           4 bytes little-endian (float, fixed32)
 *   wire types 3/4                 start/end of a deprecated "group"; ONNX never uses them
 * </pre>
 * ONNX is proto2, whose repeated numbers may arrive either one field per value or as one packed
 * field; the {@code readRepeated*} methods accept both. Unknown fields are skipped by wire type.
 *
 * <p>Nothing here allocates more than the bytes present justify, and every malformed input ends
 * in a {@link ModelFormatException} naming the source and the byte offset.
 */
public final class ProtobufReader {
    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int START_GROUP = 3;
    public static final int END_GROUP = 4;
    public static final int FIXED32 = 5;

    private final byte[] buf;
    private final int end;
    private final String source;
    private int pos;
    private int lastTag;

    /** Reads {@code buf[from, to)}; {@code source} names the file in error messages. */
    public ProtobufReader(byte[] buf, int from, int to, String source) {
        if (from < 0 || to > buf.length || from > to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") outside an array of " + buf.length);
        }
        this.buf = buf;
        this.pos = from;
        this.end = to;
        this.source = source;
    }

    public ProtobufReader(byte[] buf, String source) {
        this(buf, 0, buf.length, source);
    }

    public boolean hasMore() {
        return pos < end;
    }

    /** Offset of the next byte to read, counted from the start of the whole array. */
    public int position() {
        return pos;
    }

    /** The underlying array (for zero-copy access to a {@link #readBytesRange() byte range}). */
    public byte[] buffer() {
        return buf;
    }

    /**
     * Reads the next tag and returns it; the field number is {@code tag >>> 3} and the wire type
     * {@code tag & 7}. Groups and invalid wire types or field numbers are refused.
     */
    public int readTag() throws ModelFormatException {
        int at = pos;
        long tag = readVarint();
        if (tag > 0xFFFFFFFFL || tag < 0) {
            throw error(at, "field tag " + Long.toUnsignedString(tag) + " is out of range");
        }
        int wire = (int) (tag & 7);
        long field = tag >>> 3;
        if (field == 0) {
            throw error(at, "field number 0 is invalid");
        }
        if (wire == START_GROUP || wire == END_GROUP) {
            throw error(at, "field " + field + " uses the deprecated group encoding, which ONNX never uses");
        }
        if (wire != VARINT && wire != FIXED64 && wire != LENGTH_DELIMITED && wire != FIXED32) {
            throw error(at, "field " + field + " has invalid wire type " + wire);
        }
        lastTag = (int) tag;
        return lastTag;
    }

    public static int fieldNumber(int tag) {
        return tag >>> 3;
    }

    public static int wireType(int tag) {
        return tag & 7;
    }

    /** A varint of at most 10 bytes (bits beyond 64 are dropped, as protobuf does). */
    public long readVarint() throws ModelFormatException {
        int at = pos;
        long result = 0;
        for (int i = 0; i < 10; i++) {
            if (pos >= end) {
                throw error(at, "truncated varint");
            }
            int b = buf[pos++];
            result |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw error(at, "varint longer than 10 bytes");
    }

    public int readFixed32() throws ModelFormatException {
        require(4, "fixed32");
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    public long readFixed64() throws ModelFormatException {
        require(8, "fixed64");
        long lo = readFixed32() & 0xFFFFFFFFL;
        long hi = readFixed32() & 0xFFFFFFFFL;
        return lo | hi << 32;
    }

    public float readFloat() throws ModelFormatException {
        return Float.intBitsToFloat(readFixed32());
    }

    /**
     * Reads the length prefix of a length-delimited value, checks that many bytes are present,
     * skips them and returns {@code {start, end}} offsets in {@link #buffer()}.
     */
    public int[] readBytesRange() throws ModelFormatException {
        int at = pos;
        long len = readVarint();
        if (len < 0 || len > end - pos) {
            throw error(at, "length " + len + " runs past the end of its message (" + (end - pos) + " bytes left)");
        }
        int start = pos;
        pos += (int) len;
        return new int[] {start, pos};
    }

    /** A length-delimited value as a copy. */
    public byte[] readBytes() throws ModelFormatException {
        int[] r = readBytesRange();
        byte[] b = new byte[r[1] - r[0]];
        System.arraycopy(buf, r[0], b, 0, b.length);
        return b;
    }

    /** A length-delimited value as UTF-8 text (malformed sequences become U+FFFD). */
    public String readString() throws ModelFormatException {
        int[] r = readBytesRange();
        return new String(buf, r[0], r[1] - r[0], StandardCharsets.UTF_8);
    }

    /** A reader over an embedded message. */
    public ProtobufReader readMessage() throws ModelFormatException {
        int[] r = readBytesRange();
        return new ProtobufReader(buf, r[0], r[1], source);
    }

    /** A reader over {@code [from, to)} of the same array and source (a range this reader returned). */
    public ProtobufReader slice(int[] range) {
        return new ProtobufReader(buf, range[0], range[1], source);
    }

    /** Skips the value of a field of the given wire type. */
    public void skip(int wireType) throws ModelFormatException {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> readFixed64();
            case LENGTH_DELIMITED -> readBytesRange();
            case FIXED32 -> readFixed32();
            default -> throw error(pos, "cannot skip a field of wire type " + wireType);
        }
    }

    /** Appends a repeated varint field's value(s): one unpacked value or a packed run. */
    public void readRepeatedVarint(int wireType, RepeatedNumbers into) throws ModelFormatException {
        if (wireType == VARINT) {
            into.add(readVarint());
        } else if (wireType == LENGTH_DELIMITED) {
            ProtobufReader packed = readMessage();
            while (packed.hasMore()) {
                into.add(packed.readVarint());
            }
        } else {
            throw wrongWireType(wireType, "varint numbers");
        }
    }

    /** Appends a repeated fixed32 field's value(s) (raw bits, e.g. of floats). */
    public void readRepeatedFixed32(int wireType, RepeatedNumbers into) throws ModelFormatException {
        if (wireType == FIXED32) {
            into.add(readFixed32());
        } else if (wireType == LENGTH_DELIMITED) {
            ProtobufReader packed = readPackedRun(4);
            into.reserve((packed.end - packed.pos) / 4);
            while (packed.hasMore()) {
                into.add(packed.readFixed32());
            }
        } else {
            throw wrongWireType(wireType, "32-bit numbers");
        }
    }

    /** Appends a repeated fixed64 field's value(s) (raw bits, e.g. of doubles). */
    public void readRepeatedFixed64(int wireType, RepeatedNumbers into) throws ModelFormatException {
        if (wireType == FIXED64) {
            into.add(readFixed64());
        } else if (wireType == LENGTH_DELIMITED) {
            ProtobufReader packed = readPackedRun(8);
            into.reserve((packed.end - packed.pos) / 8);
            while (packed.hasMore()) {
                into.add(packed.readFixed64());
            }
        } else {
            throw wrongWireType(wireType, "64-bit numbers");
        }
    }

    private ProtobufReader readPackedRun(int width) throws ModelFormatException {
        int at = pos;
        ProtobufReader packed = readMessage();
        if ((packed.end - packed.pos) % width != 0) {
            throw error(at, "packed field of " + width + "-byte numbers has " + (packed.end - packed.pos)
                    + " bytes, not a multiple of " + width);
        }
        return packed;
    }

    /** Throws unless the wire type is the expected one. */
    public void expectWireType(int wireType, int expected, String what) throws ModelFormatException {
        if (wireType != expected) {
            throw wrongWireType(wireType, what);
        }
    }

    private ModelFormatException wrongWireType(int wireType, String what) {
        return error(pos, "field " + fieldNumber(lastTag) + " should hold " + what + " but has wire type " + wireType);
    }

    private void require(int n, String what) throws ModelFormatException {
        if (end - pos < n) {
            throw error(pos, "truncated " + what + " (" + n + " bytes needed, " + (end - pos) + " left)");
        }
    }

    /** An exception naming the source and a byte offset. */
    public ModelFormatException error(int at, String message) {
        return new ModelFormatException(source + ": at byte " + at + ": " + message);
    }

    /** A {@link UnsupportedModelException} naming the source and a byte offset. */
    public UnsupportedModelException unsupported(int at, String message) {
        return new UnsupportedModelException(source + ": at byte " + at + ": " + message);
    }

    /** An exception naming the source and the current byte offset. */
    public ModelFormatException error(String message) {
        return error(pos, message);
    }
}
