package dev.minnow.engine.op;

import dev.minnow.engine.kernel.NormalizationKernels;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Batch normalisation (Ioffe &amp; Szegedy 2015, "Batch Normalization: Accelerating Deep Network
 * Training by Reducing Internal Covariate Shift"): each channel is normalised by a mean and a
 * variance, then scaled and shifted.
 * <pre>
 *   Y[n, c, i] = scale[c] * (X[n, c, i] - mean[c]) / sqrt(var[c] + epsilon) + B[c]
 * </pre>
 * Inputs {@code X [N, C, D1..Dr]} (r &gt;= 0, the channel axis is 1), {@code scale, B, input_mean,
 * input_var} each {@code [C]}.
 *
 * <p><b>Inference</b> uses the running statistics {@code input_mean, input_var}: one affine map per
 * channel, {@code Y = a*X + b} with {@code a = scale / sqrt(var + epsilon)} and
 * {@code b = B - a*mean}, which is why it can be folded into the preceding convolution.
 *
 * <p><b>Training</b> (when the context says {@link ExecutionContext#training()}) normalises with the
 * statistics of the batch itself, over the {@code M = N * D1 * ... * Dr} values of each channel:
 * {@code mean_b = sum X / M}, {@code var_b = sum (X - mean_b)^2 / M} (biased, as the paper
 * normalises), and updates the running statistics <em>in place</em> in the {@code input_mean} and
 * {@code input_var} tensors, with ONNX's momentum convention (the weight of the old value; ONNX
 * 0.9 is PyTorch's {@code momentum = 0.1}):
 * <pre>
 *   running_mean = momentum * running_mean + (1 - momentum) * mean_b
 *   running_var  = momentum * running_var  + (1 - momentum) * var_b * M / (M - 1)
 * </pre>
 * The running variance takes the <em>unbiased</em> batch variance, as PyTorch does (and the paper's
 * inference section prescribes, {@code Var[x] = m/(m-1) * E_B[var_B]}): the running value estimates
 * the population variance that inference divides by, so models trained here carry the same
 * statistics as PyTorch's. ONNX's own training mode below differs on this one point.
 *
 * <p><b>ONNX {@code training_mode = 1}</b> (opset 14+) makes the node itself a training step: it
 * always uses batch statistics, leaves its inputs untouched and <em>returns</em> the updated
 * statistics as outputs 1 and 2 ({@code running_mean, running_var}), following the ONNX spec to the
 * letter, including its use of the population (biased) variance {@code var_b} in
 * {@code running_var}, which the ONNX reference data check.
 *
 * <p><b>Backward.</b> On batch statistics (Ioffe &amp; Szegedy, section 3), with
 * {@code xhat = (X - mean_b) / sqrt(var_b + epsilon)}, per channel:
 * <pre>
 *   dscale = sum dY * xhat        dB = sum dY
 *   dX     = scale / sqrt(var_b + epsilon) / M * (M * dY - sum dY - xhat * sum (dY * xhat))
 * </pre>
 * (the last two terms are the paths through mean_b and var_b, which every X of the channel feeds).
 * With training_mode outputs the gradients of running_mean and running_var flow back too (to X
 * through the batch statistics, to input_mean and input_var through momentum). On running
 * statistics (a network trained with frozen BN) the map is affine: {@code dX = dY * scale / sqrt(var + epsilon)},
 * and the gradients of input_mean and input_var follow by the chain rule. The running statistics are
 * never trainable parameters ({@link #isTrainableInput}).
 *
 * <p>Not supported: the per-activation statistics of {@code spatial = 0} (opsets 7-8) and the
 * old training form {@code is_test = 0} (opsets before 7).
 */
public final class BatchNormalization implements Op {
    /** ONNX's default epsilon. */
    public static final float DEFAULT_EPSILON = 1e-5f;
    /** ONNX's default momentum. */
    public static final float DEFAULT_MOMENTUM = 0.9f;

    private final float epsilon;
    private final float momentum;
    private final boolean trainingMode;

    /**
     * What the forward pass leaves for the backward pass: the batch statistics of the last run, if
     * it used them.
     */
    private static final class State {
        final float[] mean;
        final float[] variance;
        final float[] invStd;
        boolean batchStatistics;

        State(int channels) {
            mean = new float[channels];
            variance = new float[channels];
            invStd = new float[channels];
        }
    }

    /**
     * @param epsilon      added to the variance, {@code >= 0}
     * @param momentum     weight of the old running statistic in the update (ONNX convention)
     * @param trainingMode ONNX's {@code training_mode}: always batch statistics, running statistics
     *                     returned as outputs 1 and 2 instead of updated in place
     */
    public BatchNormalization(float epsilon, float momentum, boolean trainingMode) {
        if (!(epsilon >= 0)) {
            throw new IllegalArgumentException("epsilon must be >= 0, found " + epsilon);
        }
        this.epsilon = epsilon;
        this.momentum = momentum;
        this.trainingMode = trainingMode;
    }

    public BatchNormalization(float epsilon, float momentum) {
        this(epsilon, momentum, false);
    }

    /** With ONNX's defaults: epsilon 1e-5, momentum 0.9. */
    public BatchNormalization() {
        this(DEFAULT_EPSILON, DEFAULT_MOMENTUM);
    }

    /**
     * Reads the attributes of any opset from 6 on: {@code epsilon, momentum}; {@code training_mode}
     * (14+); {@code spatial} (up to 8, must be 1); {@code is_test} (up to 6, must be 1 when present;
     * an absent one is read as inference, which is what single-output nodes mean);
     * {@code consumed_inputs} (up to 5, ignored).
     */
    public static BatchNormalization fromOnnx(Attributes a, int opset) {
        a.requireOnly("BatchNormalization", "consumed_inputs", "epsilon", "is_test", "momentum", "spatial",
                "training_mode");
        if (a.has("is_test") && a.getLong("is_test", 1) == 0) {
            throw new IllegalArgumentException("BatchNormalization with is_test = 0 (the training form of opsets "
                    + "before 7, with outputs mean, var, saved_mean, saved_var) is not supported; use opset 14+ "
                    + "training_mode = 1");
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
        long training = a.getLong("training_mode", 0);
        if (training != 0 && training != 1) {
            throw new IllegalArgumentException("BatchNormalization training_mode must be 0 or 1, found " + training);
        }
        return new BatchNormalization(a.getFloat("epsilon", DEFAULT_EPSILON), a.getFloat("momentum", DEFAULT_MOMENTUM),
                training == 1);
    }

    public float epsilon() {
        return epsilon;
    }

    public float momentum() {
        return momentum;
    }

    /** ONNX's {@code training_mode}: batch statistics always, updated running statistics as outputs. */
    public boolean trainingMode() {
        return trainingMode;
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
        if (trainingMode) {
            b.set("training_mode", 1L);
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
        if (trainingMode) {
            return List.of(ValueInfo.of(x.shape()), ValueInfo.of(Shape.of(channels)), ValueInfo.of(Shape.of(channels)));
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
        int batch = x.shape().dim(0);
        int channels = x.shape().dim(1);
        int spatial = x.shape().sizeBetween(2, x.rank());
        if (!trainingMode && !ctx.training()) {
            if (ctx.state() instanceof State s) {
                s.batchStatistics = false;
            }
            NormalizationKernels.batchNormInference(x.data(), x.offset(), y.data(), y.offset(), batch, channels,
                    spatial, scale.data(), scale.offset(), bias.data(), bias.offset(), mean.data(), mean.offset(),
                    var.data(), var.offset(), epsilon);
            return;
        }
        State s = ctx.state() instanceof State old && old.mean.length == channels ? old : new State(channels);
        ctx.setState(s);
        s.batchStatistics = true;
        // channels shared out across the threads: statistics, then the normalisation, per channel
        Parallel.forRange(parallelThreads(x, ctx), channels, (from, to) -> {
            NormalizationKernels.batchStatistics(x.data(), x.offset(), batch, channels, spatial, s.mean, 0,
                    s.variance, 0, from, to);
            for (int c = from; c < to; c++) {
                s.invStd[c] = (float) (1.0 / Math.sqrt((double) s.variance[c] + epsilon));
            }
            NormalizationKernels.batchNormInference(x.data(), x.offset(), y.data(), y.offset(), batch, channels,
                    spatial, scale.data(), scale.offset(), bias.data(), bias.offset(), s.mean, 0, s.variance, 0,
                    epsilon, from, to);
        });
        if (trainingMode) {
            // ONNX: new running statistics as outputs, population variance, inputs untouched
            runningUpdate(mean, s.mean, 1f, outputs.length > 1 ? outputs[1] : null);
            runningUpdate(var, s.variance, 1f, outputs.length > 2 ? outputs[2] : null);
        } else {
            // the trainer: in place, unbiased variance (PyTorch)
            long m = (long) batch * spatial;
            runningUpdate(mean, s.mean, 1f, mean);
            runningUpdate(var, s.variance, m > 1 ? (float) ((double) m / (m - 1)) : 1f, var);
        }
    }

    /** {@code into = momentum * running + (1 - momentum) * correction * batch}; nothing when {@code into} is null. */
    private void runningUpdate(Tensor running, float[] batch, float correction, Tensor into) {
        if (into == null) {
            return;
        }
        float[] r = running.data();
        float[] d = into.data();
        for (int c = 0; c < batch.length; c++) {
            d[into.offset() + c] = momentum * r[running.offset() + c] + (1 - momentum) * correction * batch[c];
        }
    }

    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor scale = inputs[1];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        Tensor dScale = inputGrads[1];
        Tensor dBias = inputGrads[2];
        Tensor dMean = inputGrads[3];
        Tensor dVar = inputGrads[4];
        int batch = x.shape().dim(0);
        int channels = x.shape().dim(1);
        int spatial = x.shape().sizeBetween(2, x.rank());
        if (ctx.state() instanceof State s && s.batchStatistics) {
            if (dy != null) {
                Parallel.forRange(parallelThreads(x, ctx), channels, (from, to) ->
                        NormalizationKernels.batchNormTrainingBackward(x.data(), x.offset(), dy.data(), dy.offset(),
                                dx == null ? null : dx.data(), dx == null ? 0 : dx.offset(), batch, channels, spatial,
                                scale.data(), scale.offset(), s.mean, 0, s.invStd, 0,
                                dScale == null ? null : dScale.data(), dScale == null ? 0 : dScale.offset(),
                                dBias == null ? null : dBias.data(), dBias == null ? 0 : dBias.offset(), from, to));
            }
            Tensor dRunningMean = outputGrads.length > 1 ? outputGrads[1] : null;
            Tensor dRunningVar = outputGrads.length > 2 ? outputGrads[2] : null;
            if (trainingMode && (dRunningMean != null || dRunningVar != null)) {
                if (dx != null) {
                    NormalizationKernels.batchStatisticsBackward(x.data(), x.offset(), dx.data(), dx.offset(), batch,
                            channels, spatial, s.mean, 0, dRunningMean == null ? null : dRunningMean.data(),
                            dRunningMean == null ? 0 : dRunningMean.offset(),
                            dRunningVar == null ? null : dRunningVar.data(),
                            dRunningVar == null ? 0 : dRunningVar.offset(), 1 - momentum);
                }
                addScaled(dRunningMean, momentum, dMean);
                addScaled(dRunningVar, momentum, dVar);
            }
            return;
        }
        if (dy == null) {
            return;
        }
        Tensor mean = inputs[3];
        Tensor var = inputs[4];
        NormalizationKernels.batchNormInferenceBackward(x.data(), x.offset(), dy.data(), dy.offset(),
                dx == null ? null : dx.data(), dx == null ? 0 : dx.offset(), batch, channels, spatial,
                scale.data(), scale.offset(), mean.data(), mean.offset(), var.data(), var.offset(), epsilon,
                dScale == null ? null : dScale.data(), dScale == null ? 0 : dScale.offset(),
                dBias == null ? null : dBias.data(), dBias == null ? 0 : dBias.offset(),
                dMean == null ? null : dMean.data(), dMean == null ? 0 : dMean.offset(),
                dVar == null ? null : dVar.data(), dVar == null ? 0 : dVar.offset());
    }

    /** Threads for a training pass over {@code x}: one unless it is large enough to share (64K floats). */
    private static int parallelThreads(Tensor x, ExecutionContext ctx) {
        return x.size() < 1 << 16 ? 1 : ctx.threads();
    }

    /** {@code into += factor * g}, when both are present. */
    private static void addScaled(Tensor g, float factor, Tensor into) {
        if (g == null || into == null) {
            return;
        }
        float[] gd = g.data();
        float[] d = into.data();
        for (int c = 0; c < into.size(); c++) {
            d[into.offset() + c] += factor * gd[g.offset() + c];
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /** X, scale and B are; the running statistics {@code input_mean} (3) and {@code input_var} (4) are not. */
    @Override
    public boolean isTrainableInput(int index) {
        return index < 3;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchNormalization b && Float.compare(b.epsilon, epsilon) == 0
                && Float.compare(b.momentum, momentum) == 0 && b.trainingMode == trainingMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(epsilon, momentum, trainingMode);
    }

    @Override
    public String toString() {
        return "BatchNormalization" + attributes();
    }
}
