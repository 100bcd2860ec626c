package dev.minnow.zoo.cli;

import dev.minnow.compression.prune.AgpPruner;
import dev.minnow.compression.prune.AgpSchedule;
import dev.minnow.compression.prune.FineTuning;
import dev.minnow.compression.prune.IterativePruner;
import dev.minnow.compression.prune.MagnitudePruner;
import dev.minnow.compression.prune.PrunableWeights;
import dev.minnow.compression.prune.Sensitivity;
import dev.minnow.compression.prune.SparsityReport;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.AtomicFile;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.Regularization;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code minnow prune}: magnitude pruning with fine-tuning, in one of five ways (docs/pruning.md). */
final class PruneCommand implements Command {
    static final double DEFAULT_TOLERANCE = 0.005;

    private static final ArgSpec SPEC = FineTuneOptions.add(DataOptions.add(ArgSpec.builder("prune", """
            Prunes the weights of a classifier's convolutions and fully connected layers by
            magnitude, fine-tunes it with the pruned weights held at zero, and saves it. Give exactly
            one way of pruning: --sparsity (per layer), --quality (Han et al.'s threshold q x std of
            each layer), --global (one threshold over all layers), --agp (gradually during the
            fine-tuning, Zhu & Gupta's schedule) or --sensitivity (per-layer sparsities chosen by a
            sensitivity analysis on 1/6 of the training images, each layer as sparse as it can be
            while losing at most --tolerance accuracy alone, or sharing out the overall sparsity
            --target by sensitivity). --sparsity and --quality take one value
            for every layer or a list such as fc1=0.9,fc2=0.8 (layer or weight names, or the kinds
            conv and fc); layers not named stay dense. Prints the sparsity of every layer and the
            test accuracy before pruning, right after it, and after fine-tuning. The saved file is
            dense with zeros (a .mnw, or ONNX when FILE ends in .onnx); ./minnow compress stores it
            compactly, and Minnow runs it with sparse kernels.

            Structured pruning (--filters or --macs) removes whole filters and neurons instead,
            with the batch-norm channels and the inputs of every layer that reads them, across
            Add, Concat, depthwise and grouped convolutions and channel shuffles (dependency
            groups; docs/structured-pruning.md): the result is a smaller dense network, faster
            everywhere and exportable to ONNX. Filters are ranked by L1 norm (or --ranking
            activation: mean activation on a few training batches). Prints the parameters and
            MACs before and after, and the accuracy when data fits the model.""")
            .argument("MODEL", "a .mnw or .onnx file, or a zoo name")
            .option("out", "FILE", "where to save the pruned model (.mnw, or .onnx)")
            .option("sparsity", "S", "fraction of each layer's weights to prune: 0.9, or NAME=S,...")
            .option("quality", "Q", "prune |w| < Q x std(w) in each layer: 1.0, or NAME=Q,...")
            .option("global", "S", "prune the fraction S of all prunable weights with one magnitude threshold")
            .option("agp", "S", "prune gradually to S per layer during fine-tuning (needs --finetune-epochs >= 1)")
            .flag("sensitivity", "choose each layer's sparsity from a sensitivity analysis")
            .option("tolerance", "T", "accuracy each layer may lose alone with --sensitivity (default: 0.005)")
            .option("target", "S", "with --sensitivity: reach the overall sparsity S instead, sharing it out by"
                    + " sensitivity")
            .option("rounds", "R", "iterative pruning: R rounds of prune + fine-tune (with --sparsity or --sensitivity)")
            .option("l1", "L", "first train --finetune-epochs epochs with an L1 penalty L, then prune")
            .option("filters", "F", "structured: remove the fraction F of the filters of every dependency group")
            .option("macs", "M", "structured: remove (at least) the fraction M of the convolution MACs")
            .option("allocation", "A", "with --macs: uniform (same fraction everywhere, default) or greedy (one L1 ranking over all layers)")
            .option("min-keep", "K", "with --allocation greedy: every layer keeps at least K of its channels (default: 0.1)")
            .option("remove-branches", "N", "structured: also remove the N weakest residual branches whole (smallest BN"
                    + " scale x filter norm of their last conv), leaving their shortcuts")
            .flag("groups", "structured: print the dependency groups (layers whose filters go together, and why some cannot)")
            .option("round-to", "N", "structured, uniform: each group keeps a multiple of N channels (default: 1)")
            .option("ranking", "R", "structured: l1 (filter norms, default) or activation (mean activation, needs data)")))
            .example("minnow prune lenet300.mnw --sparsity 0.9 --out lenet300-90.mnw", "every layer at 90 %")
            .example("minnow prune lenet300.mnw --quality fc1=1.5,fc2=1.2,fc3=0.8 --finetune-epochs 5 --out p.mnw", "")
            .example("minnow prune lenet5.mnw --sensitivity --tolerance 0.01 --rounds 3 --out p.mnw", "")
            .example("minnow prune lenet300.mnw --sensitivity --target 0.95 --finetune-epochs 6 --out p.mnw", "")
            .example("minnow prune lenet300.mnw --agp 0.95 --finetune-epochs 10 --out p.mnw --json", "")
            .example("minnow prune resnet18 --macs 0.5 --out resnet18-half.onnx", "half the conv MACs of ResNet-18, as ONNX")
            .example("minnow prune vgg.mnw --filters 0.3 --finetune-epochs 2 --out vgg-30.mnw", "30 % of the filters, fine-tuned")
            .build();

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public String summary() {
        return "prune a model's weights by magnitude (per layer, global, gradual, by sensitivity) or its filters, and fine-tune it";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String mode = mode(args);
        if (mode.equals("filters") || mode.equals("macs")) {
            return FilterPruning.run(args, mode, out, err);
        }
        for (String structured : new String[] {"allocation", "min-keep", "ranking", "round-to", "groups", "remove-branches"}) {
            if (args.flag(structured)) {
                throw CliException.usage("--" + structured + " goes with --filters or --macs (structured pruning)");
            }
        }
        Path file = args.pathOption("out");
        if (file == null) {
            throw CliException.usage("--out FILE is required: where to save the pruned model");
        }
        int rounds = args.intOption("rounds", 1, 1);
        if (rounds > 1 && !mode.equals("sparsity") && !mode.equals("sensitivity")) {
            throw CliException.usage("--rounds goes with --sparsity or --sensitivity (per-layer targets), not --" + mode);
        }
        Float l1 = args.option("l1") == null ? null : TrainCommand.parseFloat(args.option("l1"), "l1");
        if (l1 != null && mode.equals("agp")) {
            throw CliException.usage("--l1 trains before pruning; --agp prunes while training: give one of them");
        }
        if (args.option("target") != null && !mode.equals("sensitivity")) {
            throw CliException.usage("--target goes with --sensitivity");
        }
        Double target = args.option("target") == null ? null : FineTuneOptions.fraction(args.option("target"), "target");
        double tolerance = args.option("tolerance") == null ? DEFAULT_TOLERANCE
                : FineTuneOptions.fraction(args.option("tolerance"), "tolerance");
        PrintStream log = args.json() ? err : out;
        FineTuning fineTuning = FineTuneOptions.fineTuning(args, log);
        if (mode.equals("agp") && fineTuning.config().epochs() == 0) {
            throw CliException.usage("--agp prunes during fine-tuning: give --finetune-epochs 1 or more");
        }

        ModelSource.Loaded model = ModelSource.load(args.positional(0));
        Graph g = model.graph();
        List<String> layers = PrunableWeights.of(g);
        if (layers.isEmpty()) {
            throw CliException.badInput(model.source() + " has no prunable weights (convolution filters or fully"
                    + " connected matrices that are trainable initializers)");
        }
        Map<String, Double> sparsityTargets = mode.equals("sparsity") ? layerValues(g, args.option("sparsity"), "sparsity", true) : null;
        Map<String, Float> qualities = null;
        if (mode.equals("quality")) {
            qualities = new LinkedHashMap<>();
            for (Map.Entry<String, Double> e : layerValues(g, args.option("quality"), "quality", false).entrySet()) {
                qualities.put(e.getKey(), e.getValue().floatValue());
            }
        }
        int threads = FineTuneOptions.threads(args);
        FashionMnist.Split data = DataOptions.load(args, FineTuneOptions.normalization(model));
        long start = System.nanoTime();
        log.printf(Locale.ROOT, "pruning %s: %,d prunable weights in %d layers; %s on %s%n", model.source(),
                MagnitudePruner.sparsity(g).weights(), layers.size(), describe(mode, args),
                DataOptions.describe(args));
        double baseline = Evaluation.of(g, data.test(), 256, threads).accuracy();
        log.printf(Locale.ROOT, "baseline test accuracy %.2f %%%n", 100 * baseline);

        Map<String, Object> json = new LinkedHashMap<>();
        double l1Accuracy = Double.NaN;
        if (l1 != null) {
            FineTuning l1Phase = FineTuneOptions.phase(args, fineTuning.config().epochs(), FineTuneOptions.learningRate(args),
                    new Regularization(l1, 0f), log);
            log.printf(Locale.ROOT, "training with an L1 penalty of %s: %s%n", l1, FineTuneOptions.describe(l1Phase));
            l1Phase.run(g, null, data.train(), null);
            l1Accuracy = Evaluation.of(g, data.test(), 256, threads).accuracy();
            log.printf(Locale.ROOT, "after L1 training: test accuracy %.2f %%, %.2f %% of the weights below 1e-3%n",
                    100 * l1Accuracy, 100 * nearZero(g, layers, 1e-3f));
        }

        double pruned = Double.NaN;
        List<Map<String, Object>> roundsJson = new ArrayList<>();
        if (mode.equals("sensitivity")) {
            int holdout = Math.max(1, data.train().size() / 6);
            ImageDataset check = data.train().slice(data.train().size() - holdout, data.train().size());
            log.printf(Locale.ROOT, "sensitivity analysis on the last %,d training images ...%n", holdout);
            Sensitivity.Result s = Sensitivity.analyse(g, layers, target != null ? Sensitivity.EXTENDED_SPARSITIES
                    : Sensitivity.DEFAULT_SPARSITIES, check, threads, log);
            if (target != null) {
                Map<String, Long> sizes = new LinkedHashMap<>();
                layers.forEach(l -> sizes.put(l, (long) g.initializer(l).size()));
                sparsityTargets = s.chooseForSparsity(target, sizes);
                double reached = Sensitivity.Result.overall(sparsityTargets, sizes);
                log.println("chosen sparsities for " + percent(target) + " overall: " + targetsText(sparsityTargets)
                        + (reached < target - 1e-9 ? " (only " + percent(reached) + ": the grid's highest sparsities)" : ""));
            } else {
                sparsityTargets = s.choose(tolerance);
                log.println("chosen sparsities (at most " + percent(tolerance) + " lost per layer alone): "
                        + targetsText(sparsityTargets));
            }
            json.put("chosen", sparsityTargets);
        }
        if (mode.equals("agp")) {
            double agpTarget = FineTuneOptions.fraction(args.option("agp"), "agp");
            long steps = (long) fineTuning.config().epochs() * (data.train().size() / Math.min(fineTuning.config().batchSize(),
                    data.train().size()));
            AgpSchedule schedule = AgpSchedule.over(steps, agpTarget, 0.75, 40);
            log.printf(Locale.ROOT, "fine-tuning with gradual pruning to %s over the first 3/4 of %d steps, every %d steps: %s%n",
                    percent(agpTarget), steps, schedule.frequency(), FineTuneOptions.describe(fineTuning));
            fineTuning.run(g, null, data.train(), data.test(), t -> AgpPruner.uniform(g, t, schedule));
        } else if (rounds > 1) {
            IterativePruner.Result r = IterativePruner.run(g, sparsityTargets, rounds, fineTuning, data.train(), data.test());
            for (IterativePruner.Round round : r.rounds()) {
                log.printf(Locale.ROOT, "round %d/%d: sparsity %.2f %%, accuracy %.2f %% pruned, %.2f %% fine-tuned%n",
                        round.round(), rounds, 100 * round.sparsity(), 100 * round.prunedAccuracy(), 100 * round.accuracy());
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("round", round.round());
                j.put("sparsity", round.sparsity());
                j.put("pruned_accuracy", round.prunedAccuracy());
                j.put("accuracy", round.accuracy());
                roundsJson.add(j);
            }
            pruned = r.rounds().get(0).prunedAccuracy();
        } else {
            Map<String, Tensor> masks = switch (mode) {
                case "quality" -> MagnitudePruner.byQuality(g, qualities);
                case "global" -> MagnitudePruner.global(g, FineTuneOptions.fraction(args.option("global"), "global"));
                default -> MagnitudePruner.bySparsity(g, sparsityTargets);
            };
            MagnitudePruner.apply(g, masks);
            pruned = Evaluation.of(g, data.test(), 256, threads).accuracy();
            log.printf(Locale.ROOT, "pruned to %.2f %% sparsity: test accuracy %.2f %% before fine-tuning%n",
                    100 * MagnitudePruner.sparsity(g).overall(), 100 * pruned);
            if (fineTuning.config().epochs() > 0) {
                log.println("fine-tuning: " + FineTuneOptions.describe(fineTuning));
                fineTuning.run(g, masks, data.train(), data.test());
            }
        }
        double accuracy = Evaluation.of(g, data.test(), 256, threads).accuracy();
        SparsityReport report = MagnitudePruner.sparsity(g);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("pruning", describe(mode, args) + ", fine-tuning " + FineTuneOptions.describe(fineTuning));
        meta.put("pruned_from", model.source());
        meta.put("sparsity", Double.toString(report.overall()));
        meta.put("test_accuracy", Double.toString(accuracy));
        save(g, FineTuneOptions.metadata(model, meta), file);
        double seconds = (System.nanoTime() - start) / 1e9;

        if (args.json()) {
            json.put("model", model.source());
            json.put("mode", mode);
            json.put("baseline_accuracy", baseline);
            if (l1 != null) {
                json.put("l1_accuracy", l1Accuracy);
            }
            json.put("pruned_accuracy", pruned);
            json.put("accuracy", accuracy);
            json.put("sparsity", report.overall());
            json.put("weights", report.weights());
            json.put("kept", report.weights() - report.zeros());
            json.put("layers", layersJson(report));
            if (!roundsJson.isEmpty()) {
                json.put("rounds", roundsJson);
            }
            json.put("finetune_epochs", fineTuning.config().epochs());
            json.put("seconds", seconds);
            json.put("out", file.toString());
            out.println(JsonWriter.write(json));
        } else {
            out.print(report.table());
            out.printf(Locale.ROOT, "test accuracy: %.2f %% before pruning, %s right after, %.2f %% after fine-tuning"
                    + " (%+.2f points); %.2f %% of the weights pruned (%.1fx fewer); saved %s%n", 100 * baseline,
                    Double.isNaN(pruned) ? "-" : String.format(Locale.ROOT, "%.2f %%", 100 * pruned), 100 * accuracy,
                    100 * (accuracy - baseline), 100 * report.overall(),
                    1 / Math.max(1e-12, 1 - report.overall()), file);
        }
        return CliException.OK;
    }

