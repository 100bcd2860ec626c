package dev.minnow.zoo.cli;

import dev.minnow.compression.report.LineChart;
import dev.minnow.compression.report.ParetoFront;
import dev.minnow.compression.sparse.SparseInference;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.zoo.models.ModelCost;
import dev.minnow.zoo.train.Recipe;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code minnow compare}: several models side by side on what compression trades: test accuracy
 * against file bytes and against batch-1 latency, with the Pareto front of each trade
 * ({@link ParetoFront}) and an SVG scatter plot (docs/compact-designs.md).
 *
 * <p>Each model is run as {@code eval} and {@code bench} run it: pruned layers on sparse kernels
 * (unless {@code --dense}), then the exact inference optimisations. Its MACs are those of the graph that runs (a sparse
 * layer counts its non-zero weights only). Its latency is {@link BenchCommand#bench}'s median of
 * timed batch-1 runs after a warm-up, one model after the other.
 */
final class CompareCommand implements Command {

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("compare", """
            Compares Fashion-MNIST classifiers on accuracy, bytes and latency: for each model file
            (.mnw, .mnz or .onnx) the test accuracy (with the normalisation in the file's metadata,
            else pixels in [0, 1]), the file's size in bytes, the MACs of one image, and the median
            latency of batch-1 inference (as minnow bench measures it). Marks the Pareto front of
            accuracy vs bytes and of accuracy vs latency: the models that no other model beats on
            both counts (at least as accurate and no bigger, or no slower, and better in one).
            --svg writes a scatter plot of accuracy against bytes on a logarithmic axis with the
            front joined by a line; --latency-svg the same against latency.""")
            .repeatedArgument("FILE", "model files to compare (.mnw, .mnz, .onnx)")
            .option("threads", "T", "threads per op, for evaluation and latency (default: one per core)")
            .option("iterations", "N", "timed batch-1 runs per model (default: 200)")
            .option("warmup-time", "S", "untimed runs for at least S seconds first (default: 2)")
            .option("svg", "FILE", "write the accuracy-vs-bytes scatter plot (SVG) there")
            .option("latency-svg", "FILE", "write the accuracy-vs-latency scatter plot (SVG) there")
            .option("title", "TEXT", "the plots' title (default: Fashion-MNIST: accuracy vs size)")
            .flag("dense", "run pruned layers on the dense kernels too (by default they run on sparse kernels, as in"
                    + " minnow bench)")
            .flag(InferenceOptimization.FLAG, InferenceOptimization.HELP))
            .example("minnow compare lenet5.mnw lenet5.mnz lenet5-int8.mnw --threads 2", "a table, fronts marked *")
            .example("minnow compare *.mnw *.mnz --svg pareto.svg --json", "one JSON object with every figure")
            .example("minnow compare a.mnw b.onnx --embedded --iterations 20", "quick, on the embedded subset")
            .build();

    /** What was measured for one model. */
    record Row(String name, String file, String kind, double accuracy, double loss, long bytes, long macs,
               double medianMs, double p90Ms) {
    }

    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String summary() {
        return "compare models on accuracy, bytes and latency, with the Pareto fronts and a scatter plot";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        int iterations = args.intOption("iterations", 200, 1);
        double warmupSeconds = args.doubleOption("warmup-time", 2.0, 0.0);
        PrintStream log = args.json() ? err : out;
        Map<Normalization, FashionMnist.Split> data = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        for (String spec : args.positionals()) {
            Path file = Path.of(spec);
            if (!Files.isRegularFile(file)) {
                throw CliException.badInput("no such model file: " + spec + " (compare needs files: their size is"
                        + " one of the figures)");
            }
            ModelSource.Loaded model = ModelSource.load(spec);
            Normalization norm = Recipe.normalizationOf(model.metadata(), Normalization.UNIT);
            FashionMnist.Split split = data.get(norm);
            if (split == null) {
                split = DataOptions.load(args, norm);
                data.put(norm, split);
            }
            Graph graph = model.graph();
            if (!args.flag("dense")) {
                graph = SparseInference.sparsify(graph);
            }
            graph = InferenceOptimization.apply(graph, args, err);
            if (args.verbose()) {
                err.println("minnow: compare: evaluating " + spec);
            }
            Evaluation e = Evaluation.of(graph, split.test(), 256, threads);
            long macs = ModelCost.of(graph, split.test().channels(), split.test().height(), split.test().width()).macs();
            BenchCommand.Result r = BenchCommand.bench(graph, BenchCommand.inputShapes(graph, 1, false, List.of()),
                    threads, 5, warmupSeconds, iterations);
            Row row = new Row(file.getFileName().toString(), spec, model.kind(), e.accuracy(), e.loss(),
                    Files.size(file), macs, r.medianMs(), r.p90Ms());
            rows.add(row);
            if (!args.json()) {
                log.printf(Locale.ROOT, "measured %s: %.2f %%, %,d bytes, %.3f ms%n", row.name(), 100 * row.accuracy(),
                        row.bytes(), row.medianMs());
            }
        }
        double[] accuracy = rows.stream().mapToDouble(Row::accuracy).toArray();
        double[] bytes = rows.stream().mapToDouble(Row::bytes).toArray();
        double[] latency = rows.stream().mapToDouble(Row::medianMs).toArray();
        boolean[] bytesFront = ParetoFront.members(accuracy, bytes);
        boolean[] latencyFront = ParetoFront.members(accuracy, latency);
        String title = args.option("title", "Fashion-MNIST: accuracy vs size");
        if (args.pathOption("svg") != null) {
            chart(rows, bytes, accuracy, title, "file size (bytes, log scale)").write(args.pathOption("svg"));
        }
        if (args.pathOption("latency-svg") != null) {
            chart(rows, latency, accuracy, title.replace("size", "latency"),
                    "median batch-1 latency (ms, " + threads + " thread" + (threads == 1 ? "" : "s") + ", log scale)")
                    .write(args.pathOption("latency-svg"));
        }
        if (args.json()) {
            out.println(JsonWriter.write(json(rows, bytesFront, latencyFront, threads, args)));
        } else {
            printTable(rows, bytesFront, latencyFront, threads, out);
        }
        return CliException.OK;
    }

    /**
     * Accuracy (%) against a cost on a log axis: the Pareto front joined from the cheapest to the
     * dearest, and one labelled marker per model (its own colour, named in the legend too).
     */
    static LineChart chart(List<Row> rows, double[] cost, double[] accuracy, String title, String xLabel) {
        LineChart c = new LineChart(title, xLabel, "test accuracy (%)").logX().labelPoints();
        List<Integer> front = ParetoFront.ordered(accuracy, cost);
        c.series("Pareto front", front.stream().mapToDouble(i -> cost[i]).toArray(),
                front.stream().mapToDouble(i -> 100 * accuracy[i]).toArray());
        for (int i = 0; i < rows.size(); i++) {
            c.points(rows.get(i).name(), new double[] {cost[i]}, new double[] {100 * accuracy[i]});
        }
        return c;
    }

    private static void printTable(List<Row> rows, boolean[] bytesFront, boolean[] latencyFront, int threads,
                                   PrintStream out) {
        int width = Math.max(5, rows.stream().mapToInt(r -> r.name().length()).max().orElse(5));
        String format = "%-" + width + "s %9s %11s %11s %11s  %-6s %-6s%n";
        out.printf(Locale.ROOT, format, "model", "accuracy", "bytes", "MACs", "latency ms", "front:", "");
        out.printf(Locale.ROOT, format, "", "(%)", "", "", "(median)", "bytes", "latency");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            out.printf(Locale.ROOT, format, r.name(), String.format(Locale.ROOT, "%.2f", 100 * r.accuracy()),
                    String.format(Locale.ROOT, "%,d", r.bytes()), String.format(Locale.ROOT, "%,d", r.macs()),
                    String.format(Locale.ROOT, "%.3f", r.medianMs()), bytesFront[i] ? "*" : "",
                    latencyFront[i] ? "*" : "");
        }
        out.printf(Locale.ROOT, "* on the Pareto front (no other model is at least as accurate and no larger, resp. no"
                + " slower); latency: batch 1, %d thread%s%n", threads, threads == 1 ? "" : "s");
    }

    private static Map<String, Object> json(List<Row> rows, boolean[] bytesFront, boolean[] latencyFront, int threads,
                                            Args args) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("data", DataOptions.describe(args));
        j.put("threads", threads);
        List<Map<String, Object>> models = new ArrayList<>();
        List<String> onBytes = new ArrayList<>();
        List<String> onLatency = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", r.name());
            m.put("file", r.file());
            m.put("kind", r.kind());
            m.put("accuracy", r.accuracy());
            m.put("loss", r.loss());
            m.put("bytes", r.bytes());
            m.put("macs", r.macs());
            m.put("median_ms", r.medianMs());
            m.put("p90_ms", r.p90Ms());
            m.put("pareto_bytes", bytesFront[i]);
            m.put("pareto_latency", latencyFront[i]);
            models.add(m);
            if (bytesFront[i]) {
                onBytes.add(r.name());
            }
            if (latencyFront[i]) {
                onLatency.add(r.name());
            }
        }
        j.put("models", models);
        j.put("pareto_bytes", onBytes);
        j.put("pareto_latency", onLatency);
        return j;
    }
}
