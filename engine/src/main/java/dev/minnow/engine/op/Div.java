package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ArithmeticKernels.Operation;

/**
 * Element-wise quotient with numpy broadcasting: {@code C = A / B}, each operand indexed as
 * {@link Broadcast} describes (a size-1 dimension repeats). Normalisation by a standard
 * deviation, and shape arithmetic.
 *
 * <p>Types FLOAT (IEEE: {@code x / 0} is ±inf or NaN), INT64, INT32, INT8, UINT8. Integer
 * division truncates toward zero as in C ({@code -7 / 2 = -3}, not numpy's floor {@code -4});
 * an integer division by zero fails with a message. See {@link ElementwiseBinary}.
 *
 * <p>Backward: {@code dA = dC / B}, {@code dB = -dC * A / B^2},
 * each summed over the dimensions along which that operand was broadcast (see
 * {@link ElementwiseBinary}).
 */
public final class Div extends ElementwiseBinary {

    public Div() {
        super(Operation.DIV, NUMPY);
    }

    private Div(int legacyAxis) {
        super(Operation.DIV, legacyAxis);
    }

    /** Reads a Div node; opsets 1-6 may carry the legacy {@code broadcast}/{@code axis} attributes. */
    public static Div fromOnnx(Attributes attributes, int opset) {
        return new Div(legacyAxisFromOnnx("Div", attributes, opset));
    }

    @Override
    public String opType() {
        return "Div";
    }
}
