package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Dropout (Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from
 * Overfitting"): while training, each element is zeroed with probability {@code p = ratio} and
 * the survivors scaled by {@code 1 / (1 - p)} ("inverted" dropout), so that the expected value of
 * every element is unchanged and inference needs no rescaling; at inference it is the identity.
 * <pre>
 *   training:  mask_i ~ Bernoulli(1 - p),  y_i = x_i * mask_i / (1 - p)
 *   inference: y = x,  mask = true
 *   backward:  dL/dx_i = dL/dy_i * mask_i / (1 - p)        (dL/dx = dL/dy at inference)
 * </pre>
 * The mask of a training forward is drawn from the execution context's seeded random source
 * ({@link ExecutionContext#random()}, seeded by the plan's options), so a run is reproducible,
 * and kept in the node's state for the backward pass.
 *
 * <p>Opset 13 form: inputs {@code data}, optional {@code ratio} (float scalar, default 0.5) and
 * {@code training_mode} (bool scalar, default false); outputs {@code output} and optional
 * {@code mask} (BOOL, true where kept). The node trains when the context says
 * {@link ExecutionContext#training()} (the trainer) or when {@code training_mode} is a constant
 * true; a training_mode known only at run time is not supported. ONNX's random conformance tests
 * ({@code test_training_dropout*}) feed it at run time and cannot match numpy's random generator
 * anyway. The {@code seed} attribute is kept for export only.
 *
 * <p>The output never shares the input's storage ({@link #isReshapeOfInput()} is false), since
 * whether a node trains is decided at run time; an inference forward copies. Graph passes remove
 * Dropout nodes from inference graphs.
 */
public final class Dropout implements Op {
    /** ONNX's default drop probability. */
    public static final float DEFAULT_RATIO = 0.5f;

    private final Long seed;

    /** Dropout with no seed attribute. */
    public Dropout() {
        this(null);
    }

    /** Dropout carrying ONNX's {@code seed} attribute ({@code null}: none); masks come from the context either way. */
    public Dropout(Long seed) {
        this.seed = seed;
    }

    /**
     * Reads a Dropout node. Opsets before 12 stored {@code ratio} (and before 7 {@code is_test})
     * as attributes; the ONNX reader turns the ratio into an input and drops is_test.
     */
    public static Dropout fromOnnx(Attributes attributes, int opset) {
        if (opset >= 12) {
            attributes.requireOnly("Dropout", "seed");
        } else {
            attributes.requireOnly("Dropout", "ratio", "is_test", "consumed_inputs", "seed");
        }
        return new Dropout(attributes.has("seed") ? attributes.getLong("seed", 0) : null);
    }

    /** The seed attribute, or {@code null}. */
    public Long seed() {
        return seed;
    }

    @Override
    public String opType() {
        return "Dropout";
    }

    @Override
    public Attributes attributes() {
        return seed == null ? Attributes.empty() : Attributes.builder().set("seed", seed.longValue()).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 1, 3);
        ValueInfo data = OpChecks.require(inputs, 0, "data");
        OpChecks.requireType(data, DataType.FLOAT, "data");
        ValueInfo ratio = OpChecks.optional(inputs, 1);
        if (ratio != null) {
            OpChecks.requireType(ratio, DataType.FLOAT, "ratio");
            if (ratio.shape().size() != 1) {
                throw new IllegalArgumentException("ratio must be a scalar, found shape " + ratio.shape());
            }
            if (ratio.isConstant()) {
                checkRatio(ratio.constant().data()[ratio.constant().offset()]);
            }
        }
        ValueInfo training = OpChecks.optional(inputs, 2);
        if (training != null) {
            OpChecks.requireType(training, DataType.BOOL, "training_mode");
            if (!training.isConstant()) {
                throw new IllegalArgumentException("a training_mode known only at run time is not supported: Minnow "
                        + "trains Dropout when the execution context is in training mode (the trainer) or when "
                        + "training_mode is a constant true");
            }
        }
        return List.of(ValueInfo.of(data.shape()), ValueInfo.of(DataType.BOOL, data.shape()));
    }

    private static float checkRatio(float ratio) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("ratio must be in [0, 1), found " + ratio);
        }
        return ratio;
    }

    /**
     * Training: draws a fresh mask, keeps each element with probability {@code 1 - ratio} and
     * scales the kept ones by {@code 1 / (1 - ratio)}. Inference (or a zero ratio): copies. Either
     * way, sets the mask output when requested.
     */
    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        Tensor maskOut = outputs.length > 1 ? outputs[1] : null;
        Tensor ratioInput = inputs.length > 1 ? inputs[1] : null;
        float ratio = ratioInput == null ? DEFAULT_RATIO : checkRatio(ratioInput.data()[ratioInput.offset()]);
        int n = x.size();
        Mask mask = ctx.state() instanceof Mask m && m.scale.length == n ? m : new Mask(n);
        ctx.setState(mask);
        mask.active = training(inputs, ctx) && ratio > 0;
        if (!mask.active) {
            y.copyFrom(x);
            if (maskOut != null) {
                ElementCopy.fill(maskOut, 0, n, 1);
            }
            return;
        }
        float keptScale = 1f / (1f - ratio);
        Random random = ctx.random();
        float[] xd = x.data();
        float[] yd = y.data();
        int xo = x.offset();
        int yo = y.offset();
        for (int i = 0; i < n; i++) {
            boolean keep = random.nextFloat() >= ratio; // P(keep) = 1 - ratio
            float s = keep ? keptScale : 0f;
            mask.scale[i] = s;
            yd[yo + i] = xd[xo + i] * s;
            if (maskOut != null) {
                maskOut.byteData()[maskOut.offset() + i] = (byte) (keep ? 1 : 0);
            }
        }
    }

    /** {@code dX += dY * mask / (1 - ratio)} with the last forward's mask; {@code dX += dY} if it did not drop. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        if (!(ctx.state() instanceof Mask mask) || mask.scale.length != dx.size()) {
            throw new IllegalStateException("Dropout backward needs the mask of a forward pass on the same context");
        }
        if (!mask.active) {
            ElementCopy.accumulate(dy, 0, dx, 0, dx.size());
            return;
        }
        float[] g = dy.data();
        float[] d = dx.data();
        int go = dy.offset();
        int dxo = dx.offset();
        for (int i = 0; i < mask.scale.length; i++) {
            d[dxo + i] += g[go + i] * mask.scale[i];
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /** Only {@code data} is trainable; {@code ratio} and {@code training_mode} are settings. */
    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    /** Whether this forward drops: the context trains, or training_mode is a constant true. */
    private static boolean training(Tensor[] inputs, ExecutionContext ctx) {
        Tensor mode = inputs.length > 2 ? inputs[2] : null;
        return ctx.training() || (mode != null && mode.byteData()[mode.offset()] != 0);
    }

    /**
     * The last forward's multipliers per element, {@code mask_i / (1 - ratio)} (0 or the scale), and
     * whether it dropped at all; kept in the node's state and reused from run to run.
     */
    private static final class Mask {
        final float[] scale;
        boolean active;

        Mask(int size) {
            this.scale = new float[size];
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dropout other && Objects.equals(other.seed, seed);
    }

    @Override
    public int hashCode() {
        return 31 * Dropout.class.hashCode() + Objects.hashCode(seed);
    }

    @Override
    public String toString() {
        return seed == null ? "Dropout" : "Dropout(seed=" + seed + ")";
    }
}
