package dev.minnow.zoo.train;

import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.train.LearningRateSchedule;
import dev.minnow.engine.train.Optimizer;
import dev.minnow.engine.train.Regularization;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A training recipe: everything that decides the result besides the data and the seed. Saved in
 * the model file's metadata so a model always says how it was made.
 *
 * @param epochs      passes over the training set
 * @param batch       images per step
 * @param lr          peak learning rate
 * @param momentum    SGD momentum (Nesterov)
 * @param weightDecay L2 weight decay on weights (not biases)
 * @param cosine      cosine-annealed learning rate (else constant)
 * @param norm        input normalisation
 */
public record Recipe(int epochs, int batch, float lr, float momentum, float weightDecay, boolean cosine,
                     Normalization norm) {

    /**
     * The default recipe for a zoo model, the one docs/training.md measures: SGD with Nesterov
     * momentum 0.9, weight decay 5e-4, a cosine learning-rate schedule, batch 64, inputs
     * standardised with Fashion-MNIST's mean and deviation.
     */
    public static Recipe defaultFor(String model) {
        return switch (model) {
            case "lenet300" -> new Recipe(30, 64, 0.05f, 0.9f, 5e-4f, true, Normalization.FASHION_MNIST);
            case "lenet5" -> new Recipe(20, 64, 0.05f, 0.9f, 5e-4f, true, Normalization.FASHION_MNIST);
            // the compact designs (docs/compact-designs.md): batch-normalised throughout, so the zoo's peak lr
            // suits them; depthwise layers have few weights, so they get a lighter weight decay (as in the papers)
            case "tiny_mobilenet", "tiny_shufflenet" -> new Recipe(15, 64, 0.05f, 0.9f, 4e-5f, true,
                    Normalization.FASHION_MNIST);
            case "tiny_squeezenet" -> new Recipe(15, 64, 0.05f, 0.9f, 5e-4f, true, Normalization.FASHION_MNIST);
            default -> new Recipe(15, 64, 0.05f, 0.9f, 5e-4f, true, Normalization.FASHION_MNIST);
        };
    }

    public Recipe withEpochs(int e) {
        return new Recipe(e, batch, lr, momentum, weightDecay, cosine, norm);
    }

    public Recipe withBatch(int b) {
        return new Recipe(epochs, b, lr, momentum, weightDecay, cosine, norm);
    }

    public Recipe withLearningRate(float rate) {
        return new Recipe(epochs, batch, rate, momentum, weightDecay, cosine, norm);
    }

    public Optimizer optimizer() {
        return new Sgd(momentum, momentum > 0, weightDecay);
    }

    public TrainConfig config(long seed, int threads) {
        LearningRateSchedule s = cosine ? LearningRateSchedule.cosine(lr, 0f, 0.02) : LearningRateSchedule.constant(lr);
        return new TrainConfig(epochs, batch, s, Regularization.NONE, seed, threads);
    }

    public TrainConfig config(long seed) {
        return config(seed, Parallel.defaultThreads());
    }

    /** The recipe as metadata entries (and {@code normalization} as {@code mean,std}). */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("recipe", describe());
        m.put("normalization", String.format(Locale.ROOT, "%s,%s", norm.mean(), norm.std()));
        return m;
    }

    /** "sgd nesterov momentum=0.9 lr=0.05 cosine wd=5e-4 batch=64 epochs=20". */
    public String describe() {
        return String.format(Locale.ROOT, "sgd%s momentum=%s lr=%s %s wd=%s batch=%d epochs=%d", momentum > 0
                ? " nesterov" : "", momentum, lr, cosine ? "cosine" : "constant", weightDecay, batch, epochs);
    }

    /** The normalisation recorded in a model's metadata, or {@code fallback}. */
    public static Normalization normalizationOf(Map<String, String> metadata, Normalization fallback) {
        String v = metadata.get("normalization");
        if (v == null) {
            return fallback;
        }
        String[] parts = v.split(",");
        try {
            return new Normalization(Float.parseFloat(parts[0].trim()), Float.parseFloat(parts[1].trim()));
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
