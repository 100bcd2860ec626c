package dev.minnow.engine.io.onnx;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the protocol-buffer wire format (see {@link ProtobufReader} for the encoding) into a
 * growing byte array. Embedded messages are written by building them in their own writer and
 * passing it to {@link #writeMessage}, which prefixes the length.
 */
public final class ProtobufWriter {
    private byte[] buf = new byte[256];
    private int size;

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    // ---- raw values ---------------------------------------------------------------------------

    public ProtobufWriter writeTag(int field, int wireType) {
        return writeRawVarint(((long) field << 3) | wireType);
    }

    /** A varint; negative numbers take 10 bytes (two's complement, as protobuf's int32/int64). */
    public ProtobufWriter writeRawVarint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    public ProtobufWriter writeRawFixed32(int v) {
        ensure(4);
        buf[size++] = (byte) v;
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 24);
        return this;
    }

    public ProtobufWriter writeRawFixed64(long v) {
        writeRawFixed32((int) v);
        return writeRawFixed32((int) (v >>> 32));
    }

    public ProtobufWriter writeRawBytes(byte[] b, int from, int length) {
        ensure(length);
        System.arraycopy(b, from, buf, size, length);
        size += length;
        return this;
    }

    // ---- fields -------------------------------------------------------------------------------

    public ProtobufWriter writeVarint(int field, long v) {
        writeTag(field, ProtobufReader.VARINT);
        return writeRawVarint(v);
    }

    public ProtobufWriter writeFixed32(int field, int v) {
        writeTag(field, ProtobufReader.FIXED32);
        return writeRawFixed32(v);
    }

    public ProtobufWriter writeFloat(int field, float v) {
        return writeFixed32(field, Float.floatToRawIntBits(v));
    }

    public ProtobufWriter writeFixed64(int field, long v) {
        writeTag(field, ProtobufReader.FIXED64);
        return writeRawFixed64(v);
    }

    public ProtobufWriter writeBytes(int field, byte[] b) {
        writeTag(field, ProtobufReader.LENGTH_DELIMITED);
        writeRawVarint(b.length);
        return writeRawBytes(b, 0, b.length);
    }

    public ProtobufWriter writeString(int field, String s) {
        return writeBytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    /** An embedded message: its length, then its bytes. */
    public ProtobufWriter writeMessage(int field, ProtobufWriter message) {
        writeTag(field, ProtobufReader.LENGTH_DELIMITED);
        writeRawVarint(message.size);
        return writeRawBytes(message.buf, 0, message.size);
    }

    /** A repeated varint field as one packed field. */
    public ProtobufWriter writePackedVarints(int field, long[] values) {
        ProtobufWriter packed = new ProtobufWriter();
        for (long v : values) {
            packed.writeRawVarint(v);
        }
        return writeMessage(field, packed);
    }

    /** A repeated float field as one packed field. */
    public ProtobufWriter writePackedFloats(int field, float[] values) {
        writeTag(field, ProtobufReader.LENGTH_DELIMITED);
        writeRawVarint(4L * values.length);
        for (float v : values) {
            writeRawFixed32(Float.floatToRawIntBits(v));
        }
        return this;
    }

    private void ensure(int more) {
        if (buf.length - size < more) {
            long want = Math.max((long) buf.length * 2, (long) size + more);
            if (want > Integer.MAX_VALUE - 8) {
                want = (long) size + more;
                if (want > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("protobuf message larger than 2 GB, the limit of the format");
                }
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }
}
