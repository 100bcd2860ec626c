package dev.minnow.engine.tensor;

import java.util.Arrays;

/**
 * The dimensions of a tensor, outermost first (NCHW for images). Immutable.
 *
 * <p>A dimension is a non-negative size. Graph inputs may declare a dimension as {@link #UNKNOWN}
 * (ONNX's symbolic batch size "N"); such a shape is a <em>pattern</em> that a concrete shape
 * {@link #matches}, never the shape of a real tensor.
 *
 * <p>Element counts are checked against {@link Integer#MAX_VALUE}, the largest Java array, so a
 * hostile file that declares a {@code [1000000, 1000000]} tensor gets a clear exception instead of
 * an {@code OutOfMemoryError} or a silently wrapped size.
 */
public final class Shape {
    /** A dimension whose size is not known until a real tensor arrives. */
    public static final int UNKNOWN = -1;

    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A concrete shape: every dimension must be {@code >= 0}. */
    public static Shape of(int... dims) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException(
                        "dimension " + i + " of shape " + Arrays.toString(dims) + " is negative");
            }
        }
        Shape s = new Shape(dims.clone());
        s.checkedSize();
        return s;
    }

    /** A concrete shape from 64-bit dimensions (as they come from ONNX), each checked to fit. */
    public static Shape of(long... dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("dimension " + i + " of shape " + Arrays.toString(dims)
                        + " is out of range (must be 0.." + Integer.MAX_VALUE + ")");
            }
            d[i] = (int) dims[i];
        }
        return of(d);
    }

    /** A shape pattern in which {@link #UNKNOWN} dimensions are allowed. */
    public static Shape pattern(int... dims) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < UNKNOWN) {
                throw new IllegalArgumentException(
                        "dimension " + i + " of shape " + Arrays.toString(dims) + " is negative");
            }
        }
        return new Shape(dims.clone());
    }

    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** Size of dimension {@code axis}; a negative axis counts from the end, as in ONNX. */
    public int dim(int axis) {
        return dims[normalizeAxis(axis)];
    }

    /** A copy of the dimensions. */
    public int[] dims() {
        return dims.clone();
    }

    /** Dimensions as longs (the ONNX wire type). */
    public long[] toLongs() {
        long[] r = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            r[i] = dims[i];
        }
        return r;
    }

    public boolean isConcrete() {
        for (int d : dims) {
            if (d == UNKNOWN) {
                return false;
            }
        }
        return true;
    }

    /** Number of elements; a scalar has one. */
    public int size() {
        if (!isConcrete()) {
            throw new IllegalStateException("shape " + this + " has unknown dimensions and no size");
        }
        return checkedSize();
    }

    private int checkedSize() {
        long n = 1;
        for (int d : dims) {
            if (d == UNKNOWN) {
                return -1;
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + this + " has more elements than the "
                        + Integer.MAX_VALUE + " a Java array can hold");
            }
        }
        return (int) n;
    }

    /** Product of dimensions {@code [from, to)}. */
    public int sizeBetween(int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];
        }
        return Math.toIntExact(n);
    }

    /**
     * Turns an ONNX axis in {@code [-rank, rank)} into {@code [0, rank)}, or throws naming the
     * axis and this shape.
     */
    public int normalizeAxis(int axis) {
        return normalizeAxis(axis, dims.length);
    }

    /** As {@link #normalizeAxis(int)} for a tensor of the given rank. */
    public static int normalizeAxis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank
                    + " (must be in [" + (-rank) + ", " + (rank - 1) + "])");
        }
        return a;
    }

    /** True when this concrete shape fits a pattern: same rank, equal known dimensions. */
    public boolean matches(Shape pattern) {
        if (pattern.dims.length != dims.length) {
            return false;
        }
        for (int i = 0; i < dims.length; i++) {
            if (pattern.dims[i] != UNKNOWN && pattern.dims[i] != dims[i]) {
                return false;
            }
        }
        return true;
    }

    /** This shape with dimension {@code axis} replaced. */
    public Shape withDim(int axis, int size) {
        int[] d = dims.clone();
        d[normalizeAxis(axis)] = size;
        return new Shape(d);
    }

    /** Row-major strides in elements: {@code stride[i] = prod(dims[i+1..])}. */
    public int[] strides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code [1, 3, 224, 224]}; unknown dimensions print as {@code ?}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(dims[i] == UNKNOWN ? "?" : Integer.toString(dims[i]));
        }
        return sb.append(']').toString();
    }
}
