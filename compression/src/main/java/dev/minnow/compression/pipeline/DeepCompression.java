package dev.minnow.compression.pipeline;

import dev.minnow.compression.cluster.CentroidFineTuning;
import dev.minnow.compression.cluster.KMeansInit;
import dev.minnow.compression.cluster.SharedWeights;
import dev.minnow.compression.cluster.WeightSharing;
import dev.minnow.compression.format.LayerSize;
import dev.minnow.compression.format.MnzFile;
import dev.minnow.compression.prune.MagnitudePruner;
import dev.minnow.compression.prune.PrunableWeights;
import dev.minnow.compression.report.HistogramChart;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.LearningRateSchedule;
import dev.minnow.engine.train.Regularization;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The three stages of Deep Compression (Han, Mao and Dally 2016) as one pipeline:
 * <ol>
 * <li><b>prune</b> the small weights ({@link PruneSpec}, one-shot or in steps) and retrain the rest
 *     with the pruned connections masked at zero;</li>
 * <li><b>share</b> weights by per-layer k-means ({@link WeightSharing}) and fine-tune the shared
 *     values ({@link CentroidFineTuning});</li>
 * <li><b>encode</b> sparse relative indices and codes with Huffman coding into a {@code .mnz}
 *     file ({@link MnzFile}), read it back and check that it computes the same outputs.</li>
 * </ol>
 * The test accuracy is measured after every stage; the report's sizes come from the file.
 */
public final class DeepCompression {

    /**
     * Everything that decides the result besides the model, the data and the seed's effects.
     *
     * @param prune         what to prune
     * @param pruneSteps    pruning steps (1 = one-shot); the target is reached by the AGP schedule
     * @param pruneEpochs   retraining epochs after pruning, spread over the steps (0 = none)
     * @param pruneLr       peak learning rate of that retraining (cosine-annealed within each step)
     * @param weightBits    code width per layer (1..8 bits: 2^bits - 1 shared values and the zero)
     * @param indexBits     relative-index width per layer (1..16 bits)
     * @param huffman       Huffman-code the streams
     * @param init          k-means initialisation
     * @param clusterEpochs centroid fine-tuning epochs (0 = none)
     * @param clusterLr     peak learning rate of the unclustered parameters during it
     * @param centroidLr    peak learning rate of the shared values (applied to summed gradients)
     * @param batch         images per step
     * @param momentum      SGD momentum (Nesterov) of both fine-tunings
     * @param weightDecay   L2 weight decay during retraining after pruning
     * @param seed          shuffling and k-means seed
     * @param threads       threads per op
     */
    public record Settings(PruneSpec prune, int pruneSteps, int pruneEpochs, float pruneLr, BitsSpec weightBits,
                           BitsSpec indexBits, boolean huffman, KMeansInit init, int clusterEpochs, float clusterLr,
                           float centroidLr, int batch, float momentum, float weightDecay, long seed, int threads) {
        public Settings {
            if (pruneSteps < 1 || pruneEpochs < 0 || clusterEpochs < 0 || batch < 1 || threads < 1) {
                throw new IllegalArgumentException("settings out of range: prune steps " + pruneSteps + ", epochs "
                        + pruneEpochs + "/" + clusterEpochs + ", batch " + batch + ", threads " + threads);
            }
        }

        /** One line for reports and the file's metadata. */
        public String describe() {
            return String.format(Locale.ROOT, "prune %s in %d step(s), retrain %d epochs lr %s; cluster %s (%s init),"
                            + " fine-tune %d epochs lr %s centroid lr %s; index %s; huffman %s; batch %d, momentum %s,"
                            + " wd %s, seed %d", prune.describe(), pruneSteps, pruneEpochs, pruneLr, weightBits.describe(),
                    init.label(), clusterEpochs, clusterLr, centroidLr, indexBits.describe(), huffman ? "on" : "off",
                    batch, momentum, weightDecay, seed);
        }
    }

    /** The report and the decoded model. */
    public record Result(CompressionReport report, MnzFile.Loaded decoded) {
    }

    private DeepCompression() {
    }

    /**
     * Runs the pipeline. The graph's weights are changed in place (pass a copy to keep the
     * original).
     *
     * @param metadata   stored in the file (every byte counts: pass only what using the model
     *                   needs, e.g. the input normalisation); "compression" and "test_accuracy"
     *                   (of the compressed model) are added
     * @param histograms directory for the weight histograms before and after clustering, or null
     * @param log        progress, or null
     */
    public static Result run(String model, Graph graph, Map<String, String> metadata, ImageDataset train,
                             ImageDataset test, Settings s, Path out, Path histograms, PrintStream log)
            throws IOException {
        PrintStream p = log != null ? log : new PrintStream(java.io.OutputStream.nullOutputStream());
        List<CompressionReport.Stage> stages = new ArrayList<>();
        long parameters = graph.parameterCount();
        Map<String, String> kinds = new LinkedHashMap<>();
        PrunableWeights.kinds(graph).forEach((w, k) -> kinds.put(w, k.label()));
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("model '" + model + "' has no convolution or fully connected weights"
                    + " to compress");
        }
        long start = System.nanoTime();
        stages.add(stage("baseline", graph, test, s, start, ""));
        p.printf(Locale.ROOT, "baseline: test accuracy %.2f %%%n", 100 * last(stages));

