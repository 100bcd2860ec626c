package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ArithmeticKernels;
import dev.minnow.engine.kernel.ElementwiseKernels;
import dev.minnow.engine.kernel.ArithmeticKernels.Operation;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * What {@link Add}, {@link Sub}, {@link Mul} and {@link Div} share: {@code C = f(A, B)} element by
 * element, with numpy's multidirectional broadcasting ({@link Broadcast}), for FLOAT, INT64,
 * INT32, INT8 and UINT8 operands of the same type.
 *
 * <p>The walk over the operands is {@link Broadcast}'s (long runs, each operand advancing or
 * repeated); the loop over a run is {@link ArithmeticKernels}'. A subclass only names its
 * operation.
 *
 * <p><b>Opset 1-6.</b> Before opset 7 these ops broadcast only when the attribute
 * {@code broadcast=1} was set, and then only B onto A, with B's dimensions aligned to A's starting
 * at attribute {@code axis} (default: aligned at the end, as numpy does). {@code [2,3,4,5] + [3,4]}
 * with {@code axis=1} means B is read as {@code [3,4,1]}. The ONNX reader keeps these attributes
 * and this class reads B that way; {@link #attributes()} then returns them, as opset 13 cannot
 * express the alignment without a Reshape.
 *
 * <p><b>Backward</b> (FLOAT). Element-wise, with {@code g = dL/dC}:
 * <pre>
 *   Add: dA = g,  dB = g        Sub: dA = g,  dB = -g
 *   Mul: dA = g * B,  dB = g * A        Div: dA = g / B,  dB = -g * A / B^2
 * </pre>
 * then each operand's gradient is reduced over the dimensions along which it was repeated: a
 * {@code [C,1,1]} bias added to {@code [N,C,H,W]} receives, per channel, the sum of g over
 * {@code N, H, W}. The same {@link Broadcast} runs do this: an operand with step 0 in a run
 * collects the whole run's sum in its one element. Integer operands have no gradient.
 */
public abstract sealed class ElementwiseBinary implements Op permits Add, Sub, Mul, Div {
    /** No legacy alignment: numpy broadcasting. */
    static final int NUMPY = Integer.MIN_VALUE;

    private final Operation operation;
    private final int legacyAxis;

    ElementwiseBinary(Operation operation, int legacyAxis) {
        this.operation = operation;
        this.legacyAxis = legacyAxis;
    }

    /**
     * Reads the attributes of an opset-{@code opset} node: none from opset 7 on; before, the
     * legacy {@code broadcast} and {@code axis} (and opset 1's ignorable {@code consumed_inputs}).
     *
     * @return the legacy axis, or {@link #NUMPY}
     */
    static int legacyAxisFromOnnx(String opType, Attributes a, int opset) {
        if (opset >= 7) {
            a.requireOnly(opType);
            return NUMPY;
        }
        a.requireOnly(opType, "broadcast", "axis", "consumed_inputs");
        long broadcast = a.getLong("broadcast", 0);
        if (broadcast != 0 && broadcast != 1) {
            throw new IllegalArgumentException(opType + ": attribute broadcast must be 0 or 1, got " + broadcast);
        }
        if (broadcast == 1 && a.has("axis")) {
            return a.getInt("axis", 0);
        }
        return NUMPY;
    }

    /**
     * Whether a ReLU follows the operation inside the op (only {@link Add#withRelu()}, the
     * "FusedAdd" of ResNet's {@code relu(F(x) + x)}); such an op has no backward pass.
     */
    boolean reluAfter() {
        return false;
    }

    /** The operation this op applies. */
    public Operation operation() {
        return operation;
    }

    /** The opset-1..6 alignment axis of B, or empty when the op broadcasts like numpy (opset 7 on). */
    public OptionalInt legacyBroadcastAxis() {
        return legacyAxis == NUMPY ? OptionalInt.empty() : OptionalInt.of(legacyAxis);
    }

    @Override
    public final Attributes attributes() {
        if (legacyAxis == NUMPY) {
            return Attributes.empty();
        }
        return Attributes.builder().set("broadcast", 1L).set("axis", (long) legacyAxis).build();
    }

    @Override
    public final List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 2);
        ValueInfo a = OpChecks.require(inputs, 0, "A");
        ValueInfo b = OpChecks.require(inputs, 1, "B");
        if (a.type() != b.type()) {
            throw new IllegalArgumentException("A and B must have the same element type, found "
                    + a.type() + " and " + b.type());
        }
        if (a.type() == DataType.BOOL) {
            throw new IllegalArgumentException(opType() + " is defined for numbers, found BOOL operands");
        }
        if (reluAfter() && a.type() != DataType.FLOAT) {
            throw new IllegalArgumentException(opType() + " (an Add with a fused ReLU) is defined for FLOAT, found "
                    + a.type() + " operands");
        }
        Shape out = Broadcast.outputShape(a.shape(), alignB(a.shape(), b.shape()));
        return List.of(ValueInfo.of(a.type(), out));
    }

    @Override
    public final void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor y = outputs[0];
        if (operation == ArithmeticKernels.Operation.ADD && a.type() == DataType.FLOAT
                && a.shape().equals(b.shape())) {
            // same shapes (a residual connection): one vectorised, parallel pass
            ElementwiseKernels.add(a.data(), a.offset(), b.data(), b.offset(), y.data(), y.offset(), a.size(),
                    reluAfter(), ctx.threads());
            return;
        }
        Shape bShape = alignB(a.shape(), b.shape());
        Broadcast walk = ctx.state() instanceof Broadcast cached && cached.fits(a.shape(), bShape)
                ? cached : Broadcast.of(a.shape(), bShape);
        ctx.setState(walk);
        int len = walk.runLength();
        int as = walk.aStep();
        int bs = walk.bStep();
        try {
            for (int r = 0; r < walk.runCount(); r++) {
                int ai = a.offset() + walk.aStart(r);
                int bi = b.offset() + walk.bStart(r);
                int yi = y.offset() + r * len;
                switch (a.type()) {
                    case FLOAT -> ArithmeticKernels.floatRun(operation, a.data(), ai, as, b.data(), bi, bs,
                            y.data(), yi, len);
                    case INT64 -> ArithmeticKernels.longRun(operation, a.longData(), ai, as, b.longData(), bi, bs,
                            y.longData(), yi, len);
                    case INT32 -> ArithmeticKernels.intRun(operation, a.intData(), ai, as, b.intData(), bi, bs,
                            y.intData(), yi, len);
                    case INT8, UINT8 -> ArithmeticKernels.byteRun(operation, a.type() == DataType.UINT8,
                            a.byteData(), ai, as, b.byteData(), bi, bs, y.byteData(), yi, len);
                    case BOOL -> throw new IllegalArgumentException(opType() + " is defined for numbers, found BOOL");
                }
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("integer division by zero: " + a.type() + " divisor " + b.shape()
                    + " holds a 0", e);
        }
        if (reluAfter() && y.type() == DataType.FLOAT) {
            ElementwiseKernels.clamp(y.data(), y.offset(), y.data(), y.offset(), y.size(), 0f, Float.POSITIVE_INFINITY,
                    ctx.threads());
        }
    }

    /** Adds {@code dA} and {@code dB} (those requested), reduced over broadcast dimensions. */
    @Override
    public final void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                               ExecutionContext ctx) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor dy = outputGrads[0];
        Tensor da = inputGrads[0];
        Tensor db = inputGrads[1];
        if (dy == null || (da == null && db == null) || a.type() != DataType.FLOAT) {
            return;
        }
        Shape bShape = alignB(a.shape(), b.shape());
        Broadcast walk = ctx.state() instanceof Broadcast cached && cached.fits(a.shape(), bShape)
                ? cached : Broadcast.of(a.shape(), bShape);
        ctx.setState(walk);
        int len = walk.runLength();
        for (int r = 0; r < walk.runCount(); r++) {
            int aStart = walk.aStart(r);
            int bStart = walk.bStart(r);
            ArithmeticKernels.floatRunBackward(operation, a.data(), a.offset() + aStart, walk.aStep(),
                    b.data(), b.offset() + bStart, walk.bStep(), dy.data(), dy.offset() + r * len,
                    da == null ? null : da.data(), da == null ? 0 : da.offset() + aStart,
                    db == null ? null : db.data(), db == null ? 0 : db.offset() + bStart, len);
        }
    }

    @Override
    public final boolean hasBackward() {
        return !reluAfter();   // a fused ReLU exists only in inference graphs
    }

    /** B's shape as broadcasting sees it: unchanged, or padded with trailing 1s for a legacy axis. */
    private Shape alignB(Shape a, Shape b) {
        if (legacyAxis == NUMPY) {
            return b;
        }
        int axis = legacyAxis < 0 ? legacyAxis + a.rank() : legacyAxis;
        int trailing = a.rank() - axis - b.rank();
        if (axis < 0 || trailing < 0) {
            throw new IllegalArgumentException("legacy broadcast axis " + legacyAxis + " cannot align B " + b
                    + " inside A " + a);
        }
        int[] d = Arrays.copyOf(b.dims(), b.rank() + trailing);
        Arrays.fill(d, b.rank(), d.length, 1);
        return Shape.of(d);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((ElementwiseBinary) o).legacyAxis == legacyAxis;
    }

    @Override
    public int hashCode() {
        return getClass().hashCode() * 31 + legacyAxis;
    }

    @Override
    public String toString() {
        return opType() + (legacyAxis == NUMPY ? "" : "(legacy broadcast axis=" + legacyAxis + ")");
    }
}
