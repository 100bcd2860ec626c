package dev.minnow.engine.op;

import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Simulated quantization for quantization-aware training (Jacob et al. 2018, sec. 3; Minnow's
 * native FakeQuantize): the forward pass rounds a real tensor to the grid it will have after
 * quantization and back, so the network trains against the error it will meet,
 * <pre>
 *   q = round(x / S) + Z          y = S * (clamp(q, qmin, qmax) - Z)
 * </pre>
 * and the backward pass is the <b>straight-through estimator</b> (Bengio et al. 2013): rounding
 * has derivative 0 almost everywhere, so it is treated as the identity, except where the clamp
 * saturates:
 * <pre>
 *   dL/dx = dL/dy  where qmin <= round(x / S) + Z <= qmax,   0 elsewhere
 * </pre>
 * The parameters come from a range ({@link AffineQuantization}: symmetric when
 * {@code qmin = -qmax}, affine otherwise), in one of three ways:
 * <ul>
 *   <li>per channel along {@code axis} (weights): the range of each channel of x, recomputed at
 *       every pass (weights change as they train);</li>
 *   <li>with a second input {@code range = [min, max]} (activations): in training, the range
 *       follows the batches as an exponential moving average, {@code r = (1 - c) r + c * batch}
 *       with {@code c = momentum} (the first batch sets it), and is written back in place like
 *       BatchNormalization's running statistics; at inference it is used as stored;</li>
 *   <li>otherwise, the range of the whole tensor at each pass.</li>
 * </ul>
 * Converting a trained graph to integers reads the ranges, so the integer model uses exactly the
 * grid the training saw. Attributes: {@code qmin, qmax} (default 0, 255), {@code axis} (absent:
 * per tensor), {@code momentum} (default 0.01).
 */
public final class FakeQuantize implements Op {
    /** {@link #axis()} of a per-tensor quantizer. */
    public static final int PER_TENSOR = Integer.MIN_VALUE;

    private final int qmin;
    private final int qmax;
    private final int axis;
    private final float momentum;

