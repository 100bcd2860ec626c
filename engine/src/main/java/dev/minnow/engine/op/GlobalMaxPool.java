package dev.minnow.engine.op;

import dev.minnow.engine.kernel.PoolKernels;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Global max pooling: the largest value of each channel over all spatial positions.
 * <pre>
 *   Y[n, c, 1, ..., 1] = max over i of X[n, c, i]
 * </pre>
 * for {@code X [N, C, D1..Dr]}, r &gt;= 1; the output keeps the rank with every spatial axis 1.
 * A NaN in a channel makes its maximum NaN.
 *
 * <p>Backward: the whole gradient of a channel goes to its maximum,
 * {@code dL/dX[n, c, argmax] = dL/dY[n, c]} (the first one at a tie).
 */
public final class GlobalMaxPool implements Op {

    public static GlobalMaxPool fromOnnx(Attributes a) {
        a.requireOnly("GlobalMaxPool");
        return new GlobalMaxPool();
    }

    @Override
    public String opType() {
        return "GlobalMaxPool";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "X");
        OpChecks.requireType(x, DataType.FLOAT, "X");
        return List.of(ValueInfo.of(GlobalAveragePool.pooledShape(x.shape())));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        int planes = x.shape().dim(0) * x.shape().dim(1);
        PoolKernels.globalMaxPool(x.data(), x.offset(), y.data(), y.offset(), planes,
                x.shape().sizeBetween(2, x.rank()));
    }

    /** {@code dX[n, c, argmax] += dY[n, c]}, the first maximum of the channel taking the gradient. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        PoolKernels.globalMaxPoolBackward(x.data(), x.offset(), dy.data(), dy.offset(), dx.data(), dx.offset(),
                x.shape().dim(0) * x.shape().dim(1), x.shape().sizeBetween(2, x.rank()));
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GlobalMaxPool;
    }

    @Override
    public int hashCode() {
        return GlobalMaxPool.class.hashCode();
    }

    @Override
    public String toString() {
        return "GlobalMaxPool";
    }
}
