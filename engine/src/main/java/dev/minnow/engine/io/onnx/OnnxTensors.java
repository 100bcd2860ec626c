package dev.minnow.engine.io.onnx;

import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;

/**
 * Converts between ONNX's {@code TensorProto} and {@link Tensor}.
 *
 * <p>A TensorProto holds {@code dims} (field 1), {@code data_type} (2), a {@code name} (8), and
 * its elements either as little-endian bytes in {@code raw_data} (9) or in the typed repeated
 * field of its type: {@code float_data} (4) for float; {@code int32_data} (5) for int32, int8,
 * uint8 and bool (one value per element); {@code int64_data} (7) for int64. Tensors stored in
 * external files ({@code data_location} 14 = EXTERNAL, {@code external_data} 13) or split into
 * segments (3) are refused, as are element types Minnow does not compute with (double, float16,
 * strings...).
 *
 * <p>The element count from {@code dims} is never trusted before it is checked against the data
 * actually present, so a hostile file cannot make the reader allocate more than the file holds.
 */
final class OnnxTensors {
    /** More dimensions than any real network uses; refusing them bounds the work on garbage. */
    static final int MAX_RANK = 64;

    private OnnxTensors() {
    }

    /** A tensor with the name it carries in the file (may be empty). */
    record Named(String name, Tensor value) {
    }