    public FakeQuantize(int qmin, int qmax, int axis, float momentum) {
        if (qmin >= qmax) {
            throw new IllegalArgumentException("FakeQuantize needs qmin < qmax, found [" + qmin + ", " + qmax + "]");
        }
        if (!(momentum > 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum must lie in (0, 1], found " + momentum);
        }
        this.qmin = qmin;
        this.qmax = qmax;
        this.axis = axis;
        this.momentum = momentum;
    }

    /** Activations: uint8 affine, range tracked with momentum 0.01 (give the range as input 1). */
    public static FakeQuantize activations() {
        return new FakeQuantize(0, 255, PER_TENSOR, 0.01f);
    }

    /** Weights: int8 symmetric in [-127, 127], per output channel (axis 0) or per tensor. */
    public static FakeQuantize weights(boolean perChannel) {
        return new FakeQuantize(-127, 127, perChannel ? 0 : PER_TENSOR, 0.01f);
    }

    public static FakeQuantize fromOnnx(Attributes a) {
        a.requireOnly("FakeQuantize", "axis", "momentum", "qmax", "qmin");
        return new FakeQuantize(a.getInt("qmin", 0), a.getInt("qmax", 255),
                a.has("axis") ? a.getInt("axis", 0) : PER_TENSOR, a.getFloat("momentum", 0.01f));
    }

    public int qmin() {
        return qmin;
    }

    public int qmax() {
        return qmax;
    }

    public int axis() {
        return axis;
    }

    public boolean perChannel() {
        return axis != PER_TENSOR;
    }

    public float momentum() {
        return momentum;
    }

    /** Whether the grid is symmetric ({@code qmin = -qmax}, zero point 0). */
    public boolean symmetric() {
        return qmin == -qmax;
    }

    /** The parameters for a range, the same rule the integer conversion applies. */
    public AffineQuantization parameters(float min, float max) {
        return symmetric() ? AffineQuantization.symmetric(Math.max(Math.abs(min), Math.abs(max)), qmax)
                : AffineQuantization.fromRange(min, max, qmin, qmax);
    }

    @Override
    public String opType() {
        return "FakeQuantize";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder().set("qmin", qmin).set("qmax", qmax);
        if (axis != PER_TENSOR) {
            b.set("axis", axis);
        }
        if (momentum != 0.01f) {
            b.set("momentum", momentum);
        }
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 1, 2);
        ValueInfo x = OpChecks.require(inputs, 0, "X");
        OpChecks.requireType(x, dev.minnow.engine.tensor.DataType.FLOAT, "X");
        ValueInfo r = OpChecks.optional(inputs, 1);
        if (r != null) {
            OpChecks.requireType(r, dev.minnow.engine.tensor.DataType.FLOAT, "range");
            if (r.shape().size() != 2) {
                throw new IllegalArgumentException("range must hold [min, max], found shape " + r.shape());
            }
            if (perChannel()) {
                throw new IllegalArgumentException("a per-channel FakeQuantize computes its ranges; it takes no range input");
            }
        }
        if (perChannel()) {
            x.shape().normalizeAxis(axis);
        }
        return List.of(ValueInfo.of(x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor range = inputs.length > 1 ? inputs[1] : null;
        if (range != null && ctx.training()) {
            track(x, range);
        }
        AffineQuantization[] p = parameters(x, range);
        Layout l = layout(x.shape(), p.length);
        float[] xd = x.data();
        float[] yd = outputs[0].data();
        int xo = x.offset();
        int yo = outputs[0].offset();
        for (int o = 0; o < l.outer; o++) {
            for (int c = 0; c < l.channels; c++) {
                AffineQuantization q = p[c];
                int base = (o * l.channels + c) * l.inner;
                for (int i = 0; i < l.inner; i++) {
                    yd[yo + base + i] = q.fakeQuantize(xd[xo + base + i]);
                }
            }
        }
    }

    /** The straight-through estimator: the gradient passes where the clamp did not saturate. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        Tensor x = inputs[0];
        AffineQuantization[] p = parameters(x, inputs.length > 1 ? inputs[1] : null);
        Layout l = layout(x.shape(), p.length);
        float[] xd = x.data();
        float[] dyd = dy.data();
        float[] dxd = dx.data();
        for (int o = 0; o < l.outer; o++) {
            for (int c = 0; c < l.channels; c++) {
                AffineQuantization q = p[c];
                int base = (o * l.channels + c) * l.inner;
                for (int i = 0; i < l.inner; i++) {
                    float unclamped = (float) Math.rint(xd[x.offset() + base + i] / q.scale()) + q.zeroPoint();
                    if (unclamped >= qmin && unclamped <= qmax) {
                        dxd[dx.offset() + base + i] += dyd[dy.offset() + base + i];
                    }
                }
            }
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /** X may be a weight; the range is state, not a parameter. */
    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    /** The batch's range folded into the running one (the first batch sets it). */
    private void track(Tensor x, Tensor range) {
        float[] xd = x.data();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < x.size(); i++) {
            float v = xd[x.offset() + i];
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] r = range.data();
        int ro = range.offset();
        if (!(r[ro] <= r[ro + 1])) {
            r[ro] = min;
            r[ro + 1] = max;
        } else {
            r[ro] += momentum * (min - r[ro]);
            r[ro + 1] += momentum * (max - r[ro + 1]);
        }
    }

    /** One parameter set, or one per channel. */
    private AffineQuantization[] parameters(Tensor x, Tensor range) {
        float[] xd = x.data();
        if (range != null) {
            float[] r = range.data();
            float lo = r[range.offset()];
            float hi = r[range.offset() + 1];
            if (!(lo <= hi)) {
                throw new IllegalStateException("FakeQuantize range " + lo + ".." + hi + " is not set: run it in "
                        + "training mode (or calibrate) first");
            }
            return new AffineQuantization[] {parameters(lo, hi)};
        }
        int channels = perChannel() ? x.shape().dim(x.shape().normalizeAxis(axis)) : 1;
        Layout l = layout(x.shape(), channels);
        AffineQuantization[] p = new AffineQuantization[channels];
        for (int c = 0; c < channels; c++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int o = 0; o < l.outer; o++) {
                int base = x.offset() + (o * l.channels + c) * l.inner;
                for (int i = 0; i < l.inner; i++) {
                    min = Math.min(min, xd[base + i]);
                    max = Math.max(max, xd[base + i]);
                }
            }
            p[c] = parameters(min > max ? 0f : min, min > max ? 0f : max);
        }
        return p;
    }

    private record Layout(int outer, int channels, int inner) {
    }

    private Layout layout(Shape s, int channels) {
        if (channels == 1 && !perChannel()) {
            return new Layout(1, 1, s.size());
        }
        int a = s.normalizeAxis(axis);
        return new Layout(s.sizeBetween(0, a), s.dim(a), s.sizeBetween(a + 1, s.rank()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FakeQuantize f && f.qmin == qmin && f.qmax == qmax && f.axis == axis
                && f.momentum == momentum;
    }

    @Override
    public int hashCode() {
        return Objects.hash(qmin, qmax, axis, momentum);
    }

    @Override
    public String toString() {
        return "FakeQuantize" + attributes();
    }
}
