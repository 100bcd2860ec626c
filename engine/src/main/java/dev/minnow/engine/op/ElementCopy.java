package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ArithmeticKernels;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;

/**
 * Moves elements between tensors without looking at them, whatever their type: the data-movement
 * ops ({@code Concat}, {@code Gather}, {@code Transpose}, {@code Pad}, {@code Expand},
 * {@code ChannelShuffle}) are the same for floats and for the int64 shape vectors exporters
 * build, so they are written once over these methods.
 *
 * <p>Indices are element positions relative to the tensor's first element; the tensor's
 * {@link Tensor#offset()} is added here. {@link System#arraycopy} accepts any primitive array,
 * which is what makes one code path serve every type.
 *
 * <p><b>Backward.</b> A move's gradient flows back along the same move, reversed: where the
 * forward copied {@code src[s]} to {@code dst[d]}, the backward adds {@code dDst[d]} into
 * {@code dSrc[s]}. An element copied to several places (Expand, Gather with repeated indices,
 * edge padding) receives the sum. Only float tensors carry gradients.
 */
public final class ElementCopy {
    private ElementCopy() {
    }

    /**
     * The backing array of a tensor of any type ({@code float[]}, {@code long[]}, {@code int[]},
     * {@code byte[]} or {@code short[]}).
     */
    public static Object storage(Tensor t) {
        return switch (t.type()) {
            case FLOAT -> t.data();
            case INT64 -> t.longData();
            case INT32 -> t.intData();
            case INT8, UINT8, BOOL -> t.byteData();
            case INT16, FLOAT16 -> t.shortData();
        };
    }

    /** Copies {@code n} elements {@code src[srcIndex..]} to {@code dst[dstIndex..]} (tensors of one type). */
    public static void copy(Tensor src, int srcIndex, Tensor dst, int dstIndex, int n) {
        System.arraycopy(storage(src), src.offset() + srcIndex, storage(dst), dst.offset() + dstIndex, n);
    }

    /** Writes element {@code src[srcIndex]} into {@code dst[dstIndex, dstIndex + n)}. */
    public static void repeat(Tensor src, int srcIndex, Tensor dst, int dstIndex, int n) {
        int from = dst.offset() + dstIndex;
        int s = src.offset() + srcIndex;
        switch (dst.type()) {
            case FLOAT -> Arrays.fill(dst.data(), from, from + n, src.data()[s]);
            case INT64 -> Arrays.fill(dst.longData(), from, from + n, src.longData()[s]);
            case INT32 -> Arrays.fill(dst.intData(), from, from + n, src.intData()[s]);
            default -> Arrays.fill(dst.byteData(), from, from + n, src.byteData()[s]);
        }
    }

    /**
     * Writes {@code value} into {@code dst[dstIndex, dstIndex + n)}, converted to the tensor's type
     * (truncated toward zero for integers, non-zero means true for BOOL).
     */
    public static void fill(Tensor dst, int dstIndex, int n, double value) {
        int from = dst.offset() + dstIndex;
        switch (dst.type()) {
            case FLOAT -> Arrays.fill(dst.data(), from, from + n, (float) value);
            case INT64 -> Arrays.fill(dst.longData(), from, from + n, (long) value);
            case INT32 -> Arrays.fill(dst.intData(), from, from + n, (int) (long) value);
            case BOOL -> Arrays.fill(dst.byteData(), from, from + n, (byte) (value != 0 ? 1 : 0));
            default -> Arrays.fill(dst.byteData(), from, from + n, (byte) (long) value);
        }
    }

    /**
     * The single element of a one-element tensor as a double (Pad's constant, Clip's bounds);
     * int64 values beyond 2^53 lose precision, which no such setting needs.
     */
    public static double scalarValue(Tensor t, String name) {
        if (t.size() != 1) {
            throw new IllegalArgumentException(name + " must hold exactly one element, found shape " + t.shape());
        }
        int i = t.offset();
        return switch (t.type()) {
            case FLOAT -> t.data()[i];
            case INT64 -> t.longData()[i];
            case INT32 -> t.intData()[i];
            case UINT8 -> t.byteData()[i] & 0xFF;
            case INT8, BOOL -> t.byteData()[i];
            case INT16 -> t.shortData()[i];
            case FLOAT16 -> dev.minnow.engine.tensor.Float16.toFloat(t.shortData()[i]);
        };
    }

    /** {@code dst[dstIndex + i] += src[srcIndex + i]} for {@code i < n}: the backward of {@link #copy}. */
    public static void accumulate(Tensor src, int srcIndex, Tensor dst, int dstIndex, int n) {
        ArithmeticKernels.addInto(src.data(), src.offset() + srcIndex, dst.data(), dst.offset() + dstIndex, n);
    }

    /**
     * {@code dx += dy} element by element, in row-major order: the backward of every op whose output
     * is its input with another shape (Reshape, Flatten, Squeeze, Unsqueeze, Identity). Nothing
     * happens when either gradient is absent or the tensors are not float.
     */
    public static void accumulateReshaped(Tensor dy, Tensor dx) {
        if (dy == null || dx == null || dx.type() != DataType.FLOAT) {
            return;
        }
        if (dy.size() != dx.size()) {
            throw new IllegalArgumentException("the gradient of a reshape has " + dy.size() + " elements " + dy.shape()
                    + " but its input " + dx.size() + " " + dx.shape());
        }
        accumulate(dy, 0, dx, 0, dx.size());
    }
}