    /**
     * Reads the TensorProto in {@code r}; {@code what} says where it sits ("initializer",
     * "attribute 'value' of node 'c1'") for messages.
     */
    static Named parse(ProtobufReader r, String what) throws ModelFormatException {
        RepeatedNumbers dims = new RepeatedNumbers();
        RepeatedNumbers typed = new RepeatedNumbers();
        int typedField = 0;
        int dataType = 0;
        String name = "";
        int[] raw = null;
        boolean external = false;
        int start = r.position();
        while (r.hasMore()) {
            int tag = r.readTag();
            int wire = ProtobufReader.wireType(tag);
            int field = ProtobufReader.fieldNumber(tag);
            switch (field) {
                case 1 -> {
                    r.readRepeatedVarint(wire, dims);
                    if (dims.size() > MAX_RANK) {
                        throw r.error(describe(what, name) + " has more than " + MAX_RANK + " dimensions");
                    }
                }
                case 2 -> {
                    r.expectWireType(wire, ProtobufReader.VARINT, "the data type");
                    dataType = (int) r.readVarint();
                }
                case 3 -> throw r.unsupported(r.position(), describe(what, name) + " is split into segments, which Minnow does not support");
                case 4, 5, 7 -> {
                    if (typedField != 0 && typedField != field) {
                        throw r.error(describe(what, name) + " stores elements in two different typed fields");
                    }
                    typedField = field;
                    if (field == 4) {
                        r.readRepeatedFixed32(wire, typed);
                    } else {
                        r.readRepeatedVarint(wire, typed);
                    }
                }
                case 8 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "the tensor name");
                    name = r.readString();
                }
                case 9 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "raw data");
                    raw = r.readBytesRange();
                }
                case 13 -> {
                    r.skip(wire);
                    external = true;
                }
                case 14 -> {
                    r.expectWireType(wire, ProtobufReader.VARINT, "the data location");
                    external |= r.readVarint() == 1;
                }
                default -> r.skip(wire);
            }
        }
        if (external) {
            throw r.unsupported(start, describe(what, name) + " is stored in an external data file, which Minnow does not support");
        }
        DataType type = DataType.fromOnnx(dataType);
        if (type == null) {
            if (dataType == 0) {
                throw r.error(start, describe(what, name) + " has no data_type");
            }
            throw r.unsupported(start, describe(what, name) + " has element type " + DataType.onnxName(dataType)
                    + ", which Minnow does not support");
        }
        Shape shape = shapeOf(r, start, dims, describe(what, name));
        int n = shape.size();
        Tensor t;
        if (raw != null) {
            if (typed.size() > 0) {
                throw r.error(start, describe(what, name) + " has both raw_data and typed elements");
            }
            long expected = (long) n * type.byteSize();
            if (raw[1] - raw[0] != expected) {
                throw r.error(start, describe(what, name) + " of type " + type + " and shape " + shape + " needs "
                        + expected + " bytes of raw_data, found " + (raw[1] - raw[0]));
            }
            t = fromRaw(r.buffer(), raw[0], type, shape);
        } else {
            int expectedField = switch (type) {
                case FLOAT -> 4;
                case INT64 -> 7;
                default -> 5;
            };
            if (typed.size() > 0 && typedField != expectedField) {
                throw r.error(start, describe(what, name) + " of type " + type + " stores its elements in field "
                        + typedField + " instead of field " + expectedField);
            }
            if (typed.size() != n) {
                throw r.error(start, describe(what, name) + " of shape " + shape + " needs " + n + " elements, found "
                        + typed.size());
            }
            t = fromTyped(r, start, typed, type, shape, describe(what, name));
        }
        return new Named(name, t);
    }

    private static String describe(String what, String name) {
        return name.isEmpty() ? what : what + " '" + name + "'";
    }

    private static Shape shapeOf(ProtobufReader r, int at, RepeatedNumbers dims, String what)
            throws ModelFormatException {
        long[] d = dims.toLongs();
        long count = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] < 0 || d[i] > Integer.MAX_VALUE) {
                throw r.error(at, what + " has dimension " + i + " = " + d[i] + ", out of range");
            }
            count *= d[i];
            if (count > Integer.MAX_VALUE) {
                throw r.error(at, what + " declares more elements than a Java array can hold (dims "
                        + java.util.Arrays.toString(d) + ")");
            }
        }
        return Shape.of(d);
    }

    private static Tensor fromRaw(byte[] b, int at, DataType type, Shape shape) {
        int n = shape.size();
        switch (type) {
            case FLOAT -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = Float.intBitsToFloat(le32(b, at + 4 * i));
                }
                return Tensor.of(shape, f);
            }
            case INT32 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = le32(b, at + 4 * i);
                }
                return Tensor.ofInts(shape, v);
            }
            case INT64 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (le32(b, at + 8 * i) & 0xFFFFFFFFL) | ((long) le32(b, at + 8 * i + 4) << 32);
                }
                return Tensor.ofLongs(shape, v);
            }
            case INT16, FLOAT16 -> {
                short[] v = new short[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (short) ((b[at + 2 * i] & 0xFF) | (b[at + 2 * i + 1] & 0xFF) << 8);
                }
                return Tensor.ofShorts(shape, type, v);
            }
            default -> {
                byte[] v = new byte[n];
                System.arraycopy(b, at, v, 0, n);
                return Tensor.ofBytes(shape, type, v);
            }
        }
    }

    private static Tensor fromTyped(ProtobufReader r, int at, RepeatedNumbers typed, DataType type, Shape shape,
                                    String what) throws ModelFormatException {
        int n = shape.size();
        switch (type) {
            case FLOAT -> {
                return Tensor.of(shape, typed.toFloats());
            }
            case INT64 -> {
                return Tensor.ofLongs(shape, typed.toLongs());
            }
            case INT32 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (int) typed.get(i); // int32 varints: protobuf keeps the low 32 bits
                }
                return Tensor.ofInts(shape, v);
            }
            case INT16, FLOAT16 -> {
                // int32_data holds int16 values, or the bit patterns of halves as 0..65535
                long lo = type == DataType.INT16 ? Short.MIN_VALUE : 0;
                long hi = type == DataType.INT16 ? Short.MAX_VALUE : 0xFFFF;
                short[] v = new short[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (short) checkRange(r, at, (int) typed.get(i), lo, hi, what, type);
                }
                return Tensor.ofShorts(shape, type, v);
            }
            default -> {
                long lo = type == DataType.INT8 ? -128 : 0;
                long hi = type == DataType.INT8 ? 127 : type == DataType.UINT8 ? 255 : 1;
                byte[] v = new byte[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (byte) checkRange(r, at, (int) typed.get(i), lo, hi, what, type);
                }
                return Tensor.ofBytes(shape, type, v);
            }
        }
    }

    private static long checkRange(ProtobufReader r, int at, long v, long lo, long hi, String what, DataType type)
            throws ModelFormatException {
        // int32_data holds int32 varints: a negative value arrives sign-extended to 64 bits
        if (v < lo || v > hi) {
            throw r.error(at, what + " has element " + v + ", out of range for " + type);
        }
        return v;
    }

    private static int le32(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
    }

    /** The TensorProto of {@code t}, elements in {@code raw_data}. */
    static ProtobufWriter encode(String name, Tensor t) {
        ProtobufWriter w = new ProtobufWriter();
        for (long d : t.shape().toLongs()) {
            w.writeVarint(1, d);
        }
        w.writeVarint(2, t.type().onnxCode());
        if (name != null && !name.isEmpty()) {
            w.writeString(8, name);
        }
        w.writeBytes(9, rawBytes(t));
        return w;
    }

    /** The elements of {@code t} as ONNX raw_data: little-endian, row-major. */
    static byte[] rawBytes(Tensor t) {
        int n = t.size();
        byte[] b = new byte[Math.multiplyExact(n, t.type().byteSize())];
        switch (t.type()) {
            case FLOAT -> {
                float[] f = t.data();
                for (int i = 0; i < n; i++) {
                    putLe32(b, 4 * i, Float.floatToRawIntBits(f[t.offset() + i]));
                }
            }
            case INT32 -> {
                int[] v = t.intData();
                for (int i = 0; i < n; i++) {
                    putLe32(b, 4 * i, v[t.offset() + i]);
                }
            }
            case INT64 -> {
                long[] v = t.longData();
                for (int i = 0; i < n; i++) {
                    putLe32(b, 8 * i, (int) v[t.offset() + i]);
                    putLe32(b, 8 * i + 4, (int) (v[t.offset() + i] >>> 32));
                }
            }
            case INT16, FLOAT16 -> {
                short[] v = t.shortData();
                for (int i = 0; i < n; i++) {
                    b[2 * i] = (byte) v[t.offset() + i];
                    b[2 * i + 1] = (byte) (v[t.offset() + i] >>> 8);
                }
            }
            default -> System.arraycopy(t.byteData(), t.offset(), b, 0, n);
        }
        return b;
    }

    private static void putLe32(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }
}
