package dev.minnow.engine.io.npy;

import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.nio.ByteBuffer;

/**
 * The element encodings Minnow reads from {@code .npy} files, each with the {@link DataType} it
 * becomes. NumPy names an encoding by its {@code descr}: a byte-order character ({@code <}
 * little-endian, {@code >} big-endian, {@code |} not applicable) then a kind and a size in bytes,
 * e.g. {@code <f4} for little-endian float32. Float64 and float16 are converted to float32, the
 * type networks compute in.
 */
enum NpyType {
    F4('f', 4, DataType.FLOAT),
    F8('f', 8, DataType.FLOAT),
    F2('f', 2, DataType.FLOAT),
    I8('i', 8, DataType.INT64),
    I4('i', 4, DataType.INT32),
    I1('i', 1, DataType.INT8),
    U1('u', 1, DataType.UINT8),
    B1('b', 1, DataType.BOOL);

    private static final String SUPPORTED = "<f4, <f8, <f2, <i8, <i4, |i1, |u1, |b1";

    private final char kind;
    final int byteSize;
    final DataType dataType;

    NpyType(char kind, int byteSize, DataType dataType) {
        this.kind = kind;
        this.byteSize = byteSize;
        this.dataType = dataType;
    }

    /** NumPy's descr, as written to a header: {@code <f4}, {@code |u1}. */
    String descr() {
        return (byteSize == 1 ? "|" : "<") + kind + byteSize;
    }

    /** The encoding a tensor of this type is written with. */
    static NpyType forTensor(DataType type) {
        return switch (type) {
            case FLOAT -> F4;
            case INT64 -> I8;
            case INT32 -> I4;
            case INT8 -> I1;
            case UINT8 -> U1;
            case BOOL -> B1;
            case INT16, FLOAT16 -> throw new IllegalArgumentException("no .npy encoding for " + type + " tensors in"
                    + " Minnow (16-bit types are storage for weights; widen them to float first)");
        };
    }

    /** Parses a descr such as {@code '<f4'}; anything Minnow cannot read is refused with the reason. */
    static NpyType parse(String descr, String source) throws ModelFormatException {
        String body = descr;
        char order = '|';
        if (!descr.isEmpty() && "<>|=".indexOf(descr.charAt(0)) >= 0) {
            order = descr.charAt(0);
            body = descr.substring(1);
        }
        for (NpyType t : values()) {
            if (!body.equals("" + t.kind + t.byteSize)) {
                continue;
            }
            if (t.byteSize > 1 && order == '>') {
                throw new ModelFormatException(source + ": dtype '" + descr + "' is big-endian; Minnow reads"
                        + " little-endian data only (convert with a.astype('<" + body + "'))");
            }
            if (t.byteSize > 1 && order != '<') {
                throw new ModelFormatException(source + ": dtype '" + descr + "' does not state its byte order;"
                        + " expected '<" + body + "'");
            }
            return t;
        }
        String why = descr.endsWith("O") ? " (Python objects, which Minnow never unpickles)" : "";
        throw new ModelFormatException(source + ": dtype '" + descr + "' is not supported" + why
                + "; Minnow reads " + SUPPORTED);
    }

    /** Decodes {@code count} elements from {@code src} (little-endian) into {@code dst} at {@code at}. */
    void decode(ByteBuffer src, Tensor dst, int at, int count) {
        int o = dst.offset() + at;
        switch (this) {
            case F4 -> src.asFloatBuffer().get(dst.data(), o, count);
            case F8 -> {
                float[] d = dst.data();
                for (int i = 0; i < count; i++) {
                    d[o + i] = (float) src.getDouble();
                }
            }
            case F2 -> {
                float[] d = dst.data();
                for (int i = 0; i < count; i++) {
                    d[o + i] = halfToFloat(src.getShort());
                }
            }
            case I8 -> src.asLongBuffer().get(dst.longData(), o, count);
            case I4 -> src.asIntBuffer().get(dst.intData(), o, count);
            case I1, U1 -> src.get(dst.byteData(), o, count);
            case B1 -> {
                byte[] d = dst.byteData();
                for (int i = 0; i < count; i++) {
                    d[o + i] = src.get() != 0 ? (byte) 1 : (byte) 0;
                }
            }
        }
    }

    /** Encodes {@code count} elements of {@code src} from flat index {@code at} into {@code dst}. */
    void encode(Tensor src, int at, int count, ByteBuffer dst) {
        int o = src.offset() + at;
        switch (this) {
            case F4 -> {
                dst.asFloatBuffer().put(src.data(), o, count);
                dst.position(dst.position() + 4 * count);
            }
            case I8 -> {
                dst.asLongBuffer().put(src.longData(), o, count);
                dst.position(dst.position() + 8 * count);
            }
            case I4 -> {
                dst.asIntBuffer().put(src.intData(), o, count);
                dst.position(dst.position() + 4 * count);
            }
            case I1, U1 -> dst.put(src.byteData(), o, count);
            case B1 -> {
                byte[] s = src.byteData();
                for (int i = 0; i < count; i++) {
                    dst.put(s[o + i] != 0 ? (byte) 1 : (byte) 0);
                }
            }
            case F8, F2 -> throw new IllegalStateException("Minnow writes float tensors as <f4, not " + descr());
        }
    }

    /**
     * IEEE 754 binary16 to binary32: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
     * Normal numbers are {@code (-1)^s * 2^(e-15) * 1.f}; exponent 0 holds the subnormals
     * {@code (-1)^s * 2^-14 * 0.f}; exponent 31 holds the infinities and NaNs.
     */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1F;
        int frac = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (frac << 13));
        }
        if (exp == 0) {
            float magnitude = frac * 0x1p-24f; // 2^-14 * frac / 2^10, exact in float
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (frac << 13));
    }
}
