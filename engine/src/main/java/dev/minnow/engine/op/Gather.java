package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Picks entries of {@code data} along {@code axis} (default 0) by the integer tensor
 * {@code indices}; the axis is replaced by the indices' shape:
 * <pre>
 *   out.shape = data.shape[:axis] ++ indices.shape ++ data.shape[axis+1:]
 *   out[i_0..i_{a-1}, j_0..j_{q-1}, k...] = data[i_0..i_{a-1}, idx[j_0..j_{q-1}], k...]
 * </pre>
 * An index in {@code [-s, s)}, s the axis size, counts from the end when negative. A scalar
 * index removes the axis ({@code Gather(shape, 0)} is the batch size as a scalar); an embedding
 * lookup is {@code Gather(table, tokenIds)}. Data of any type; indices INT64 or INT32.
 *
 * <p>Backward (FLOAT data): a scatter-add, each picked slice's gradient returned to the row it
 * came from,
 * <pre>
 *   dL/ddata[i.., idx[j..], k..] += dL/dout[i.., j.., k..]     for every j
 * </pre>
 * so a row picked twice receives both gradients (an embedding row used by two tokens). The
 * indices are integers: not differentiable, not trainable.
 */
public final class Gather implements Op {
    private final int axis;

    public Gather(int axis) {
        this.axis = axis;
    }

    /** Gather along axis 0. */
    public Gather() {
        this(0);
    }

    public static Gather fromOnnx(Attributes attributes) {
        attributes.requireOnly("Gather", "axis");
        return new Gather(attributes.getInt("axis", 0));
    }

    public int axis() {
        return axis;
    }

    @Override
    public String opType() {
        return "Gather";
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("axis", (long) axis).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 2);
        ValueInfo data = OpChecks.require(inputs, 0, "data");
        ValueInfo indices = OpChecks.require(inputs, 1, "indices");
        if (indices.type() != DataType.INT64 && indices.type() != DataType.INT32) {
            throw new IllegalArgumentException("indices must be INT64 or INT32, found " + indices.type());
        }
        Shape d = data.shape();
        if (d.rank() == 0) {
            throw new IllegalArgumentException("data must have rank >= 1, found a scalar");
        }
        int a = d.normalizeAxis(axis);
        if (indices.isConstant()) {
            Tensor idx = indices.constant();
            for (int k = 0; k < idx.size(); k++) {
                checkedIndex(idx, k, d.dim(a));
            }
        }
        Shape q = indices.shape();
        int[] dims = new int[d.rank() - 1 + q.rank()];
        int n = 0;
        for (int i = 0; i < a; i++) {
            dims[n++] = d.dim(i);
        }
        for (int i = 0; i < q.rank(); i++) {
            dims[n++] = q.dim(i);
        }
        for (int i = a + 1; i < d.rank(); i++) {
            dims[n++] = d.dim(i);
        }
        return List.of(ValueInfo.of(data.type(), Shape.of(dims)));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor data = inputs[0];
        Tensor idx = inputs[1];
        Tensor y = outputs[0];
        Shape d = data.shape();
        int a = d.normalizeAxis(axis);
        int outer = d.sizeBetween(0, a);
        int size = d.dim(a);
        int inner = d.sizeBetween(a + 1, d.rank());
        int count = idx.size();
        for (int k = 0; k < count; k++) {
            int j = checkedIndex(idx, k, size);
            for (int o = 0; o < outer; o++) {
                ElementCopy.copy(data, (o * size + j) * inner, y, (o * count + k) * inner, inner);
            }
        }
    }

    /** Scatter-adds every slice of {@code dY} into the row of {@code dData} it was gathered from. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor data = inputs[0];
        Tensor idx = inputs[1];
        Tensor dy = outputGrads[0];
        Tensor dData = inputGrads[0];
        if (dy == null || dData == null || data.type() != DataType.FLOAT) {
            return;
        }
        Shape d = data.shape();
        int a = d.normalizeAxis(axis);
        int outer = d.sizeBetween(0, a);
        int size = d.dim(a);
        int inner = d.sizeBetween(a + 1, d.rank());
        int count = idx.size();
        for (int k = 0; k < count; k++) {
            int j = checkedIndex(idx, k, size);
            for (int o = 0; o < outer; o++) {
                ElementCopy.accumulate(dy, (o * count + k) * inner, dData, (o * size + j) * inner, inner);
            }
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /** Only {@code data} is trainable; {@code indices} pick rows. */
    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    /** Index number {@code k} of {@code idx}, made non-negative, or a message when outside {@code [-size, size)}. */
    private int checkedIndex(Tensor idx, int k, int size) {
        long v = idx.type() == DataType.INT64 ? idx.longData()[idx.offset() + k] : idx.intData()[idx.offset() + k];
        if (v < -size || v >= size) {
            throw new IllegalArgumentException("index " + v + " (element " + k + " of indices " + idx.shape()
                    + ") is out of range for axis " + axis + " of size " + size + " (must be in [" + (-size) + ", "
                    + (size - 1) + "])");
        }
        return (int) (v < 0 ? v + size : v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Gather other && other.axis == axis;
    }

    @Override
    public int hashCode() {
        return 31 * Gather.class.hashCode() + axis;
    }

    @Override
    public String toString() {
        return "Gather(axis=" + axis + ")";
    }
}
