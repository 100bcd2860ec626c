package dev.minnow.compression.cluster;

import dev.minnow.engine.data.Batches;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.EpochStats;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.Optimizer;
import dev.minnow.engine.train.Parameter;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fine-tuning of the shared values after weight sharing (Han, Mao and Dally 2016, section 3.3 and
 * figure 3). Every weight {@code w_i} of a clustered layer equals the centroid {@code c_k} of its
 * code, so by the chain rule the gradient of the loss with respect to a centroid is the sum of the
 * gradients of the weights that share it:
 * <pre>
 *   dL/dc_k = sum_i  dL/dw_i * 1[code_i = k]
 * </pre>
 * Each step: the forward and backward passes of {@link Trainer#trainStep} give {@code dL/dw}
 * (the clustered weights themselves are held fixed there: learning-rate scale 0); the
 * per-code sums above become the codebook's gradient; the centroid optimizer updates the
 * codebook; and every weight is re-set to {@code c[code_i]}. The codes (and so the pruning masks,
 * code 0) never change, and the zero code stays exactly 0 (masked in the codebook). Biases and
 * other unclustered parameters train as usual with the weight optimizer.
 */
public final class CentroidFineTuning {
    private final Graph graph;
    private final Map<String, SharedWeights> layers;
    private final TrainConfig config;
    private final Trainer trainer;
    private final Optimizer centroidOptimizer;
    private final Map<String, Parameter> centroids = new LinkedHashMap<>();

    /**
     * @param graph             the clustered graph (its weights equal their centroids); trained in place
     * @param layers            the clustering of its weights
     * @param config            epochs, batch size, learning-rate schedule, seed and threads
     * @param weightOptimizer   for the unclustered parameters (biases, BN)
     * @param centroidOptimizer for the codebooks
     */
    public CentroidFineTuning(Graph graph, Map<String, SharedWeights> layers, TrainConfig config,
                              Optimizer weightOptimizer, Optimizer centroidOptimizer) {
        this.graph = graph;
        this.layers = layers;
        this.config = config;
        this.centroidOptimizer = centroidOptimizer;
        this.trainer = new Trainer(graph, config, weightOptimizer);
        for (SharedWeights s : layers.values()) {
            Parameter p = trainer.parameters().get(s.name());
            if (p == null) {
                throw new IllegalArgumentException("graph '" + graph.name() + "' has no trainable weight '" + s.name()
                        + "'");
            }
            p.setLearningRateScale(0f);
            Tensor book = s.codebook();
            Parameter c = new Parameter(s.name() + ".codebook", book, Tensor.zeros(book.shape()));
            Tensor mask = Tensor.zeros(book.shape());
            for (int k = 1; k < book.size(); k++) {
                mask.data()[k] = 1f;
            }
            c.setMask(mask).setDecay(false);
            centroids.put(s.name(), c);
            s.writeTo(graph.initializer(s.name()));
        }
    }

    /** The codebooks as parameters, by weight name (learning-rate scales, for a centroid rate of its own). */
    public Map<String, Parameter> codebooks() {
        return java.util.Collections.unmodifiableMap(centroids);
    }

    /** The trainer underneath (per-parameter settings of the unclustered parameters). */
    public Trainer trainer() {
        return trainer;
    }

    /**
     * Sums the gradient of each weight into its code's slot: {@code out[k] = sum_{i: code_i = k} grad_i},
     * and {@code out[0] = 0} (the zero code is not trained).
     */
    public static void centroidGradient(float[] grad, int offset, byte[] codes, float[] out) {
        java.util.Arrays.fill(out, 0f);
        double[] sum = new double[out.length];
        for (int i = 0; i < codes.length; i++) {
            sum[codes[i] & 0xFF] += grad[offset + i];
        }
        for (int k = 1; k < out.length; k++) {
            out[k] = (float) sum[k];
        }
    }

    /** One step on one batch: returns the batch's loss before the update. */
    public float step(Tensor x, int[] labels, float lr) {
        List<Parameter> all = new ArrayList<>(trainer.parameters().values());
        float loss = trainer.trainStep(x, labels, lr, all);
        if (!Float.isFinite(loss)) {
            return loss;
        }
        List<Parameter> books = new ArrayList<>(centroids.size());
        for (SharedWeights s : layers.values()) {
            Parameter w = trainer.parameters().get(s.name());
            Parameter c = centroids.get(s.name());
            centroidGradient(w.grad().data(), w.grad().offset(), s.codes(), c.grad().data());
            books.add(c);
        }
        centroidOptimizer.step(books, lr);
        for (SharedWeights s : layers.values()) {
            s.writeTo(graph.initializer(s.name()));
        }
        return loss;
    }

    /**
     * Fine-tunes for {@code config.epochs()} epochs.
     *
     * @param test evaluated after each epoch when not null
     * @param log  one line per epoch, or null
     */
    public List<EpochStats> fit(ImageDataset train, ImageDataset test, PrintStream log) {
        List<EpochStats> history = new ArrayList<>();
        int batch = Math.min(config.batchSize(), train.size());
        int stepsPerEpoch = train.size() / batch;
        long total = (long) stepsPerEpoch * config.epochs();
        long done = 0;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            Batches batches = new Batches(train, batch, true, config.seed() * 1_000_003L + 7919L * epoch);
            double lossSum = 0;
            float lr = 0;
            long start = System.nanoTime();
            for (int s = 0; s < stepsPerEpoch; s++) {
                Tensor x = batches.next();
                lr = config.schedule().rate(epoch, total == 0 ? 0 : (double) done / total);
                float l = step(x, batches.labels(), lr);
                if (!Float.isFinite(l)) {
                    throw new Trainer.TrainingDivergedException("centroid fine-tuning diverged: the loss became " + l
                            + " at epoch " + (epoch + 1) + ", step " + (s + 1) + " (learning rate " + lr
                            + "); lower the learning rate");
                }
                lossSum += l;
                done++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Evaluation eval = test == null ? null : Evaluation.of(graph, test, 256, config.threads());
            EpochStats stats = new EpochStats(epoch + 1, lossSum / Math.max(1, stepsPerEpoch), Double.NaN,
                    eval == null ? Double.NaN : eval.loss(), eval == null ? Double.NaN : eval.accuracy(), seconds,
                    stepsPerEpoch * (double) batch / Math.max(seconds, 1e-9), lr);
            history.add(stats);
            if (log != null) {
                log.printf(Locale.ROOT, "  centroid fine-tuning epoch %d/%d: loss %.4f%s, %.1f s%n", epoch + 1,
                        config.epochs(), stats.trainLoss(), eval == null ? ""
                                : String.format(Locale.ROOT, ", test accuracy %.2f %%", 100 * eval.accuracy()), seconds);
            }
        }
        return history;
    }
}
