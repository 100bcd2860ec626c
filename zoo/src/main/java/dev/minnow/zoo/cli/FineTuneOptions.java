package dev.minnow.zoo.cli;

import dev.minnow.compression.prune.FineTuning;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.train.LearningRateSchedule;
import dev.minnow.engine.train.Regularization;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The fine-tuning options shared by the pruning commands ({@code --finetune-epochs}, {@code --lr},
 * {@code --batch}, {@code --seed}, {@code --threads}) and the recipe they make: SGD with Nesterov
 * momentum 0.9 and weight decay 5e-4, the learning rate cosine-annealed from {@code --lr} (default
 * 0.01, a fifth of the training recipes' peak: the weights are already good) to 0.
 */
final class FineTuneOptions {
    static final int DEFAULT_EPOCHS = 3;
    static final float DEFAULT_LR = 0.01f;

    private FineTuneOptions() {
    }

    static ArgSpec.Builder add(ArgSpec.Builder b) {
        return b.option("finetune-epochs", "N", "epochs of fine-tuning after pruning, masks kept (default: "
                        + DEFAULT_EPOCHS + ")")
                .option("lr", "LR", "fine-tuning learning rate, cosine-annealed to 0 (default: " + DEFAULT_LR + ")")
                .option("batch", "B", "images per step (default: 64)")
                .option("seed", "S", "seed of the shuffling (default: 1)")
                .option("threads", "T", "threads per op (default: one per core)");
    }

    /** The fine-tuning phase the options describe (epochs from --finetune-epochs). */
    static FineTuning fineTuning(Args args, PrintStream log) throws CliException {
        int epochs = args.intOption("finetune-epochs", DEFAULT_EPOCHS, 0);
        return phase(args, epochs, learningRate(args), Regularization.NONE, log);
    }

    /** A phase of {@code epochs} epochs with the options' batch, seed and threads. */
    static FineTuning phase(Args args, int epochs, float lr, Regularization regularization, PrintStream log)
            throws CliException {
        int batch = args.intOption("batch", 64, 1);
        long seed = args.longOption("seed", 1);
        TrainConfig config = new TrainConfig(epochs, batch, LearningRateSchedule.cosine(lr, 0f, 0), regularization,
                seed, threads(args));
        return new FineTuning(config, () -> new Sgd(0.9f, true, 5e-4f), log);
    }

    static float learningRate(Args args) throws CliException {
        return args.option("lr") == null ? DEFAULT_LR : TrainCommand.parseFloat(args.option("lr"), "lr");
    }

    static int threads(Args args) throws CliException {
        return args.intOption("threads", Parallel.defaultThreads(), 1);
    }

    /** "sgd nesterov momentum=0.9 lr=0.01 cosine wd=5e-4 batch=64 epochs=3". */
    static String describe(FineTuning f) {
        TrainConfig c = f.config();
        return String.format(Locale.ROOT, "sgd nesterov momentum=0.9 lr=%s cosine wd=5e-4 batch=%d epochs=%d",
                c.schedule().rate(0, 0), c.batchSize(), c.epochs());
    }

    /** The normalisation a model's metadata records; Fashion-MNIST's for zoo and native models without one. */
    static Normalization normalization(ModelSource.Loaded model) {
        Normalization fallback = model.kind().equals("onnx") ? Normalization.UNIT : Normalization.FASHION_MNIST;
        return dev.minnow.zoo.train.Recipe.normalizationOf(model.metadata(), fallback);
    }

    /** Parses a fraction in [0, 1] ("0.9", "90%"), saying which option was wrong. */
    static double fraction(String v, String option) throws CliException {
        String s = v.trim();
        boolean percent = s.endsWith("%");
        try {
            double d = Double.parseDouble(percent ? s.substring(0, s.length() - 1).trim() : s);
            if (percent) {
                d /= 100;
            }
            if (d >= 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CliException.usage("--" + option + " expects a fraction in [0, 1] such as 0.9 (or 90%), got '" + v + "'");
    }

    /** Keeps a command's metadata, adding or replacing entries. */
    static Map<String, String> metadata(ModelSource.Loaded model, Map<String, String> extra) {
        Map<String, String> m = new java.util.LinkedHashMap<>(model.metadata());
        m.putAll(extra);
        return m;
    }
}