        // 1. pruning and retraining with masks
        Map<String, Tensor> masks = Map.of();
        if (s.prune().mode() != PruneSpec.Mode.NONE) {
            for (int t = 1; t <= s.pruneSteps(); t++) {
                start = System.nanoTime();
                masks = s.prune().masks(graph, kinds, t, s.pruneSteps());
                MagnitudePruner.apply(graph, masks);
                String note = String.format(Locale.ROOT, "%.1f %% of the weights pruned", 100 * prunedFraction(graph, kinds));
                String label = s.pruneSteps() == 1 ? "pruned" : "pruned, step " + t + "/" + s.pruneSteps();
                stages.add(stage(label, graph, test, s, start, note));
                p.printf(Locale.ROOT, "%s: %s, test accuracy %.2f %%%n", label, note, 100 * last(stages));
                int epochs = s.pruneEpochs() / s.pruneSteps() + (t <= s.pruneEpochs() % s.pruneSteps() ? 1 : 0);
                if (epochs > 0) {
                    start = System.nanoTime();
                    retrain(graph, masks, train, test, s, epochs, t, p);
                    stages.add(stage(label + " + retrained", graph, test, s, start, epochs + " epochs"));
                    p.printf(Locale.ROOT, "%s + retrained (%d epochs): test accuracy %.2f %%%n", label, epochs,
                            100 * last(stages));
                }
            }
        }
        long kept = parameters;
        for (String w : kinds.keySet()) {
            Tensor t = graph.initializer(w);
            for (int i = 0; i < t.size(); i++) {
                kept -= t.get(i) == 0f ? 1 : 0;
            }
        }
        Map<String, float[]> before = new LinkedHashMap<>();
        kinds.keySet().forEach(w -> before.put(w, nonZero(graph.initializer(w))));

        // 2. weight sharing and centroid fine-tuning
        start = System.nanoTime();
        Map<String, SharedWeights> shared = WeightSharing.cluster(graph, s.weightBits().resolve(kinds), s.init(),
                s.seed());
        Map<String, float[]> initialCentroids = new LinkedHashMap<>();
        shared.forEach((w, sw) -> initialCentroids.put(w, centroids(sw)));
        stages.add(stage("clustered", graph, test, s, start, s.weightBits().describe() + " bits, "
                + s.init().label() + " init"));
        p.printf(Locale.ROOT, "clustered (%s bits): test accuracy %.2f %%%n", s.weightBits().describe(), 100 * last(stages));
        if (s.clusterEpochs() > 0) {
            start = System.nanoTime();
            TrainConfig config = new TrainConfig(s.clusterEpochs(), s.batch(),
                    LearningRateSchedule.cosine(s.clusterLr(), 0f, 0.0), Regularization.NONE, s.seed() + 101, s.threads());
            CentroidFineTuning ft = new CentroidFineTuning(graph, shared, config,
                    new Sgd(s.momentum(), s.momentum() > 0, 0f), new Sgd(s.momentum(), s.momentum() > 0, 0f));
            ft.codebooks().values().forEach(c -> c.setLearningRateScale(s.centroidLr() / s.clusterLr()));
            ft.fit(train, test, p);
            stages.add(stage("clustered + centroids fine-tuned", graph, test, s, start, s.clusterEpochs() + " epochs"));
            p.printf(Locale.ROOT, "centroids fine-tuned: test accuracy %.2f %%%n", 100 * last(stages));
        }

        // 3. encoding, and the file read back
        start = System.nanoTime();
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("compression", "deep-compression");
        meta.put("test_accuracy", Double.toString(last(stages)));
        MnzFile.Encoded encoded = MnzFile.save(graph, meta, shared.values(), s.indexBits().resolve(kinds), s.huffman(),
                out);
        MnzFile.Loaded decoded = MnzFile.load(out);
        long fileSize = Files.size(out);
        stages.add(stage("decoded from " + out.getFileName(), decoded.graph(), test, s, start,
                String.format(Locale.ROOT, "%,d bytes", fileSize)));
        boolean identical = sameLogits(graph, decoded.graph(), test, s.threads());
        p.printf(Locale.ROOT, "wrote %s: %,d bytes; decoded test accuracy %.2f %%, outputs %s%n", out, fileSize,
                100 * last(stages), identical ? "bit-identical" : "DIFFERENT");