    /** Which of the five ways was given (exactly one). */
    static String mode(Args args) throws CliException {
        List<String> given = new ArrayList<>();
        for (String m : new String[] {"sparsity", "quality", "global", "agp", "filters", "macs"}) {
            if (args.option(m) != null) {
                given.add(m);
            }
        }
        if (args.flag("sensitivity")) {
            given.add("sensitivity");
        }
        if (given.size() != 1) {
            throw CliException.usage("give exactly one of --sparsity, --quality, --global, --agp, --sensitivity, --filters or --macs"
                    + (given.isEmpty() ? "" : " (got --" + String.join(", --", given) + ")"));
        }
        return given.get(0);
    }

    /**
     * "0.9" for every prunable layer, or "fc1=0.9,fc2.weight=0.8,conv=0.5": a weight name, a layer
     * name (the weight {@code NAME.weight}) or a kind ({@code conv}, {@code fc}); later entries win.
     */
    static Map<String, Double> layerValues(Graph g, String spec, String option, boolean fraction) throws CliException {
        Map<String, PrunableWeights.Kind> kinds = PrunableWeights.kinds(g);
        Map<String, Double> values = new LinkedHashMap<>();
        if (!spec.contains("=")) {
            double v = value(spec, option, fraction);
            kinds.keySet().forEach(k -> values.put(k, v));
            return values;
        }
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw CliException.usage("--" + option + " expects NAME=VALUE pairs separated by commas, got '" + part + "'");
            }
            String name = kv[0].trim();
            double v = value(kv[1], option, fraction);
            boolean matched = false;
            for (Map.Entry<String, PrunableWeights.Kind> e : kinds.entrySet()) {
                if (e.getKey().equals(name) || e.getKey().equals(name + ".weight") || e.getValue().label().equals(name)) {
                    values.put(e.getKey(), v);
                    matched = true;
                }
            }
            if (!matched) {
                throw CliException.usage("--" + option + ": '" + name + "' is not a prunable layer; prunable: "
                        + String.join(", ", kinds.keySet()) + " (or conv, fc)");
            }
        }
        return values;
    }

    private static double value(String v, String option, boolean fraction) throws CliException {
        if (fraction) {
            return FineTuneOptions.fraction(v, option);
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CliException.usage("--" + option + " expects a number >= 0, got '" + v + "'");
    }

    private static String describe(String mode, Args args) {
        String base = switch (mode) {
            case "sensitivity" -> "sensitivity-chosen per-layer sparsity (" + (args.option("target") != null
                    ? "overall " + args.option("target") : "tolerance " + args.option("tolerance", "0.005")) + ")";
            case "quality" -> "|w| < q x std(w), q = " + args.option("quality");
            default -> mode + " " + args.option(mode);
        };
        String rounds = args.option("rounds");
        String l1 = args.option("l1");
        return base + (rounds != null && !rounds.equals("1") ? ", " + rounds + " rounds" : "")
                + (l1 != null ? ", after L1 training (" + l1 + ")" : "");
    }

    private static List<Map<String, Object>> layersJson(SparsityReport report) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (SparsityReport.Layer l : report.layers()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("name", l.name());
            j.put("kind", l.kind().label());
            j.put("shape", l.shape().dims());
            j.put("weights", l.weights());
            j.put("kept", l.kept());
            j.put("sparsity", l.sparsity());
            list.add(j);
        }
        return list;
    }

    static void save(Graph g, Map<String, String> metadata, Path file) throws java.io.IOException {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            AtomicFile.write(file, OnnxWriter.toBytes(g, metadata, true));
        } else {
            ModelFile.save(g, metadata, file);
        }
    }

    private static double nearZero(Graph g, List<String> layers, float eps) {
        long n = 0;
        long small = 0;
        for (String name : layers) {
            Tensor w = g.initializer(name);
            for (int i = 0; i < w.size(); i++) {
                n++;
                if (Math.abs(w.get(i)) < eps) {
                    small++;
                }
            }
        }
        return n == 0 ? 0 : (double) small / n;
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.3g %%", 100 * fraction);
    }

    static String targetsText(Map<String, Double> targets) {
        List<String> parts = new ArrayList<>();
        targets.forEach((k, v) -> parts.add(k + "=" + String.format(Locale.ROOT, "%.3f", v)));
        return String.join(",", parts);
    }
}
