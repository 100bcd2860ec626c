package dev.minnow.engine.tensor;

import java.util.Arrays;

/**
 * A dense, contiguous, row-major tensor (NCHW for images).
 *
 * <p>Element {@code (i0, ..., ik)} lives at {@code offset() + sum(ij * stride[j])} of the backing
 * array, with the strides of {@link Shape#strides()}. The backing array may be longer than the
 * tensor (the execution plan reuses buffers between tensors of different sizes), which is why
 * kernels always receive an array <em>and</em> an offset.
 *
 * <p>The shape and element type are fixed; the elements are mutable (kernels write outputs in
 * place). Networks compute in {@link DataType#FLOAT}; int64 tensors carry shapes and indices, and
 * the 8/32-bit integer types carry quantized weights and activations. Asking a tensor for an array
 * of the wrong type throws, naming both types.
 */
public final class Tensor {
    private final Shape shape;
    private final DataType type;
    private final int offset;
    private final float[] floats;
    private final long[] longs;
    private final int[] ints;
    private final byte[] bytes;
    private final short[] shorts;

    private Tensor(Shape shape, DataType type, int offset, float[] f, long[] l, int[] i, byte[] b, short[] s,
                   int capacity) {
        if (!shape.isConcrete()) {
            throw new IllegalArgumentException("a tensor needs a concrete shape, got " + shape);
        }
        int size = shape.size();
        if (offset < 0 || (long) offset + size > capacity) {
            throw new IllegalArgumentException("a tensor of shape " + shape + " (" + size + " elements) at offset "
                    + offset + " does not fit in an array of " + capacity + " elements");
        }
        this.shape = shape;
        this.type = type;
        this.offset = offset;
        this.floats = f;
        this.longs = l;
        this.ints = i;
        this.bytes = b;
        this.shorts = s;
    }

    // ---- float tensors ------------------------------------------------------------------------

