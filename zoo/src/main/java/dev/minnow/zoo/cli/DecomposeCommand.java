package dev.minnow.zoo.cli;

import dev.minnow.compression.lowrank.CpDecomposition;
import dev.minnow.compression.lowrank.LayerReport;
import dev.minnow.compression.lowrank.LowRankDecomposition;
import dev.minnow.compression.lowrank.LowRankMethod;
import dev.minnow.compression.lowrank.RankRule;
import dev.minnow.compression.prune.FineTuning;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.Regularization;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code minnow decompose}: low-rank decomposition (SVD, Tucker-2, CP) with fine-tuning (docs/low-rank.md). */
final class DecomposeCommand implements Command {
    static final int DEFAULT_EPOCHS = 2;

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("decompose", """
            Replaces layers of a classifier by low-rank factorizations, fine-tunes the result and
            saves it. Give exactly one method: --svd factorizes fully connected layers (W ~ U_k S_k
            V_k^T as two thinner Gemm layers; rank by kept energy, a fixed rank, or a target
            fraction of the layer's weights); --tucker decomposes convolutions by Tucker-2 / HOSVD
            (1x1 conv to R_in channels, the kxk conv on R_in -> R_out, 1x1 conv back; ranks as a
            fraction of the channels, fixed, or by kept energy); --cp decomposes convolutions by a
            rank-R CP decomposition fitted by ALS (1x1, kx1 depthwise, 1xk depthwise, 1x1). Without
            --layers, every layer the method applies to is decomposed unless that would not make
            it smaller. Prints each layer's rank, parameters and MACs before and after and the
            relative error of its weights, and the test accuracy before decomposition, right after,
            and after fine-tuning. The saved file holds ordinary Gemm and Conv layers (a .mnw, or
            ONNX when FILE ends in .onnx).""")
            .argument("MODEL", "a .mnw or .onnx file, or a zoo name")
            .option("out", "FILE", "where to save the decomposed model (.mnw, or .onnx)")
            .option("svd", "SPEC", "fully connected layers by truncated SVD: energy=E (keep the share E of sum"
                    + " sigma^2), rank=R, or params=F (at most the fraction F of each layer's weights)")
            .option("tucker", "SPEC", "convolutions by Tucker-2: ranks=F (the fraction F of each channel count),"
                    + " in=R_IN,out=R_OUT, or energy=E")
            .option("cp", "SPEC", "convolutions by CP-ALS: rank=R[,iterations=N] (default "
                    + CpDecomposition.DEFAULT_ITERATIONS + " iterations; ALS seeded by --seed)")
            .option("layers", "A,B", "node names of the layers to decompose (default: every one that shrinks)")
            .option("finetune-epochs", "N", "epochs of fine-tuning after decomposing (default: " + DEFAULT_EPOCHS + ")")
            .option("lr", "LR", "fine-tuning learning rate, cosine-annealed to 0 (default: " + FineTuneOptions.DEFAULT_LR
                    + ")")
            .option("batch", "B", "images per step (default: 64)")
            .option("seed", "S", "seed of the shuffling and of CP's ALS start (default: 1)")
            .option("threads", "T", "threads per op (default: one per core)"))
            .example("minnow decompose lenet5.mnw --svd rank=64 --layers fc1 --out lenet5-svd.mnw",
                    "LeNet-5's fc1 (800 -> 500) as 800 -> 64 -> 500")
            .example("minnow decompose lenet5.mnw --svd params=0.2 --finetune-epochs 3 --out s.mnw --json", "")
            .example("minnow decompose lenet5.mnw --tucker in=8,out=16 --layers conv2 --out t.mnw", "")
            .example("minnow decompose lenet5.mnw --cp rank=32,iterations=500 --layers conv2 --out c.onnx", "")
            .build();

    @Override
    public String name() {
        return "decompose";
    }

    @Override
    public String summary() {
        return "factorize layers by truncated SVD, Tucker-2 or CP, then fine-tune";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path file = args.pathOption("out");
        if (file == null) {
            throw CliException.usage("--out FILE is required: where to save the decomposed model");
        }
        LowRankMethod method = method(args);
        List<String> layers = args.option("layers") == null ? List.of()
                : Arrays.stream(args.option("layers").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        int epochs = args.intOption("finetune-epochs", DEFAULT_EPOCHS, 0);
        PrintStream log = args.json() ? err : out;
        FineTuning fineTuning = FineTuneOptions.phase(args, epochs, FineTuneOptions.learningRate(args),
                Regularization.NONE, log);
        int threads = FineTuneOptions.threads(args);

        ModelSource.Loaded model = ModelSource.load(args.positional(0));
        Graph g = model.graph();
        FashionMnist.Split data = DataOptions.load(args, FineTuneOptions.normalization(model));
        long start = System.nanoTime();
        log.printf(Locale.ROOT, "decomposing %s: %s%s; %s%n", model.source(), method.describe(),
                layers.isEmpty() ? "" : " on " + String.join(", ", layers), DataOptions.describe(args));
        LowRankDecomposition.Result r;
        try {
            r = LowRankDecomposition.apply(g, method, layers);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        if (r.layers().isEmpty()) {
            throw CliException.badInput("nothing to decompose in " + model.source() + " with " + method.describe()
                    + (r.skipped().isEmpty() ? " (no layer it applies to)" : ": " + String.join("; ", r.skipped())));
        }
        double baseline = Evaluation.of(g, data.test(), 256, threads).accuracy();
        log.printf(Locale.ROOT, "baseline test accuracy %.2f %%%n", 100 * baseline);
        Graph d = r.graph();
        double decomposed = Evaluation.of(d, data.test(), 256, threads).accuracy();
        log.printf(Locale.ROOT, "decomposed %d layer%s: test accuracy %.2f %% before fine-tuning%n", r.layers().size(),
                r.layers().size() == 1 ? "" : "s", 100 * decomposed);
        if (epochs > 0) {
            log.println("fine-tuning: " + FineTuneOptions.describe(fineTuning));
            fineTuning.run(d, null, data.train(), data.test());
        }
        double accuracy = Evaluation.of(d, data.test(), 256, threads).accuracy();
        GraphSummary before = summary(g);
        GraphSummary after = summary(d);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("decomposition", method.describe() + (layers.isEmpty() ? "" : " on " + String.join(",", layers))
                + ", fine-tuning " + FineTuneOptions.describe(fineTuning));
        meta.put("decomposed_from", model.source());
        meta.put("test_accuracy", Double.toString(accuracy));
        PruneCommand.save(d, FineTuneOptions.metadata(model, meta), file);
        double seconds = (System.nanoTime() - start) / 1e9;

        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model.source());
            j.put("method", method.describe());
            j.put("layers", layersJson(r.layers()));
            j.put("skipped", r.skipped());
            j.put("params_before", before.params());
            j.put("params_after", after.params());
            j.put("macs_before", before.macs());
            j.put("macs_after", after.macs());
            j.put("baseline_accuracy", baseline);
            j.put("decomposed_accuracy", decomposed);
            j.put("accuracy", accuracy);
            j.put("finetune_epochs", epochs);
            j.put("seconds", seconds);
            j.put("out", file.toString());
            out.println(JsonWriter.write(j));
        } else {
            out.print(table(r.layers()));
            r.skipped().forEach(s -> out.println("skipped " + s));
            out.printf(Locale.ROOT, "model: %s -> %s parameters (%.2fx fewer), %s -> %s MACs per image (%.2fx fewer)%n",
                    SummaryCommand.grouped(before.params()), SummaryCommand.grouped(after.params()),
                    (double) before.params() / after.params(), SummaryCommand.scaled(before.macs()),
                    SummaryCommand.scaled(after.macs()), (double) before.macs() / after.macs());
            out.printf(Locale.ROOT, "test accuracy: %.2f %% before, %.2f %% decomposed, %.2f %% after %d epoch%s of"
                    + " fine-tuning (%+.2f points); saved %s%n", 100 * baseline, 100 * decomposed, 100 * accuracy,
                    epochs, epochs == 1 ? "" : "s", 100 * (accuracy - baseline), file);
        }
        return CliException.OK;
    }

    /** The method of exactly one of --svd, --tucker, --cp. */
    static LowRankMethod method(Args args) throws CliException {
        List<String> given = new ArrayList<>();
        for (String m : new String[] {"svd", "tucker", "cp"}) {
            if (args.option(m) != null) {
                given.add(m);
            }
        }
        if (given.size() != 1) {
            throw CliException.usage("give exactly one of --svd, --tucker or --cp" + (given.isEmpty() ? ""
                    : " (got --" + String.join(", --", given) + ")"));
        }
        String m = given.get(0);
        String spec = args.option(m);
        Map<String, String> kv = keyValues(spec, m);
        long seed = args.longOption("seed", 1);
        switch (m) {
            case "svd" -> {
                only(kv, m, spec, Set.of("energy", "rank", "params"), 1);
                if (kv.containsKey("energy")) {
                    return new LowRankMethod.Svd(RankRule.energy(positiveFraction(kv.get("energy"), m, "energy")));
                }
                if (kv.containsKey("params")) {
                    return new LowRankMethod.Svd(RankRule.parameters(positiveFraction(kv.get("params"), m, "params")));
                }
                return new LowRankMethod.Svd(RankRule.rank(whole(kv.get("rank"), m, "rank")));
            }
            case "tucker" -> {
                if (kv.containsKey("in") || kv.containsKey("out")) {
                    only(kv, m, spec, Set.of("in", "out"), 2);
                    return new LowRankMethod.Tucker(RankRule.rank(whole(kv.get("out"), m, "out")),
                            RankRule.rank(whole(kv.get("in"), m, "in")));
                }
                only(kv, m, spec, Set.of("ranks", "energy"), 1);
                if (kv.containsKey("energy")) {
                    return new LowRankMethod.Tucker(RankRule.energy(positiveFraction(kv.get("energy"), m, "energy")));
                }
                return new LowRankMethod.Tucker(RankRule.channels(positiveFraction(kv.get("ranks"), m, "ranks")));
            }
            default -> {
                if (!kv.containsKey("rank") || !Set.of("rank", "iterations").containsAll(kv.keySet())) {
                    throw CliException.usage("--cp expects rank=R or rank=R,iterations=N, got '" + spec + "'");
                }
                int iterations = kv.containsKey("iterations") ? whole(kv.get("iterations"), m, "iterations")
                        : CpDecomposition.DEFAULT_ITERATIONS;
                return new LowRankMethod.Cp(whole(kv.get("rank"), m, "rank"), iterations,
                        CpDecomposition.DEFAULT_TOLERANCE, seed);
            }
        }
    }

    /** "a=1,b=2" as a map, saying which option was malformed. */
    private static Map<String, String> keyValues(String spec, String option) throws CliException {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String[] p = part.split("=", 2);
            if (p.length != 2 || p[0].isBlank() || p[1].isBlank()) {
                throw CliException.usage("--" + option + " expects KEY=VALUE settings separated by commas, got '"
                        + spec + "'");
            }
            if (kv.put(p[0].trim(), p[1].trim()) != null) {
                throw CliException.usage("--" + option + " sets " + p[0].trim() + " twice in '" + spec + "'");
            }
        }
        return kv;
    }

    /** Checks that {@code kv} holds {@code count} of the allowed keys and nothing else. */
    private static void only(Map<String, String> kv, String option, String spec, Set<String> allowed, int count)
            throws CliException {
        if (kv.size() != count || !allowed.containsAll(kv.keySet())) {
            String expected = switch (option) {
                case "svd" -> "one of energy=E, rank=R or params=F";
                case "tucker" -> "ranks=F, in=R_IN,out=R_OUT or energy=E";
                default -> "rank=R";
            };
            throw CliException.usage("--" + option + " expects " + expected + ", got '" + spec + "'");
        }
    }

    private static double positiveFraction(String v, String option, String key) throws CliException {
        double f = FineTuneOptions.fraction(v, option);
        if (f == 0) {
            throw CliException.usage("--" + option + " " + key + " must be above 0, got '" + v + "'");
        }
        return f;
    }

    private static int whole(String v, String option, String key) throws CliException {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CliException.usage("--" + option + " " + key + " expects a whole number of at least 1, got '" + v + "'");
    }

    /** The summary at batch 1 (unknown dimensions taken as 1): parameters and MACs per image. */
    static GraphSummary summary(Graph g) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (GraphInput in : g.inputs()) {
            int[] d = in.shape().dims();
            for (int i = 0; i < d.length; i++) {
                d[i] = d[i] == Shape.UNKNOWN ? 1 : d[i];
            }
            shapes.put(in.name(), Shape.of(d));
        }
        return GraphSummary.of(g, shapes);
    }

    static String table(List<LayerReport> layers) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-8s %-8s %-14s %26s %26s %10s %8s%n", "layer", "method", "rank",
                "parameters", "MACs", "rel. error", "energy"));
        for (LayerReport l : layers) {
            sb.append(String.format(Locale.ROOT, "%-8s %-8s %-14s %26s %26s %10.4f %8s%n", l.node(), l.method(),
                    l.describeRanks(), change(l.paramsBefore(), l.paramsAfter()), change(l.macsBefore(), l.macsAfter()),
                    l.relativeError(), Double.isNaN(l.keptEnergy()) ? "-"
                            : String.format(Locale.ROOT, "%.4f", l.keptEnergy())));
        }
        return sb.toString();
    }

    /** "400,500 -> 83,700 (4.78x)". */
    private static String change(long before, long after) {
        return String.format(Locale.ROOT, "%,d -> %,d (%.2fx)", before, after, (double) before / after);
    }

    private static List<Map<String, Object>> layersJson(List<LayerReport> layers) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (LayerReport l : layers) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("name", l.node());
            j.put("method", l.method());
            j.put("ranks", l.ranks());
            j.put("nodes", l.nodes());
            j.put("params_before", l.paramsBefore());
            j.put("params_after", l.paramsAfter());
            j.put("macs_before", l.macsBefore());
            j.put("macs_after", l.macsAfter());
            j.put("relative_error", l.relativeError());
            j.put("kept_energy", l.keptEnergy());
            j.put("iterations", l.iterations());
            list.add(j);
        }
        return list;
    }
}
