package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ElementwiseKernels;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Rectified linear unit, element-wise: {@code y = max(0, x)}.
 *
 * <p>The non-linearity of nearly every CNN since AlexNet (Krizhevsky et al. 2012, who found it
 * trains several times faster than tanh). A "non-tensor" layer in DeepRebirth's vocabulary: no
 * weights, little arithmetic, but a full pass over memory, which is why fusing it into the
 * producing convolution's output loop pays.
 *
 * <p>Backward: {@code dL/dx = dL/dy * (x > 0)}; at {@code x = 0} the derivative is taken as 0, as
 * in PyTorch.
 */
public final class Relu implements Op {

    public static Relu fromOnnx(Attributes attributes) {
        attributes.requireOnly("Relu");
        return new Relu();
    }

    @Override
    public String opType() {
        return "Relu";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "X");
        OpChecks.requireType(x, DataType.FLOAT, "X");
        return List.of(ValueInfo.of(x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        ElementwiseKernels.clamp(x.data(), x.offset(), y.data(), y.offset(), x.size(), 0f, Float.POSITIVE_INFINITY,
                ctx.threads());
    }

    /** {@code dX += dY} where {@code X > 0}, nothing elsewhere (the derivative at 0 is taken as 0). */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        // x > 0 is x >= the smallest positive float
        ElementwiseKernels.clampGradient(x.data(), x.offset(), dy.data(), dy.offset(), dx.data(), dx.offset(),
                x.size(), Float.MIN_VALUE, Float.POSITIVE_INFINITY, ctx.threads());
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Relu;
    }

    @Override
    public int hashCode() {
        return Relu.class.hashCode();
    }

    @Override
    public String toString() {
        return "Relu";
    }
}
