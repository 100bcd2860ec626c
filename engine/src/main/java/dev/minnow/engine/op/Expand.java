package dev.minnow.engine.op;

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
