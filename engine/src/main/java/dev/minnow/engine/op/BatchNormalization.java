package dev.minnow.engine.op;

import dev.minnow.engine.kernel.NormalizationKernels;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Batch normalisation at inference (Ioffe &amp; Szegedy 2015, "Batch Normalization: Accelerating
 * Deep Network Training by Reducing Internal Covariate Shift"): each channel is normalised with the
 * running mean and variance collected during training, then scaled and shifted.
 * <pre>
 *   Y[n, c, i] = scale[c] * (X[n, c, i] - mean[c]) / sqrt(var[c] + epsilon) + B[c]
 * </pre>
 * Inputs {@code X [N, C, D1..Dr]} (r &gt;= 0, the channel axis is 1), {@code scale, B, mean, var}
 * each {@code [C]}. At inference this is one affine map per channel, {@code Y = a*X + b} with
 * {@code a = scale / sqrt(var + epsilon)} and {@code b = B - a*mean}, which is why it can be folded
 * into the weights and bias of the preceding convolution.
 *
 * <p>{@code momentum} only matters when training (running statistics are updated as
 * {@code running = momentum * running + (1 - momentum) * batch}) and is kept for export. Training
 * mode ({@code training_mode = 1}, opset 14+; {@code is_test = 0}, opsets before 7) is refused for
 * now, as are the per-activation statistics of {@code spatial = 0} (opsets 7-8).
 */
public final class BatchNormalization implements Op {
    /** ONNX's default epsilon. */
    public static final float DEFAULT_EPSILON = 1e-5f;
    /** ONNX's default momentum. */
    public static final float DEFAULT_MOMENTUM = 0.9f;

    private final float epsilon;
    private final float momentum;

    public BatchNormalization(float epsilon, float momentum) {
        if (!(epsilon >= 0)) {
            throw new IllegalArgumentException("epsilon must be >= 0, found " + epsilon);
        }
        this.epsilon = epsilon;
        this.momentum = momentum;
    }

    /** With ONNX's defaults: epsilon 1e-5, momentum 0.9. */
    public BatchNormalization() {
        this(DEFAULT_EPSILON, DEFAULT_MOMENTUM);
    }

    /**
     * Reads the attributes of any opset from 6 on: {@code epsilon, momentum}; {@code training_mode}
     * (14+, must be 0); {@code spatial} (up to 8, must be 1); {@code is_test} (up to 6, must be 1
     * when present; an absent one is read as inference, which is what single-output nodes mean);
     * {@code consumed_inputs} (up to 5, ignored).
     */
    public static BatchNormalization fromOnnx(Attributes a, int opset) {
        a.requireOnly("BatchNormalization", "consumed_inputs", "epsilon", "is_test", "momentum", "spatial",
                "training_mode");
        String training = "BatchNormalization in training mode is not supported yet (training mode comes with "
                + "the trainer)";
        if (a.getLong("training_mode", 0) != 0) {
            throw new IllegalArgumentException(training + ": training_mode = " + a.getLong("training_mode", 0));
        }
        if (a.has("is_test") && a.getLong("is_test", 1) == 0) {
            throw new IllegalArgumentException(training + ": is_test = 0");
        }
        if (a.getLong("spatial", 1) != 1) {
            throw new IllegalArgumentException("BatchNormalization with spatial = 0 (statistics per activation "
                    + "instead of per channel, opsets 7-8) is not supported");
        }
        for (String old : new String[] {"consumed_inputs", "is_test"}) {
            if (a.has(old) && opset >= 7) {
                throw new IllegalArgumentException("BatchNormalization attribute '" + old
                        + "' belongs to opsets before 7, but the model uses opset " + opset);
            }
        }
        return new BatchNormalization(a.getFloat("epsilon", DEFAULT_EPSILON), a.getFloat("momentum", DEFAULT_MOMENTUM));
    }

    public float epsilon() {
        return epsilon;
    }

    public float momentum() {
        return momentum;
    }

    @Override
    public String opType() {
        return "BatchNormalization";
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        if (Float.compare(epsilon, DEFAULT_EPSILON) != 0) {
            b.set("epsilon", epsilon);
        }
        if (Float.compare(momentum, DEFAULT_MOMENTUM) != 0) {
            b.set("momentum", momentum);
        }
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 5, 5);
        ValueInfo x = OpChecks.require(inputs, 0, "X");
        OpChecks.requireType(x, DataType.FLOAT, "X");
        if (x.shape().rank() < 2) {
            throw new IllegalArgumentException("X must be N x C x ... (rank >= 2), found shape " + x.shape());
        }
        int channels = x.shape().dim(1);
        String[] names = {"X", "scale", "B", "input_mean", "input_var"};
        for (int i = 1; i < 5; i++) {
            ValueInfo p = OpChecks.require(inputs, i, names[i]);
            OpChecks.requireType(p, DataType.FLOAT, names[i]);
            if (p.shape().rank() != 1 || p.shape().dim(0) != channels) {
                throw new IllegalArgumentException(names[i] + " must have shape [C] = [" + channels
                        + "] for X " + x.shape() + ", found " + p.shape());
            }
        }
        return List.of(ValueInfo.of(x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor scale = inputs[1];
        Tensor bias = inputs[2];
        Tensor mean = inputs[3];
        Tensor var = inputs[4];
        Tensor y = outputs[0];
        NormalizationKernels.batchNormInference(x.data(), x.offset(), y.data(), y.offset(), x.shape().dim(0),
                x.shape().dim(1), x.shape().sizeBetween(2, x.rank()), scale.data(), scale.offset(),
                bias.data(), bias.offset(), mean.data(), mean.offset(), var.data(), var.offset(), epsilon);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchNormalization b && Float.compare(b.epsilon, epsilon) == 0
                && Float.compare(b.momentum, momentum) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(epsilon, momentum);
    }

    @Override
    public String toString() {
        return "BatchNormalization" + attributes();
    }
}
