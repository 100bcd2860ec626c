package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ArithmeticKernels.Operation;

/**
 * Element-wise difference with numpy broadcasting: {@code C = A - B}, each operand indexed as
 * {@link Broadcast} describes (a size-1 dimension repeats). Mean subtraction in preprocessing
 * graphs, and shape arithmetic on int64 vectors.
 *
 * <p>Types FLOAT, INT64, INT32, INT8, UINT8 (both operands the same; integers wrap around on
 * overflow); see {@link ElementwiseBinary}.
 *
 * <p>Backward: {@code dA = dC}, {@code dB = -dC},
 * each summed over the dimensions along which that operand was broadcast (see
 * {@link ElementwiseBinary}).
 */
public final class Sub extends ElementwiseBinary {

    public Sub() {
        super(Operation.SUB, NUMPY);
    }

    private Sub(int legacyAxis) {
        super(Operation.SUB, legacyAxis);
    }

    /** Reads a Sub node; opsets 1-6 may carry the legacy {@code broadcast}/{@code axis} attributes. */
    public static Sub fromOnnx(Attributes attributes, int opset) {
        return new Sub(legacyAxisFromOnnx("Sub", attributes, opset));
    }

    @Override
    public String opType() {
        return "Sub";
    }
}
