package dev.minnow.compression.lowbit;

import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.OpRegistry;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Ternary or binary fake quantization of a weight tensor for training with the straight-through
 * estimator, the low-bit sibling of the int8 {@link dev.minnow.engine.op.FakeQuantize}: the graph
 * keeps the float "shadow" weights {@code W} as its parameter, this node sits between them and the
 * Conv or Gemm that reads them, and
 * <pre>
 *   forward:   Wq = alpha * C(W)                   ({@link LowBitWeights}, recomputed every pass)
 *   backward:  dL/dW = dL/dWq                      (ternary: TWN's straight-through estimator)
 *              dL/dW = dL/dWq * 1{|W| <= 1}        (binary: BinaryConnect / XNOR-Net, the gradient
 *                                                   of sign taken as that of hardtanh)
 * </pre>
 * so the loss is computed with the quantized weights while the small updates accumulate in the
 * float ones, which is what lets a weight change sign after many steps (Courbariaux et al. 2015).
 * {@code alpha} is treated as a constant in the backward pass (XNOR-Net's extra term
 * {@code dL/dWq * 1/n} through alpha is left out). Together with the clipping of the shadow weights
 * to [-1, 1] after every step ({@link LowBitQuantizer}) this is BinaryConnect's recipe.
 *
 * <p>A training-only op: {@link LowBitQuantizer#pack} replaces it by the packed codes before a
 * model is saved, so it is not registered with {@link OpRegistry}.
 */
public final class LowBitFakeQuantize implements Op {
    private final LowBitWeights.Coding coding;
    private final int axis;

    /** @param axis {@link LowBitWeights#PER_LAYER} or the axis of per-filter scales */
    public LowBitFakeQuantize(LowBitWeights.Coding coding, int axis) {
        this.coding = Objects.requireNonNull(coding, "coding");
        this.axis = axis;
    }

    public LowBitWeights.Coding coding() {
        return coding;
    }

    public int axis() {
        return axis;
    }

    @Override
    public String opType() {
        return "LowBitFakeQuantize";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("coding", coding.name().toLowerCase(java.util.Locale.ROOT))
                .set("axis", axis).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        if (inputs.size() != 1 || inputs.get(0) == null) {
            throw new IllegalArgumentException("LowBitFakeQuantize takes one input (the float weights), found "
                    + inputs.size());
        }
        ValueInfo w = inputs.get(0);
        if (w.type() != DataType.FLOAT) {
            throw new IllegalArgumentException("weights must be FLOAT, found " + w.type());
        }
        if (axis != LowBitWeights.PER_LAYER && (axis < 0 || axis >= w.shape().rank())) {
            throw new IllegalArgumentException("scale axis " + axis + " is outside the weights' shape " + w.shape());
        }
        return List.of(ValueInfo.of(w.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor w = inputs[0];
        Tensor y = outputs[0];
        LowBitWeights.quantize(w, coding, axis).writeDequantized(y.data(), y.offset());
    }

    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        Tensor dw = inputGrads[0];
        if (dy == null || dw == null) {
            return;
        }
        Tensor w = inputs[0];
        float[] wd = w.data();
        float[] dyd = dy.data();
        float[] dwd = dw.data();
        for (int i = 0; i < w.size(); i++) {
            float g = dyd[dy.offset() + i];
            if (coding == LowBitWeights.Coding.TERNARY || Math.abs(wd[w.offset() + i]) <= 1f) {
                dwd[dw.offset() + i] += g;
            }
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LowBitFakeQuantize f && f.coding == coding && f.axis == axis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(coding, axis);
    }

    @Override
    public String toString() {
        return opType() + attributes();
    }
}