        if (histograms != null) {
            writeHistograms(model, histograms, before, initialCentroids, shared, graph, s.init());
        }
        List<CompressionReport.LayerRow> rows = new ArrayList<>();
        for (LayerSize size : encoded.layers()) {
            rows.add(new CompressionReport.LayerRow(kinds.get(size.name()), size));
        }
        CompressionReport report = new CompressionReport(model, s.describe(), stages, rows, parameters, kept,
                4 * parameters, fileSize, encoded.graphBytes(), identical);
        return new Result(report, decoded);
    }

    /** Retrains with the pruned weights masked; the test set is only evaluated for the log. */
    private static void retrain(Graph graph, Map<String, Tensor> masks, ImageDataset train, ImageDataset test,
                                Settings s, int epochs, int step, PrintStream log) {
        TrainConfig config = new TrainConfig(epochs, s.batch(), LearningRateSchedule.cosine(s.pruneLr(), 0f, 0.0),
                Regularization.NONE, s.seed() + step, s.threads());
        Trainer trainer = new Trainer(graph, config, new Sgd(s.momentum(), s.momentum() > 0, s.weightDecay()));
        MagnitudePruner.attach(trainer, masks);
        trainer.log(log);
        trainer.fit(train, test);
    }

    private static CompressionReport.Stage stage(String name, Graph g, ImageDataset test, Settings s, long start,
                                                 String note) {
        double acc = Evaluation.of(g, test, 256, s.threads()).accuracy();
        return new CompressionReport.Stage(name, acc, (System.nanoTime() - start) / 1e9, note);
    }

    private static double last(List<CompressionReport.Stage> stages) {
        return stages.get(stages.size() - 1).accuracy();
    }

    private static double prunedFraction(Graph g, Map<String, String> kinds) {
        long zeros = 0;
        long n = 0;
        for (String w : kinds.keySet()) {
            Tensor t = g.initializer(w);
            n += t.size();
            for (int i = 0; i < t.size(); i++) {
                zeros += t.get(i) == 0f ? 1 : 0;
            }
        }
        return n == 0 ? 0 : (double) zeros / n;
    }

    private static float[] nonZero(Tensor t) {
        int n = 0;
        for (int i = 0; i < t.size(); i++) {
            n += t.get(i) != 0f ? 1 : 0;
        }
        float[] v = new float[n];
        for (int i = 0, j = 0; i < t.size(); i++) {
            if (t.get(i) != 0f) {
                v[j++] = t.get(i);
            }
        }
        return v;
    }

    private static float[] centroids(SharedWeights s) {
        float[] c = new float[s.codebook().size() - 1];
        for (int k = 1; k < s.codebook().size(); k++) {
            c[k - 1] = s.codebook().get(k);
        }
        return c;
    }

    /** The logits of the first test batch from both graphs, compared bit for bit. */
    static boolean sameLogits(Graph a, Graph b, ImageDataset test, int threads) {
        int n = Math.min(256, test.size());
        if (n == 0) {
            return true;
        }
        Tensor x = Tensor.of(test.batchShape(n), java.util.Arrays.copyOf(test.pixels(), n * test.imageSize()));
        Map<String, dev.minnow.engine.tensor.Shape> shapes = Map.of(a.inputs().get(0).name(), x.shape());
        Tensor ya = Plan.compile(a, shapes, PlanOptions.inference().withThreads(threads)).runSingle(x).copy();
        Tensor yb = Plan.compile(b, Map.of(b.inputs().get(0).name(), x.shape()),
                PlanOptions.inference().withThreads(threads)).runSingle(x).copy();
        if (!ya.shape().equals(yb.shape())) {
            return false;
        }
        for (int i = 0; i < ya.size(); i++) {
            if (Float.floatToRawIntBits(ya.get(i)) != Float.floatToRawIntBits(yb.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static void writeHistograms(String model, Path dir, Map<String, float[]> before,
                                        Map<String, float[]> initial, Map<String, SharedWeights> shared, Graph graph,
                                        KMeansInit init)
            throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, SharedWeights> e : shared.entrySet()) {
            String w = e.getKey();
            String layer = w.endsWith(".weight") ? w.substring(0, w.length() - 7) : w;
            new HistogramChart(model + " " + layer + ": kept weights before and after weight sharing", "weight",
                    "count", 120)
                    .series("before sharing", before.get(w))
                    .series("after sharing + fine-tuning", nonZero(graph.initializer(w)))
                    .markers("k-means centroids (" + init.label() + " init)", initial.get(w))
                    .markers("fine-tuned centroids", centroids(e.getValue()))
                    .write(dir.resolve(model + "-" + layer.replaceAll("[^A-Za-z0-9_.-]", "_") + ".svg"));
        }
    }
}
