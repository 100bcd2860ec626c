package dev.minnow.zoo.cli;

import dev.minnow.compression.lowbit.LowBitPacking;
import dev.minnow.compression.lowbit.LowBitQuantizer;
import dev.minnow.engine.train.LearningRateSchedule;
import dev.minnow.engine.train.Regularization;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ternary, binary and XNOR modes of {@code minnow quantize} (docs/lowbit-quantization.md):
 * straight-through training of the fake-quantized network for {@code --epochs} epochs (0:
 * post-training) at {@code --lr} (cosine to 0, SGD with Nesterov momentum 0.9, batch 64), then the
 * weights bit-packed ({@link LowBitQuantizer}). The first and the last layer stay float. Besides the
 * accuracy and file size that {@link QuantizeCommand} reports for every mode, these add the storage
 * of the packed layers alone ({@code lowbit_float_bytes}, {@code lowbit_packed_bytes},
 * {@code lowbit_ratio}).
 */
final class LowBitQuantize {
    private LowBitQuantize() {
    }

    /** The {@code --mode} entry of a low-bit mode. */
    static QuantizeCommand.Mode mode(LowBitQuantizer.Mode mode) {
        String help = switch (mode) {
            case TERNARY -> "TWN ternary weights {-a, 0, +a} (2 bits), a per filter, trained --epochs with the"
                    + " straight-through estimator";
            case TERNARY_PER_LAYER -> "the same with one a per layer";
            case BINARY -> "binary weights {-a, +a} (1 bit), a = E|W| per filter (BinaryConnect, XNOR-Net's a)";
            case XNOR -> "binary weights and binary inputs (XNOR-Net): XOR and popcount kernels";
        };
        return new QuantizeCommand.Mode(mode.cliName(), help, r -> apply(r, mode));
    }

    static QuantizeCommand.Outcome apply(QuantizeCommand.Request r, LowBitQuantizer.Mode mode) throws CliException {
        QuantizeCommand.Settings s = r.settings();
        if (s.epochs() > 0) {
            r.log().printf(Locale.ROOT, "%s: straight-through training, %d epoch(s), SGD lr %s cosine, %,d images%n",
                    mode.cliName(), s.epochs(), s.learningRate(), r.data().train().size());
        }
        TrainConfig config = new TrainConfig(s.epochs(), 64, LearningRateSchedule.cosine(s.learningRate(), 0f, 0),
                Regularization.NONE, 1, s.threads());
        LowBitQuantizer.Result q;
        try {
            q = LowBitQuantizer.quantize(r.model().graph(), mode, false, r.data().train(), config,
                    new Sgd(0.9f, true, 0f), r.log());
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        List<String> layers = new ArrayList<>();
        for (LowBitQuantizer.Layer l : q.layers()) {
            layers.add(l.node() + (l.xnor() ? "(xnor)" : ""));
        }
        LowBitPacking.PackedSize packed = LowBitPacking.packedSize(q.graph());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("lowbit_layers", String.join(",", layers));
        meta.put("lowbit_epochs", Integer.toString(s.epochs()));
        if (s.epochs() > 0) {
            meta.put("lowbit_learning_rate", Float.toString(s.learningRate()));
        }
        meta.put("lowbit_float_bytes", Long.toString(packed.floatBytes()));
        meta.put("lowbit_packed_bytes", Long.toString(packed.packedBytes()));
        meta.put("lowbit_ratio", String.format(Locale.ROOT, "%.2f", packed.ratio()));
        return new QuantizeCommand.Outcome(q.graph(), q.history(), meta);
    }
}
