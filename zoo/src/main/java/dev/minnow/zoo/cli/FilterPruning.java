package dev.minnow.zoo.cli;

import dev.minnow.compression.prune.FineTuning;
import dev.minnow.compression.structured.ChannelGroups;
import dev.minnow.compression.structured.ChannelRanking;
import dev.minnow.compression.structured.StructuredPruner;
import dev.minnow.engine.data.Batches;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Evaluation;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The structured side of {@code minnow prune} ({@code --filters} or {@code --macs}): removes whole
 * filters and neurons with their dependency groups (docs/structured-pruning.md), fine-tunes the
 * smaller dense network when data fits the model, and saves it.
 */
final class FilterPruning {
    private FilterPruning() {
    }

    static int run(Args args, String mode, PrintStream out, PrintStream err) throws Exception {
        Path file = args.pathOption("out");
        if (file == null) {
            throw CliException.usage("--out FILE is required: where to save the pruned model");
        }
        for (String unstructured : new String[] {"rounds", "l1", "target", "tolerance"}) {
            if (args.option(unstructured) != null) {
                throw CliException.usage("--" + unstructured + " goes with magnitude pruning, not --" + mode);
            }
        }
        double amount = FineTuneOptions.fraction(args.option(mode), mode);
        StructuredPruner.Allocation allocation = allocation(args.option("allocation", "uniform"));
        if (mode.equals("filters") && args.option("allocation") != null) {
            throw CliException.usage("--allocation goes with --macs (--filters removes the same share of every group)");
        }
        double minKeep = args.option("min-keep") == null ? StructuredPruner.DEFAULT_MIN_KEEP
                : FineTuneOptions.fraction(args.option("min-keep"), "min-keep");
        int roundTo = args.intOption("round-to", 1, 1);
        if (roundTo > 1 && allocation == StructuredPruner.Allocation.GREEDY) {
            throw CliException.usage("--round-to goes with --filters or the uniform allocation, not --allocation greedy");
        }
        String ranking = args.option("ranking", "l1");
        if (!ranking.equals("l1") && !ranking.equals("activation")) {
            throw CliException.usage("--ranking is l1 or activation, got '" + ranking + "'");
        }
        PrintStream log = args.json() ? err : out;
        ModelSource.Loaded model = ModelSource.load(args.positional(0));
        Graph g = model.graph();
        Shape input = inputShape(g);
        boolean dataGiven = args.flag("embedded") || args.option("data") != null;
        boolean withData = dataGiven || (input.dim(1) == 1 && input.dim(2) == 28 && input.dim(3) == 28);
        if (!withData && (args.option("finetune-epochs") != null || ranking.equals("activation"))) {
            throw CliException.usage(model.source() + " takes " + input + " inputs, not Fashion-MNIST's 1x28x28:"
                    + " fine-tuning and --ranking activation need data the model fits");
        }
        FineTuning fineTuning = withData ? FineTuneOptions.fineTuning(args, log) : null;
        int threads = FineTuneOptions.threads(args);
        FashionMnist.Split data = withData ? DataOptions.load(args, FineTuneOptions.normalization(model)) : null;
        long start = System.nanoTime();

        ChannelGroups groups = ChannelGroups.of(g);
        log.printf(Locale.ROOT, "pruning filters of %s: %d dependency groups, %,d of %,d channel classes removable%n",
                model.source(), groups.groups().size(), groups.prunableClasses(), groups.classes().size());
        if (args.flag("groups")) {
            log.print(groups.table());
        }
        double baseline = data == null ? Double.NaN : Evaluation.of(g, data.test(), 256, threads).accuracy();
        if (data != null) {
            log.printf(Locale.ROOT, "baseline test accuracy %.2f %%%n", 100 * baseline);
        }
        double[] scores = ranking.equals("l1") ? ChannelRanking.l1(groups)
                : ChannelRanking.meanActivation(groups, batches(data, 4, 64), threads);
        BitSet removed = mode.equals("filters") ? StructuredPruner.selectFraction(groups, scores, amount, roundTo)
                : StructuredPruner.selectForMacs(groups, scores, amount, allocation, minKeep, roundTo);
        int branchCount = args.intOption("remove-branches", 0, 0);
        List<String> branchNames = new ArrayList<>();
        if (branchCount > 0) {
            List<Integer> weakest = StructuredPruner.weakestBranches(groups, branchCount);
            for (int id : weakest) {
                branchNames.add(String.join("+", groups.groups().get(id).sources()));
            }
            log.printf(Locale.ROOT, "removing %d whole residual branch%s (of %d): %s%n", weakest.size(),
                    weakest.size() == 1 ? "" : "es", StructuredPruner.residualBranches(groups).size(),
                    String.join(", ", branchNames));
            removed = StructuredPruner.withWholeGroups(groups, removed, weakest);
        }
        StructuredPruner.Result result = StructuredPruner.prune(groups, removed);
        Graph pruned = result.graph();
        Map<String, Shape> shapes = Map.of(g.inputs().get(0).name(), input);
        GraphSummary before = GraphSummary.of(g, shapes);
        GraphSummary after = GraphSummary.of(pruned, shapes);
        log.printf(Locale.ROOT, "removed %,d channel classes: conv MACs %,d -> %,d (%.1f %% fewer)%n",
                removed.cardinality(), result.convMacsBefore(), result.convMacsAfter(), 100 * result.convMacReduction());

        double prunedAccuracy = Double.NaN;
        double accuracy = Double.NaN;
        if (data != null) {
            prunedAccuracy = Evaluation.of(pruned, data.test(), 256, threads).accuracy();
            log.printf(Locale.ROOT, "test accuracy right after pruning %.2f %%%n", 100 * prunedAccuracy);
            if (fineTuning.config().epochs() > 0) {
                log.println("fine-tuning: " + FineTuneOptions.describe(fineTuning));
                fineTuning.run(pruned, null, data.train(), data.test());
            }
            accuracy = Evaluation.of(pruned, data.test(), 256, threads).accuracy();
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("pruning", "structured --" + mode + " " + args.option(mode) + " (" + ranking
                + (mode.equals("macs") ? ", " + allocation.label() : "") + ")"
                + (fineTuning != null ? ", fine-tuning " + FineTuneOptions.describe(fineTuning) : ""));
        meta.put("pruned_from", model.source());
        if (data != null) {
            meta.put("test_accuracy", Double.toString(accuracy));
        }
        PruneCommand.save(pruned, FineTuneOptions.metadata(model, meta), file);
        double seconds = (System.nanoTime() - start) / 1e9;

        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model.source());
            j.put("mode", mode);
            j.put("amount", amount);
            j.put("ranking", ranking);
            if (mode.equals("macs")) {
                j.put("allocation", allocation.label());
            }
            j.put("removed_classes", removed.cardinality());
            j.put("removed_branches", branchNames);
            j.put("params_before", before.params());
            j.put("params_after", after.params());
            j.put("macs_before", before.macs());
            j.put("macs_after", after.macs());
            j.put("conv_macs_before", result.convMacsBefore());
            j.put("conv_macs_after", result.convMacsAfter());
            j.put("conv_mac_reduction", result.convMacReduction());
            if (data != null) {
                j.put("baseline_accuracy", baseline);
                j.put("pruned_accuracy", prunedAccuracy);
                j.put("accuracy", accuracy);
                j.put("finetune_epochs", fineTuning.config().epochs());
            }
            j.put("layers", layers(result));
            j.put("seconds", seconds);
            j.put("out", file.toString());
            out.println(JsonWriter.write(j));
        } else {
            out.print(result.table());
            out.printf(Locale.ROOT, "parameters %,d -> %,d (%.2fx fewer); MACs %,d -> %,d (%.2fx fewer)%n",
                    before.params(), after.params(), (double) before.params() / after.params(), before.macs(),
                    after.macs(), (double) before.macs() / after.macs());
            if (data != null) {
                out.printf(Locale.ROOT, "test accuracy: %.2f %% before pruning, %.2f %% right after, %.2f %% after"
                        + " fine-tuning (%+.2f points)%n", 100 * baseline, 100 * prunedAccuracy, 100 * accuracy,
                        100 * (accuracy - baseline));
            }
            out.println("saved " + file);
        }
        return CliException.OK;
    }

    static StructuredPruner.Allocation allocation(String v) throws CliException {
        for (StructuredPruner.Allocation a : StructuredPruner.Allocation.values()) {
            if (a.label().equals(v)) {
                return a;
            }
        }
        throw CliException.usage("--allocation is uniform or greedy, got '" + v + "'");
    }

    /** The first input's declared shape with batch 1. */
    private static Shape inputShape(Graph g) throws CliException {
        int[] d = g.inputs().get(0).shape().dims();
        if (d.length != 4) {
            throw CliException.badInput("structured pruning expects a model with an image input [N, C, H, W], found "
                    + g.inputs().get(0).shape());
        }
        d[0] = 1;
        for (int v : d) {
            if (v < 1) {
                throw CliException.badInput("the model's input " + g.inputs().get(0).shape()
                        + " has an unknown size other than the batch");
            }
        }
        return Shape.of(d);
    }

    private static List<Tensor> batches(FashionMnist.Split data, int count, int size) {
        Batches b = new Batches(data.train(), size, true, 1);
        List<Tensor> list = new ArrayList<>();
        for (int i = 0; i < count && b.hasNext(); i++) {
            list.add(b.next().copy());
        }
        return list;
    }

    private static List<Map<String, Object>> layers(StructuredPruner.Result r) {
        List<Map<String, Object>> list = new ArrayList<>();
        ChannelGroups groups = r.groups();
        for (Node n : groups.graph().nodes()) {
            if ((n.op() instanceof Conv || n.op() instanceof Gemm) && groups.isTracked(n.output())) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("name", n.name());
                j.put("outputs", groups.channels(n.output()));
                j.put("kept", groups.kept(n.output(), r.removed()).length);
                list.add(j);
            }
        }
        return list;
    }
}
