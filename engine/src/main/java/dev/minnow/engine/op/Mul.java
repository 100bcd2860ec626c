package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ArithmeticKernels.Operation;

/**
 * Element-wise product with numpy broadcasting: {@code C = A * B}, each operand indexed as
 * {@link Broadcast} describes (a size-1 dimension repeats). A per-channel scale
 * ({@code [C,1,1]} against {@code [N,C,H,W]}), attention-style gating, and shape arithmetic.
 *
 * <p>Types FLOAT, INT64, INT32, INT8, UINT8 (both operands the same; integers wrap around on
 * overflow); see {@link ElementwiseBinary}.
 *
 * <p>Backward: {@code dA = dC * B}, {@code dB = dC * A},
 * each summed over the dimensions along which that operand was broadcast (see
 * {@link ElementwiseBinary}).
 */
public final class Mul extends ElementwiseBinary {

    public Mul() {
        super(Operation.MUL, NUMPY);
    }

    private Mul(int legacyAxis) {
        super(Operation.MUL, legacyAxis);
    }

    /** Reads a Mul node; opsets 1-6 may carry the legacy {@code broadcast}/{@code axis} attributes. */
    public static Mul fromOnnx(Attributes attributes, int opset) {
        return new Mul(legacyAxisFromOnnx("Mul", attributes, opset));
    }

    @Override
    public String opType() {
        return "Mul";
    }
}
