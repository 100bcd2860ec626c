package dev.minnow.zoo.cli;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.compression.fuse.PassResult;
import dev.minnow.compression.rebirth.DeepRebirth;
import dev.minnow.compression.rebirth.RebirthRetraining;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.LearningRateSchedule;
import dev.minnow.engine.train.Regularization;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.zoo.train.Recipe;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code minnow fuse}: layer fusion and DeepRebirth on a model file (docs/fusion.md,
 * docs/deeprebirth.md): the exact optimisations, streamline merging, branch merging, and the
 * retraining that merged layers need.
 */
final class FuseCommand implements Command {

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("fuse", """
            Rewrites a model for speed and saves it. --exact applies the exact inference
            optimisations (BN folded into convolutions, ReLU/ReLU6/LeakyReLU fused into them, Add +
            ReLU fused, Dropout and Identity removed, constants folded): same outputs within float
            rounding. --streamline and --branch are DeepRebirth's merges (Li et al. 2018), which
            change the network: pooling moved into the preceding convolution's stride with LRN and
            BN dropped, and Inception modules' 1x1 and pooling branches merged into wider 3x3/5x5
            branches. Merged layers start from seeded fresh weights; --retrain-epochs N retrains on
            Fashion-MNIST (merged layers at 10x the learning rate of the others), which needs a
            model with [N, 1, 28, 28] input and 10 classes. Without retraining the result is fit
            for speed measurements only. The exact passes run last (after any retraining). With
            no flag, --exact is implied. FILE ending in .onnx is written as standard ONNX (fused
            ops lowered); otherwise as a Minnow model (.mnw), which keeps the fused ops.""")
            .argument("MODEL", "a zoo name, a .mnw or an ONNX file")
            .option("out", "FILE", "where to save the result (.mnw, or .onnx)")
            .flag("exact", "the exact inference optimisations")
            .flag("streamline", "DeepRebirth streamline merging (pool into stride; LRN, BN dropped)")
            .flag("branch", "DeepRebirth branch merging (Inception 1x1 and pool branches into 3x3/5x5)")
            .option("seed", "S", "seed of the merged layers' fresh weights and of retraining (default: 1)")
            .option("retrain-epochs", "N", "retrain the merged network for N epochs (default: 0)")
            .flag("layerwise", "retrain merge by merge, bottom to top, N epochs after each (the paper's schedule)")
            .option("lr", "LR", "base learning rate of retraining; merged layers get 10x (default: 0.005)")
            .option("batch", "B", "images per step when retraining (default: 64)")
            .option("threads", "T", "threads per op (default: one per core)"))
            .example("minnow fuse resnet18 --exact --out resnet18_fused.mnw", "BN folded, ReLU and Add+ReLU fused")
            .example("minnow fuse googlenet_bvlc --exact --streamline --branch --out rebirth.mnw",
                    "the full DeepRebirth transform, untrained (for minnow bench / profile)")
            .example("minnow fuse tiny.mnw --streamline --branch --retrain-epochs 5 --exact --out tiny_rebirth.mnw", "")
            .build();

    @Override
    public String name() {
        return "fuse";
    }

    @Override
    public String summary() {
        return "fold BN, fuse activations, DeepRebirth merges (+ retraining); save the faster model";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path file = args.pathOption("out");
        if (file == null) {
            throw CliException.usage("--out FILE is required: where to save the result");
        }
        boolean streamline = args.flag("streamline");
        boolean branch = args.flag("branch");
        boolean exact = args.flag("exact") || !streamline && !branch;
        int epochs = args.intOption("retrain-epochs", 0, 0);
        if (epochs > 0 && !streamline && !branch) {
            throw CliException.usage("--retrain-epochs retrains merged layers; add --streamline and/or --branch");
        }
        if (args.flag("layerwise") && epochs == 0) {
            throw CliException.usage("--layerwise needs --retrain-epochs N (epochs after each merge)");
        }
        long seed = args.longOption("seed", 1);
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        String model = args.positional(0);
        ModelSource.Loaded loaded = ModelSource.load(model);
        Graph graph = loaded.graph();
        PrintStream log = args.json() ? err : out;
        List<String> changes = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>(loaded.metadata());
        Evaluation eval = null;
        if (streamline || branch) {
            DeepRebirth rebirth = new DeepRebirth(streamline, branch, seed);
            if (epochs == 0) {
                PassResult r = rebirth.apply(graph);
                graph = r.graph();
                changes.addAll(r.changes());
                meta.remove("test_accuracy");
                meta.remove("test_loss");
            } else {
                Normalization norm = Recipe.normalizationOf(loaded.metadata(), Normalization.FASHION_MNIST);
                FashionMnist.Split data = DataOptions.load(args, norm);
                requireFashionMnistShape(graph, data);
                TrainConfig config = retrainConfig(args, epochs, seed, threads);
                if (args.flag("layerwise")) {
                    RebirthRetraining.Layerwise lw = RebirthRetraining.layerByLayer(graph, rebirth, data.train(),
                            data.test(), config, FuseCommand::optimizer, log);
                    graph = lw.graph();
                    lw.steps().forEach(s -> changes.addAll(s.changes()));
                } else {
                    PassResult r = rebirth.apply(graph);
                    changes.addAll(r.changes());
                    changes.forEach(c -> log.println("  " + c));
                    log.printf(Locale.ROOT, "retraining %d epochs: %d merged parameters at %.0fx the learning rate%n",
                            epochs, r.freshParameters().size(), RebirthRetraining.MERGED_LEARNING_RATE_SCALE);
                    RebirthRetraining.retrain(r.graph(), r.freshParameters(), data.train(), data.test(), config,
                            optimizer(), log);
                    graph = r.graph();
                }
                eval = Evaluation.of(graph, data.test(), 256, threads);
                meta.put("test_accuracy", Double.toString(eval.accuracy()));
                meta.put("test_loss", Double.toString(eval.loss()));
                meta.put("retraining", epochs + " epochs" + (args.flag("layerwise") ? " per merge" : "")
                        + ", lr " + config.schedule().rate(0, 0.5) + " (merged layers 10x)");
            }
            meta.put("deeprebirth", (streamline ? "streamline" : "") + (streamline && branch ? "+" : "")
                    + (branch ? "branch" : "") + ", seed " + seed);
        }
        int nodesBefore = loaded.graph().nodes().size();
        if (exact) {
            GraphOptimizer.Optimized o = GraphOptimizer.standard().optimize(graph);
            graph = o.graph();
            changes.addAll(o.log());
        }
        if (file.getFileName().toString().endsWith(".onnx")) {
            OnnxWriter.write(graph, file);
        } else {
            ModelFile.save(graph, meta, file);
        }
        Long macsBefore = macs(loaded.graph());
        Long macsAfter = macs(graph);
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model);
            j.put("out", file.toString());
            j.put("nodes_before", nodesBefore);
            j.put("nodes_after", graph.nodes().size());
            j.put("macs_before", macsBefore);
            j.put("macs_after", macsAfter);
            j.put("changes", changes);
            if (eval != null) {
                j.put("accuracy", eval.accuracy());
                j.put("loss", eval.loss());
            }
            out.println(JsonWriter.write(j));
        } else {
            if (args.verbose() || epochs == 0) {
                changes.forEach(c -> out.println("  " + c));
            }
            out.printf(Locale.ROOT, "%s: %d -> %d nodes%s%s; saved %s%n", model, nodesBefore, graph.nodes().size(),
                    macsBefore == null || macsAfter == null ? "" : ", " + SummaryCommand.scaled(macsBefore) + " -> "
                            + SummaryCommand.scaled(macsAfter) + " MACs per image",
                    eval == null ? "" : String.format(Locale.ROOT, ", test accuracy %.2f %%", 100 * eval.accuracy()),
                    file);
        }
        return CliException.OK;
    }

    /** The retraining recipe: SGD with Nesterov momentum 0.9, weight decay 5e-4, cosine schedule. */
    static TrainConfig retrainConfig(Args args, int epochs, long seed, int threads) throws CliException {
        float lr = args.option("lr") == null ? 0.005f : TrainCommand.parseFloat(args.option("lr"), "lr");
        return new TrainConfig(epochs, args.intOption("batch", 64, 1), LearningRateSchedule.cosine(lr, 0f, 0.02),
                Regularization.NONE, seed, threads);
    }

    static Sgd optimizer() {
        return new Sgd(0.9f, true, 5e-4f);
    }

    static void requireFashionMnistShape(Graph graph, FashionMnist.Split data) throws CliException {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw CliException.badInput("retraining needs a classifier with one input and one output");
        }
        Shape s = graph.inputs().get(0).shape();
        var t = data.train();
        if (s.rank() != 4 || s.dim(1) != t.channels() || s.dim(2) != t.height() || s.dim(3) != t.width()) {
            throw CliException.badInput("retraining on Fashion-MNIST needs a model with [N, " + t.channels() + ", "
                    + t.height() + ", " + t.width() + "] input; this one takes " + s + " (train one with minnow train "
                    + "or minnow rebirth)");
        }
    }

    /** MACs of one image, or null when the graph cannot be planned for batch 1. */
    static Long macs(Graph g) {
        try {
            Map<String, Shape> shapes = new LinkedHashMap<>();
            for (GraphInput in : g.inputs()) {
                int[] d = in.shape().dims();
                for (int i = 0; i < d.length; i++) {
                    d[i] = d[i] == Shape.UNKNOWN ? 1 : d[i];
                }
                shapes.put(in.name(), Shape.of(d));
            }
            return GraphSummary.of(g, shapes).macs();
        } catch (RuntimeException e) {
            return null;
        }
    }

}
