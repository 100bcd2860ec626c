package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ArithmeticKernels;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Broadcasts {@code input} to the shape given by the int64 vector {@code shape}, by numpy's rule
 * ({@link Broadcast}): the output shape is {@code broadcast(input.shape, shape)}, so a size-1
 * dimension of either side gives way to the other. {@code [3, 1]} expanded by {@code [2, 1, 6]}
 * gives {@code [2, 3, 6]}; by {@code [3, 4]} gives {@code [3, 4]}. The shape input must be
 * known when planning. Any element type.
 *
 * <p>Backward (FLOAT): each input element was repeated over the expanded dimensions, so its
 * gradient is the sum of the output gradient over them,
 * {@code dL/dx[k] = sum over outputs o that read x[k] of dL/dy[o]}; a {@code [C, 1]} expanded to
 * {@code [N, C, W]} receives, per channel, the sum over {@code N} and {@code W}. The same
 * {@link Broadcast} runs do it. {@code shape} is a setting, not a trainable parameter.
 */
public final class Expand implements Op {

    public static Expand fromOnnx(Attributes attributes) {
        attributes.requireOnly("Expand");
        return new Expand();
    }

    @Override
    public String opType() {
        return "Expand";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 2);
        ValueInfo data = OpChecks.require(inputs, 0, "input");
        ValueInfo shape = OpChecks.requireConstant(inputs, 1, "shape");
        OpChecks.requireType(shape, DataType.INT64, "shape");
        OpChecks.requireRank(shape, 1, "shape");
        long[] dims = shape.constant().toLongArray();
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("shape must not hold negative sizes, found "
                        + Arrays.toString(dims));
            }
        }
        return List.of(ValueInfo.of(data.type(), Broadcast.outputShape(data.shape(), Shape.of(dims))));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        Broadcast walk = ctx.state() instanceof Broadcast cached && cached.fits(x.shape(), y.shape())
                ? cached : Broadcast.of(x.shape(), y.shape());
        ctx.setState(walk);
        int len = walk.runLength();
        for (int r = 0; r < walk.runCount(); r++) {
            if (walk.aStep() == 1) {
                ElementCopy.copy(x, walk.aStart(r), y, r * len, len);
            } else {
                ElementCopy.repeat(x, walk.aStart(r), y, r * len, len);
            }
        }
    }

    /** Adds every run of {@code dY} back into the elements of {@code X} it was copied from. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null || dx.type() != DataType.FLOAT) {
            return;
        }
        Broadcast walk = ctx.state() instanceof Broadcast cached && cached.fits(x.shape(), dy.shape())
                ? cached : Broadcast.of(x.shape(), dy.shape());
        ctx.setState(walk);
        int len = walk.runLength();
        float[] g = dy.data();
        float[] d = dx.data();
        for (int r = 0; r < walk.runCount(); r++) {
            int from = dy.offset() + r * len;
            int to = dx.offset() + walk.aStart(r);
            if (walk.aStep() == 1) {
                ArithmeticKernels.addInto(g, from, d, to, len);
            } else {
                double sum = 0;
                for (int i = 0; i < len; i++) {
                    sum += g[from + i];
                }
                d[to] += (float) sum;
            }
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /** Only {@code input} is trainable; {@code shape} is a setting. */
    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Expand;
    }

    @Override
    public int hashCode() {
        return Expand.class.hashCode();
    }

    @Override
    public String toString() {
        return "Expand";
    }
}
