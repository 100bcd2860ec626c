package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;

/**
 * The (scale, zero point) input pairs of the quantized ONNX ops: a float scale, a scalar for a
 * whole tensor or a 1-D list for one axis (per channel), and an optional 8-bit zero point of the
 * same shape whose type is the quantized tensor's (uint8 when absent). Shared checks and readers.
 */
final class QuantizationInputs {
    private QuantizationInputs() {
    }

    /**
     * Checks a scale and its zero point (may be null); {@code count} is the number of values a
     * per-axis list must hold, or 0 when only a single value is allowed (a 1-element list counts
     * as a single value).
     */
    static void check(ValueInfo scale, ValueInfo zero, String scaleName, String zeroName, int count) {
        OpChecks.requireType(scale, DataType.FLOAT, scaleName);
        int n = values(scale.shape(), scaleName);
        if (n != 1 && n != count) {
            throw new IllegalArgumentException(count == 0
                    ? scaleName + " must be a single value, found shape " + scale.shape()
                    : scaleName + " must hold 1 or " + count + " values, found shape " + scale.shape());
        }
        if (zero != null) {
            if (zero.type() != DataType.UINT8 && zero.type() != DataType.INT8 && zero.type() != DataType.INT32) {
                throw new IllegalArgumentException(zeroName + " must be UINT8 or INT8, found " + zero.type());
            }
            if (values(zero.shape(), zeroName) != n) {
                throw new IllegalArgumentException(zeroName + " " + zero.shape() + " must have the shape of "
                        + scaleName + " " + scale.shape());
            }
        }
    }

    private static int values(Shape s, String name) {
        if (s.rank() > 1) {
            throw new IllegalArgumentException(name + " must be a scalar or 1-D, found shape " + s);
        }
        return s.size();
    }

    /** The type of the quantized tensor a zero point describes: its own, or UINT8 when absent. */
    static DataType quantizedType(ValueInfo zero) {
        return zero == null ? DataType.UINT8 : zero.type();
    }

    /** The scale values. */
    static float[] scales(Tensor scale) {
        return scale.toFloatArray();
    }

    /** The zero points as ints (0 when absent), {@code count} of them if {@code zero} is null. */
    static int[] zeros(Tensor zero, int count) {
        if (zero == null) {
            return new int[Math.max(1, count)];
        }
        long[] v = zero.toLongArray();
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (int) v[i];
        }
        return r;
    }

    /** A single scalar from a 1-value tensor. */
    static float scalar(Tensor t, String name) {
        if (t.size() != 1) {
            throw new IllegalArgumentException(name + " must be a single value, found shape " + t.shape());
        }
        return t.toFloatArray()[0];
    }

    /** A single zero point (0 when absent). */
    static int scalarZero(Tensor t, String name) {
        if (t == null) {
            return 0;
        }
        if (t.size() != 1) {
            throw new IllegalArgumentException(name + " must be a single value, found shape " + t.shape());
        }
        return (int) t.toLongArray()[0];
    }

    /** True for INT8 (signed storage), false for UINT8. */
    static boolean signed(DataType t) {
        return t == DataType.INT8;
    }

    static void require8Bit(ValueInfo v, String name) {
        if (v.type() != DataType.UINT8 && v.type() != DataType.INT8) {
            throw new IllegalArgumentException(name + " must be UINT8 or INT8, found " + v.type());
        }
    }

    static Tensor input(Tensor[] inputs, int i) {
        return i < inputs.length ? inputs[i] : null;
    }
}
