package dev.minnow.zoo.cli;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.compression.fuse.PassResult;
import dev.minnow.compression.rebirth.DeepRebirth;
import dev.minnow.compression.rebirth.RebirthRetraining;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import dev.minnow.zoo.models.TinyInception;
import dev.minnow.zoo.train.Recipe;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code minnow rebirth}: the DeepRebirth accuracy experiment of docs/deeprebirth.md on
 * Fashion-MNIST, end to end: train a small Inception network ({@link TinyInception}), merge it
 * (streamline + branch), retrain the merged network, and compare accuracy and speed.
 */
final class RebirthCommand implements Command {

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("rebirth", """
            The DeepRebirth experiment on Fashion-MNIST. Trains a small Inception network
            (tiny_inception: an LRN stem and two Inception modules with batch norm, 2.0 M MACs
            per image) with the default recipe, saves it as DIR/original.mnw; applies streamline
            and branch merging, retrains (merged layers at 10x the base learning rate, optionally
            merge by merge), saves DIR/rebirth.mnw; then evaluates both on the test set and times
            both (batch 1, exact optimisations applied to both) and prints the comparison. The
            timing here is a quick one; minnow bench on the two files measures properly.""")
            .option("out-dir", "DIR", "where to write original.mnw and rebirth.mnw (default: .)")
            .option("epochs", "N", "epochs of the original's training (default: 10)")
            .option("retrain-epochs", "N", "epochs of retraining after merging (default: 5)")
            .flag("layerwise", "retrain merge by merge, bottom to top, --retrain-epochs after each")
            .option("lr", "LR", "base learning rate of retraining; merged layers get 10x (default: 0.005)")
            .option("batch", "B", "images per step, training and retraining (default: 64)")
            .option("seed", "S", "seed of the weights, the shuffling and the merged layers (default: 1)")
            .option("threads", "T", "threads per op (default: one per core)")
            .option("iterations", "N", "timed runs of each model at batch 1 (default: 300)"))
            .example("minnow rebirth --out-dir runs/rebirth", "the full experiment (about an hour on 2 cores)")
            .example("minnow rebirth --embedded --epochs 2 --retrain-epochs 1 --out-dir /tmp/r", "a quick try")
            .build();

    @Override
    public String name() {
        return "rebirth";
    }

    @Override
    public String summary() {
        return "the DeepRebirth experiment: train a small Inception net, merge, retrain, compare";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path dir = Path.of(args.option("out-dir", "."));
        int epochs = args.intOption("epochs", 10, 0);
        int retrainEpochs = args.intOption("retrain-epochs", 5, 0);
        long seed = args.longOption("seed", 1);
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        int iterations = args.intOption("iterations", 300, 1);
        PrintStream log = args.json() ? err : out;
        Recipe recipe = Recipe.defaultFor("tiny_inception").withEpochs(epochs).withBatch(args.intOption("batch", 64, 1));
        FashionMnist.Split data = DataOptions.load(args, recipe.norm());
        Files.createDirectories(dir);

        Graph original = TinyInception.build(data.train().classes(), 1, data.train().height(), data.train().width(), seed);
        log.printf(Locale.ROOT, "1. training tiny_inception (%,d parameters) on %s: %s%n", original.parameterCount(),
                DataOptions.describe(args), recipe.describe());
        long start = System.nanoTime();
        new Trainer(original, recipe.config(seed, threads), recipe.optimizer()).log(log).fit(data.train(), data.test());
        double trainMinutes = (System.nanoTime() - start) / 60e9;
        Evaluation before = Evaluation.of(original, data.test(), 256, threads);
        Map<String, String> meta = new LinkedHashMap<>(recipe.metadata());
        meta.put("model", "tiny_inception");
        meta.put("seed", Long.toString(seed));
        meta.put("test_accuracy", Double.toString(before.accuracy()));
        ModelFile.save(original, meta, dir.resolve("original.mnw"));

        DeepRebirth rebirth = new DeepRebirth(true, true, seed);
        TrainConfig config = FuseCommand.retrainConfig(args, retrainEpochs, seed, threads);
        log.printf(Locale.ROOT, "2. merging and retraining %d epoch%s%s (base lr %s, merged layers 10x)%n",
                retrainEpochs, retrainEpochs == 1 ? "" : "s", args.flag("layerwise") ? " per merge" : "",
                config.schedule().rate(0, 0.02));
        start = System.nanoTime();
        Graph merged;
        if (args.flag("layerwise")) {
            merged = RebirthRetraining.layerByLayer(original, rebirth, data.train(), data.test(), config,
                    FuseCommand::optimizer, log).graph();
        } else {
            PassResult r = rebirth.apply(original);
            r.changes().forEach(c -> log.println("   " + c));
            RebirthRetraining.retrain(r.graph(), r.freshParameters(), data.train(), data.test(), config,
                    FuseCommand.optimizer(), log);
            merged = r.graph();
        }
        double retrainMinutes = (System.nanoTime() - start) / 60e9;
        Evaluation after = Evaluation.of(merged, data.test(), 256, threads);
        Map<String, String> meta2 = new LinkedHashMap<>(meta);
        meta2.put("deeprebirth", "streamline+branch, seed " + seed + ", retrained " + retrainEpochs + " epochs"
                + (args.flag("layerwise") ? " per merge" : ""));
        meta2.put("test_accuracy", Double.toString(after.accuracy()));
        ModelFile.save(merged, meta2, dir.resolve("rebirth.mnw"));

        log.println("3. timing both at batch 1, " + threads + " threads, exact optimisations applied to both");
        Map<String, Shape> shape = Map.of(original.inputs().get(0).name(), Shape.of(1, 1, 28, 28));
        BenchCommand.Result tOriginal = BenchCommand.bench(GraphOptimizer.standard().optimize(original).graph(), shape,
                threads, 50, iterations);
        BenchCommand.Result tMerged = BenchCommand.bench(GraphOptimizer.standard().optimize(merged).graph(), shape,
                threads, 50, iterations);
        long macsOriginal = FuseCommand.macs(original);
        long macsMerged = FuseCommand.macs(merged);
        double speedup = tOriginal.medianMs() / tMerged.medianMs();
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("original", row(before, tOriginal, macsOriginal, original, dir.resolve("original.mnw")));
            j.put("rebirth", row(after, tMerged, macsMerged, merged, dir.resolve("rebirth.mnw")));
            j.put("accuracy_drop_points", 100 * (before.accuracy() - after.accuracy()));
            j.put("speedup", speedup);
            j.put("train_minutes", trainMinutes);
            j.put("retrain_minutes", retrainMinutes);
            out.println(JsonWriter.write(j));
        } else {
            out.printf(Locale.ROOT, "%n%-10s %10s %12s %10s %12s%n", "model", "accuracy", "MACs", "params", "median ms");
            out.printf(Locale.ROOT, "%-10s %9.2f%% %12s %10s %12.3f%n", "original", 100 * before.accuracy(),
                    SummaryCommand.scaled(macsOriginal), SummaryCommand.grouped(original.parameterCount()),
                    tOriginal.medianMs());
            out.printf(Locale.ROOT, "%-10s %9.2f%% %12s %10s %12.3f%n", "rebirth", 100 * after.accuracy(),
                    SummaryCommand.scaled(macsMerged), SummaryCommand.grouped(merged.parameterCount()),
                    tMerged.medianMs());
            out.printf(Locale.ROOT, "accuracy %+.2f points, %.2fx faster (training %.1f min, retraining %.1f min); "
                    + "saved %s and %s%n", 100 * (after.accuracy() - before.accuracy()), speedup, trainMinutes,
                    retrainMinutes, dir.resolve("original.mnw"), dir.resolve("rebirth.mnw"));
        }
        return CliException.OK;
    }

    private static Map<String, Object> row(Evaluation e, BenchCommand.Result t, long macs, Graph g, Path file) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("file", file.toString());
        r.put("accuracy", e.accuracy());
        r.put("loss", e.loss());
        r.put("macs", macs);
        r.put("params", g.parameterCount());
        r.put("median_ms", t.medianMs());
        r.put("p90_ms", t.p90Ms());
        return r;
    }
}