    /** A zero-filled float tensor. */
    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, DataType.FLOAT, 0, new float[shape.size()], null, null, null, null, shape.size());
    }

    /** A zero-filled float tensor. */
    public static Tensor zeros(int... dims) {
        return zeros(Shape.of(dims));
    }

    /** A float tensor that wraps (does not copy) {@code data}, whose length must equal the size. */
    public static Tensor of(Shape shape, float... data) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                    + " elements, got " + data.length);
        }
        return new Tensor(shape, DataType.FLOAT, 0, data, null, null, null, null, data.length);
    }

    /** A float tensor viewing {@code data[offset, offset + shape.size())}. */
    public static Tensor wrap(Shape shape, float[] data, int offset) {
        return new Tensor(shape, DataType.FLOAT, offset, data, null, null, null, null, data.length);
    }

    /** A float scalar (rank 0). */
    public static Tensor scalar(float value) {
        return of(Shape.scalar(), value);
    }

    // ---- integer tensors ----------------------------------------------------------------------

    /** An int64 tensor wrapping {@code data}. */
    public static Tensor ofLongs(Shape shape, long... data) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                    + " elements, got " + data.length);
        }
        return new Tensor(shape, DataType.INT64, 0, null, data, null, null, null, data.length);
    }

    /** An int32 tensor wrapping {@code data}. */
    public static Tensor ofInts(Shape shape, int... data) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                    + " elements, got " + data.length);
        }
        return new Tensor(shape, DataType.INT32, 0, null, null, data, null, null, data.length);
    }

    /** An int8, uint8 or bool tensor wrapping {@code data} (uint8 values are stored as their low 8 bits). */
    public static Tensor ofBytes(Shape shape, DataType type, byte... data) {
        if (type != DataType.INT8 && type != DataType.UINT8 && type != DataType.BOOL) {
            throw new IllegalArgumentException("byte storage holds INT8, UINT8 or BOOL, not " + type);
        }
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                    + " elements, got " + data.length);
        }
        return new Tensor(shape, type, 0, null, null, null, data, null, data.length);
    }

    /**
     * An INT16 or FLOAT16 tensor wrapping {@code data}; FLOAT16 elements are IEEE 754 half-precision
     * bit patterns ({@link Float16}), a storage type: Minnow computes in float and widens them first.
     */
    public static Tensor ofShorts(Shape shape, DataType type, short... data) {
        if (type != DataType.INT16 && type != DataType.FLOAT16) {
            throw new IllegalArgumentException("16-bit storage holds INT16 or FLOAT16, not " + type);
        }
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                    + " elements, got " + data.length);
        }
        return new Tensor(shape, type, 0, null, null, null, null, data, data.length);
    }

    /** A zero-filled tensor of any type. */
    public static Tensor zeros(Shape shape, DataType type) {
        int n = shape.size();
        return switch (type) {
            case FLOAT -> zeros(shape);
            case INT64 -> ofLongs(shape, new long[n]);
            case INT32 -> ofInts(shape, new int[n]);
            case INT8, UINT8, BOOL -> ofBytes(shape, type, new byte[n]);
            case INT16, FLOAT16 -> ofShorts(shape, type, new short[n]);
        };
    }

    // ---- accessors ----------------------------------------------------------------------------

    public Shape shape() {
        return shape;
    }

    public DataType type() {
        return type;
    }

    /** Number of elements. */
    public int size() {
        return shape.size();
    }

    public int rank() {
        return shape.rank();
    }

    /** Index of element 0 in the backing array. */
    public int offset() {
        return offset;
    }

    /** The backing float array (may be longer than the tensor; start at {@link #offset()}). */
    public float[] data() {
        requireType(DataType.FLOAT);
        return floats;
    }

    public long[] longData() {
        requireType(DataType.INT64);
        return longs;
    }

    public int[] intData() {
        requireType(DataType.INT32);
        return ints;
    }

    /** Backing 16-bit elements of an INT16 tensor, or the half-precision bit patterns of a FLOAT16 one. */
    public short[] shortData() {
        if (shorts == null) {
            throw new IllegalStateException("tensor of type " + type + " " + shape + " has no 16-bit storage");
        }
        return shorts;
    }

    /** Backing bytes of an INT8, UINT8 or BOOL tensor. */
    public byte[] byteData() {
        if (bytes == null) {
            throw new IllegalStateException("tensor of type " + type + " " + shape + " has no byte storage");
        }
        return bytes;
    }

    private void requireType(DataType expected) {
        if (type != expected) {
            throw new IllegalStateException("expected a " + expected + " tensor, found " + type + " " + shape);
        }
    }

    /** Float element at a flat (row-major) index. */
    public float get(int flatIndex) {
        return data()[offset + checkIndex(flatIndex)];
    }

    /** Float element at a multi-dimensional index. */
    public float get(int... index) {
        return data()[offset + flatIndex(index)];
    }

    public void set(float value, int... index) {
        data()[offset + flatIndex(index)] = value;
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("flat index " + i + " out of range for shape " + shape);
        }
        return i;
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("index of rank " + index.length + " for a tensor of shape " + shape);
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            int d = shape.dim(i);
            if (index[i] < 0 || index[i] >= d) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of range for shape " + shape);
            }
            flat = flat * d + index[i];
        }
        return flat;
    }

    /** The elements as a new float array of exactly {@link #size()} elements. */
    public float[] toFloatArray() {
        return Arrays.copyOfRange(data(), offset, offset + size());
    }

    /** The elements of an integer tensor (INT64, INT32, INT8, UINT8, BOOL) as longs. */
    public long[] toLongArray() {
        int n = size();
        long[] r = new long[n];
        switch (type) {
            case INT64 -> System.arraycopy(longs, offset, r, 0, n);
            case INT32 -> { for (int i = 0; i < n; i++) r[i] = ints[offset + i]; }
            case INT8, BOOL -> { for (int i = 0; i < n; i++) r[i] = bytes[offset + i]; }
            case UINT8 -> { for (int i = 0; i < n; i++) r[i] = bytes[offset + i] & 0xFF; }
            case INT16 -> { for (int i = 0; i < n; i++) r[i] = shorts[offset + i]; }
            case FLOAT, FLOAT16 -> throw new IllegalStateException("expected an integer tensor, found " + type + " "
                    + shape);
        }
        return r;
    }

    /** A tensor with the same elements and a new shape of equal size; shares storage. */
    public Tensor reshape(Shape newShape) {
        if (newShape.size() != size()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " (" + size() + " elements) to "
                    + newShape + " (" + newShape.size() + " elements)");
        }
        int capacity = switch (type) {
            case FLOAT -> floats.length;
            case INT64 -> longs.length;
            case INT32 -> ints.length;
            case INT16, FLOAT16 -> shorts.length;
            default -> bytes.length;
        };
        return new Tensor(newShape, type, offset, floats, longs, ints, bytes, shorts, capacity);
    }

    /** A deep copy with its own compact storage. */
    public Tensor copy() {
        int n = size();
        return switch (type) {
            case FLOAT -> of(shape, toFloatArray());
            case INT64 -> ofLongs(shape, Arrays.copyOfRange(longs, offset, offset + n));
            case INT32 -> ofInts(shape, Arrays.copyOfRange(ints, offset, offset + n));
            case INT16, FLOAT16 -> ofShorts(shape, type, Arrays.copyOfRange(shorts, offset, offset + n));
            default -> ofBytes(shape, type, Arrays.copyOfRange(bytes, offset, offset + n));
        };
    }

    /** Copies the elements of {@code src} (same type and size) into this tensor. */
    public void copyFrom(Tensor src) {
        if (src.type != type || src.size() != size()) {
            throw new IllegalArgumentException("cannot copy " + src.type + " " + src.shape + " into "
                    + type + " " + shape);
        }
        int n = size();
        switch (type) {
            case FLOAT -> System.arraycopy(src.floats, src.offset, floats, offset, n);
            case INT64 -> System.arraycopy(src.longs, src.offset, longs, offset, n);
            case INT32 -> System.arraycopy(src.ints, src.offset, ints, offset, n);
            case INT16, FLOAT16 -> System.arraycopy(src.shorts, src.offset, shorts, offset, n);
            default -> System.arraycopy(src.bytes, src.offset, bytes, offset, n);
        }
    }

    /** Sets every element to zero. */
    public void fillZero() {
        int n = size();
        switch (type) {
            case FLOAT -> Arrays.fill(floats, offset, offset + n, 0f);
            case INT64 -> Arrays.fill(longs, offset, offset + n, 0L);
            case INT32 -> Arrays.fill(ints, offset, offset + n, 0);
            case INT16, FLOAT16 -> Arrays.fill(shorts, offset, offset + n, (short) 0);
            default -> Arrays.fill(bytes, offset, offset + n, (byte) 0);
        }
    }

    /** True when both tensors have the same type, shape and bit-identical elements. */
    public boolean contentEquals(Tensor other) {
        if (type != other.type || !shape.equals(other.shape)) {
            return false;
        }
        int n = size();
        for (int i = 0; i < n; i++) {
            boolean same = switch (type) {
                case FLOAT -> Float.floatToRawIntBits(floats[offset + i])
                        == Float.floatToRawIntBits(other.floats[other.offset + i]);
                case INT64 -> longs[offset + i] == other.longs[other.offset + i];
                case INT32 -> ints[offset + i] == other.ints[other.offset + i];
                case INT16, FLOAT16 -> shorts[offset + i] == other.shorts[other.offset + i];
                default -> bytes[offset + i] == other.bytes[other.offset + i];
            };
            if (!same) {
                return false;
            }
        }
        return true;
    }

    /** {@code Tensor(FLOAT [2, 3])}, plus the first elements. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(type).append(' ').append(shape).append(": ");
        int n = Math.min(size(), 8);
        long[] asLongs = type == DataType.FLOAT || type == DataType.FLOAT16 ? null : toLongArray();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(asLongs != null ? Long.toString(asLongs[i]) : type == DataType.FLOAT16
                    ? Float.toString(Float16.toFloat(shorts[offset + i])) : Float.toString(floats[offset + i]));
        }
        if (size() > n) {
            sb.append(", ...");
        }
        return sb.append(')').toString();
    }
}
