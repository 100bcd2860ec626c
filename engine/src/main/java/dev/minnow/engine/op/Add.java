package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ArithmeticKernels.Operation;

/**
 * Element-wise sum with numpy broadcasting: {@code C = A + B}, each operand indexed as
 * {@link Broadcast} describes (a size-1 dimension repeats). The residual connection of ResNet
 * (He et al. 2016, {@code y = F(x) + x}) and every separate bias addition are Adds.
 *
 * <p>Types FLOAT, INT64, INT32, INT8, UINT8 (both operands the same; integers wrap around on
 * overflow); see {@link ElementwiseBinary}.
 *
 * <p>Backward: {@code dA = dC}, {@code dB = dC},
 * each summed over the dimensions along which that operand was broadcast (see
 * {@link ElementwiseBinary}).
 *
 * <p><b>FusedAdd</b> (inference only): {@link #withRelu()} computes {@code C = max(A + B, 0)} in one
 * pass, the end of every ResNet block ({@code relu(F(x) + x)}), instead of an Add writing C and a
 * Relu reading and rewriting it. The fusion pass makes it; it lives in Minnow's domain, has no
 * backward pass, and exports to ONNX as an Add followed by a Relu.
 */
public final class Add extends ElementwiseBinary {
    private final boolean relu;

    public Add() {
        this(NUMPY, false);
    }

    private Add(int legacyAxis, boolean relu) {
        super(Operation.ADD, legacyAxis);
        this.relu = relu;
    }

    /** Reads a Add node; opsets 1-6 may carry the legacy {@code broadcast}/{@code axis} attributes. */
    public static Add fromOnnx(Attributes attributes, int opset) {
        return new Add(legacyAxisFromOnnx("Add", attributes, opset), false);
    }

    /** A FusedAdd as Minnow's native format stores it (no attributes). */
    public static Add fromOnnxFused(Attributes attributes) {
        attributes.requireOnly("FusedAdd");
        return new Add(NUMPY, true);
    }

    /** {@code max(A + B, 0)}: this Add with a ReLU fused into its output (numpy broadcasting only). */
    public Add withRelu() {
        if (legacyBroadcastAxis().isPresent()) {
            throw new IllegalArgumentException("an Add with a legacy broadcast axis cannot be fused with a ReLU");
        }
        return new Add(NUMPY, true);
    }

    /** Whether a ReLU is fused into the output. */
    public boolean hasRelu() {
        return relu;
    }

    @Override
    boolean reluAfter() {
        return relu;
    }

    @Override
    public String opType() {
        return relu ? "FusedAdd" : "Add";
    }

    @Override
    public String domain() {
        return relu ? OpRegistry.NATIVE_DOMAIN : "";
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && ((Add) o).relu == relu;
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + (relu ? 1 : 0);
    }
}
