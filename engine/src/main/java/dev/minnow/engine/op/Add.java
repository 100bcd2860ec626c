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
 */
public final class Add extends ElementwiseBinary {

    public Add() {
        super(Operation.ADD, NUMPY);
    }

    private Add(int legacyAxis) {
        super(Operation.ADD, legacyAxis);
    }

    /** Reads a Add node; opsets 1-6 may carry the legacy {@code broadcast}/{@code axis} attributes. */
    public static Add fromOnnx(Attributes attributes, int opset) {
        return new Add(legacyAxisFromOnnx("Add", attributes, opset));
    }

    @Override
    public String opType() {
        return "Add";
    }
}
