package dev.minnow.engine.op;

import dev.minnow.engine.kernel.BitPacking;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Ternary or binary weights read back from their bit-packed codes (Minnow's native
 * {@code DequantizeLowBit}), the low-bit counterpart of DequantizeLinear:
 * <pre>
 *   y = scale[c] * code          code in {-1, +1} (bits = 1) or {-1, 0, +1} (bits = 2)
 * </pre>
 * with {@code c} the index along {@code axis} when {@code scale} holds one value per channel (a
 * Ternary Weight Network's or XNOR-Net's per-filter {@code alpha}), or a single scale for the
 * tensor. Inputs: {@code codes} INT64 {@code [rows, bits * ceil(rowLength / 64)]}, packed as
 * {@link BitPacking} describes (rows = {@code shape[0]}); {@code scale} float {@code [1]} or
 * {@code [shape[axis]]}. Attributes: {@code bits} (1 or 2), {@code shape} (of y), {@code axis}
 * (default 0).
 *
 * <p>The codes are constants of a model, so the planner folds this node once when it plans
 * (its inputs are all initializers) and the Conv or Gemm that reads {@code y} sees ordinary float
 * weights: the file is 16x (ternary) or 32x (binary) smaller, the arithmetic is float32.
 */
public final class DequantizeLowBit implements Op {
    private final int bits;
    private final int[] shape;
    private final int axis;

    public DequantizeLowBit(int bits, int[] shape, int axis) {
        if (bits != 1 && bits != 2) {
            throw new IllegalArgumentException("bits must be 1 (binary) or 2 (ternary), found " + bits);
        }
        if (shape == null || shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("shape must list positive dimensions, found " + Arrays.toString(shape));
        }
        this.bits = bits;
        this.shape = shape.clone();
        this.axis = Shape.normalizeAxis(axis, shape.length);
    }

    public static DequantizeLowBit fromOnnx(Attributes a) {
        a.requireOnly("DequantizeLowBit", "axis", "bits", "shape");
        return new DequantizeLowBit(a.getInt("bits", 0), a.getInts("shape", null), a.getInt("axis", 0));
    }

    public int bits() {
        return bits;
    }

    public Shape shape() {
        return Shape.of(shape);
    }

    public int axis() {
        return axis;
    }

    @Override
    public String opType() {
        return "DequantizeLowBit";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder().set("bits", bits).set("shape", shape);
        if (axis != 0) {
            b.set("axis", axis);
        }
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 2);
        ValueInfo codes = OpChecks.require(inputs, 0, "codes");
        ValueInfo scale = OpChecks.require(inputs, 1, "scale");
        OpChecks.requireType(codes, DataType.INT64, "codes");
        OpChecks.requireType(scale, DataType.FLOAT, "scale");
        Shape y = Shape.of(shape);
        int rows = shape[0];
        int rowLength = y.size() / rows;
        Shape expected = Shape.of(rows, BitPacking.rowLongs(bits, rowLength));
        if (!codes.shape().equals(expected)) {
            throw new IllegalArgumentException("codes for " + (bits == 1 ? "binary" : "ternary") + " weights of shape "
                    + y + " must have shape " + expected + " (" + bits + " bit(s) per weight, rows packed into 64-bit"
                    + " words), found " + codes.shape());
        }
        int n = scale.shape().size();
        if (scale.shape().rank() != 1 || (n != 1 && n != shape[axis])) {
            throw new IllegalArgumentException("scale must have shape [1] or [" + shape[axis] + "] (one per index of axis "
                    + axis + "), found " + scale.shape());
        }
        return List.of(ValueInfo.of(y));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor codes = inputs[0];
        Tensor scale = inputs[1];
        Tensor y = outputs[0];
        int rows = shape[0];
        int size = y.size();
        byte[] unpacked = new byte[size];
        BitPacking.unpack(codes.longData(), codes.offset(), rows, size / rows, bits, unpacked);
        Shape s = Shape.of(shape);
        int channels = scale.size() == 1 ? 1 : shape[axis];
        int inner = scale.size() == 1 ? size : s.sizeBetween(axis + 1, shape.length);
        float[] sd = scale.data();
        float[] yd = y.data();
        for (int i = 0; i < size; i++) {
            int c = channels == 1 ? 0 : (i / inner) % channels;
            yd[y.offset() + i] = sd[scale.offset() + c] * unpacked[i];
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DequantizeLowBit d && d.bits == bits && Arrays.equals(d.shape, shape) && d.axis == axis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(bits, Arrays.hashCode(shape), axis);
    }

    @Override
    public String toString() {
        return opType() + attributes();
    }
}
