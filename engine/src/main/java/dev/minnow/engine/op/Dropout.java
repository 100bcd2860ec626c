package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Dropout (Srivastava et al. 2014): while training, each element is zeroed with probability
 * {@code ratio} and the survivors scaled by {@code 1 / (1 - ratio)}, so that the expected value is
 * unchanged; at inference it is the identity, {@code output = data}, and the optional {@code mask}
 * output is all true.
 * <pre>
 *   training:  mask_i ~ Bernoulli(1 - ratio),  output_i = mask_i * data_i / (1 - ratio)
 *   inference: output = data,  mask = true
 * </pre>
 * Opset 13 form: inputs {@code data}, optional {@code ratio} (float scalar, default 0.5) and
 * {@code training_mode} (bool scalar, default false); outputs {@code output} and optional
 * {@code mask} (BOOL). The planner lets the output share the input's storage
 * ({@link #isReshapeOfInput()}); the mask is a constant fixed at planning time.
 *
 * <p>Training-mode dropout comes with the trainer: a constant {@code training_mode = true} is
 * refused (unless {@code ratio} is a constant 0, which drops nothing), as is a training_mode
 * only known at run time.
 */
public final class Dropout implements Op {
    private final Long seed;

    /** Dropout with no fixed seed (the trainer's random source decides). */
    public Dropout() {
        this(null);
    }

    /** Dropout whose training-mode masks come from this seed ({@code null}: none). */
    public Dropout(Long seed) {
        this.seed = seed;
    }

    /**
     * Reads a Dropout node. Opsets before 12 stored {@code ratio} (and before 7 {@code is_test})
     * as attributes; neither changes inference, so they are accepted and ignored.
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
        float ratioValue = 0.5f;
        if (ratio != null) {
            OpChecks.requireType(ratio, DataType.FLOAT, "ratio");
            if (ratio.shape().size() != 1) {
                throw new IllegalArgumentException("ratio must be a scalar, found shape " + ratio.shape());
            }
            if (ratio.isConstant()) {
                ratioValue = ratio.constant().data()[ratio.constant().offset()];
                if (!(ratioValue >= 0 && ratioValue < 1)) {
                    throw new IllegalArgumentException("ratio must be in [0, 1), found " + ratioValue);
                }
            }
        }
        ValueInfo training = OpChecks.optional(inputs, 2);
        if (training != null) {
            OpChecks.requireType(training, DataType.BOOL, "training_mode");
            if (!training.isConstant()) {
                throw new IllegalArgumentException("training_mode must be a constant; a training flag known only at "
                        + "run time is not supported (training-mode Dropout comes with the trainer)");
            }
            boolean trainingMode = training.constant().byteData()[training.constant().offset()] != 0;
            boolean dropsNothing = ratio != null && ratio.isConstant() && ratioValue == 0;
            if (trainingMode && !dropsNothing) {
                throw new IllegalArgumentException("Dropout with training_mode = true is not implemented yet (it "
                        + "comes with the trainer); export the model in inference mode");
            }
        }
        byte[] allTrue = new byte[data.shape().size()];
        Arrays.fill(allTrue, (byte) 1);
        return List.of(ValueInfo.of(data.shape()),
                ValueInfo.constant(Tensor.ofBytes(data.shape(), DataType.BOOL, allTrue)));
    }

    /** Inference: copies data and sets the mask (when requested) to all true. */
    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        outputs[0].copyFrom(inputs[0]);
        if (outputs.length > 1 && outputs[1] != null) {
            ElementCopy.fill(outputs[1], 0, outputs[1].size(), 1);
        }
    }

    @Override
    public boolean isReshapeOfInput() {
        return true;
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
