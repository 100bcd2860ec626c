package dev.minnow.engine.op;

import dev.minnow.engine.kernel.PoolKernels;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Global average pooling: the mean of each channel over all spatial positions.
 * <pre>
 *   Y[n, c, 1, ..., 1] = (1 / (D1 * ... * Dr)) * sum over i of X[n, c, i]
 * </pre>
 * for {@code X [N, C, D1..Dr]}, r &gt;= 1; the output keeps the rank with every spatial axis 1.
 * Network-in-Network (Lin et al. 2014) introduced it to replace the large fully-connected layers at
 * the end of a CNN, removing most of their weights; GoogLeNet, ResNet and MobileNet end with it.
 *
 * <p>Backward: every position shares its channel's gradient equally,
 * {@code dL/dX[n, c, i] = dL/dY[n, c] / (D1 * ... * Dr)}.
 */
public final class GlobalAveragePool implements Op {

    public static GlobalAveragePool fromOnnx(Attributes a) {
        a.requireOnly("GlobalAveragePool");
        return new GlobalAveragePool();
    }

    @Override
    public String opType() {
        return "GlobalAveragePool";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "X");
        OpChecks.requireType(x, DataType.FLOAT, "X");
        return List.of(ValueInfo.of(pooledShape(x.shape())));
    }

    /** {@code [N, C, 1, ..., 1]} for {@code X [N, C, D1..Dr]}, r &gt;= 1. */
    static Shape pooledShape(Shape x) {
        if (x.rank() < 3) {
            throw new IllegalArgumentException("X must be N x C x D1 x ... x Dr (rank >= 3), found shape " + x);
        }
        int[] d = new int[x.rank()];
        Arrays.fill(d, 1);
        d[0] = x.dim(0);
        d[1] = x.dim(1);
        return Shape.of(d);
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        int planes = x.shape().dim(0) * x.shape().dim(1);
        PoolKernels.globalAveragePool(x.data(), x.offset(), y.data(), y.offset(), planes,
                x.shape().sizeBetween(2, x.rank()));
    }

    /** {@code dX[n, c, i] += dY[n, c] / (D1 * ... * Dr)}. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        PoolKernels.globalAveragePoolBackward(dy.data(), dy.offset(), dx.data(), dx.offset(),
                x.shape().dim(0) * x.shape().dim(1), x.shape().sizeBetween(2, x.rank()));
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GlobalAveragePool;
    }

    @Override
    public int hashCode() {
        return GlobalAveragePool.class.hashCode();
    }

    @Override
    public String toString() {
        return "GlobalAveragePool";
    }
}
