package dev.minnow.zoo.cli;

import dev.minnow.compression.sparse.SparseInference;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code minnow bench}: inference latency of a model. Plans once for the batch size, warms up,
 * then times each of N runs; reports the median and the 90th percentile (nearest rank) and the
 * throughput {@code images/s = batch / median}.
 */
final class BenchCommand implements Command {

    private static final ArgSpec SPEC = ArgSpec.builder("bench", """
            Measures a model's inference speed. Plans the model once for inputs of batch size B
            (the declared input shape with its unknown first dimension set to B; other unknown
            dimensions must be given with --input-shape), fills the inputs with seeded random
            values, runs it untimed (--warmup times, and at least --warmup-time seconds, so that the JIT
            has compiled the kernels even for a small model), then --iterations times timed. Prints the
            median and 90th-percentile latency of one run and the throughput in images per second
            (batch / median). Planning and input preparation are not timed.""")
            .argument("MODEL", "a zoo name, a Minnow model (.mnw, .mnz) or an ONNX file")
            .option("batch", "B", "batch size, the first dimension of each input (default: 1)")
            .option("threads", "T", "threads per op (default: one per core)")
            .option("iterations", "N", "timed runs (default: 20)")
            .option("warmup", "N", "untimed runs first, to let the JIT compile (default: 5)")
            .option("warmup-time", "S", "keep warming up until S seconds have passed (default: 2; 0 for exactly --warmup runs)")
            .flag(InferenceOptimization.FLAG, InferenceOptimization.HELP)
            .repeatableOption("input-shape", "DIMS", "a whole input shape, e.g. 1,3,224,224 (NAME=DIMS for a model"
                    + " with several inputs), for inputs with unknown dimensions other than the batch")
            .flag("dense", "run pruned layers on the dense kernels too (by default a fully connected layer with at least"
                    + " 90 % zero weights, or a convolution with 80 %, runs on sparse kernels)")
            .example("minnow bench resnet18.onnx", "batch 1, all cores")
            .example("minnow bench mobilenet_v2.onnx --batch 8 --threads 2 --iterations 50", "")
            .example("minnow bench model.onnx --json", "one JSON object: median_ms, p90_ms, images_per_s, ...")
            .build();

    /** What one benchmark measured; times in milliseconds, in the order they were taken. */
    record Result(Map<String, Shape> inputShapes, int batch, int threads, int warmup, double[] runMs, String kernels) {
        double medianMs() {
            return percentile(runMs, 50);
        }

        double p90Ms() {
            return percentile(runMs, 90);
        }

        double imagesPerSecond() {
            return batch * 1000.0 / medianMs();
        }
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure a model's inference latency (median, p90) and images/s";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        int batch = args.intOption("batch", 1, 1);
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        int iterations = args.intOption("iterations", 20, 1);
        int warmup = args.intOption("warmup", 5, 0);
        double warmupSeconds = args.doubleOption("warmup-time", 2.0, 0.0);
        String model = args.positional(0);
        Graph graph = loadModel(model);
        int sparseLayers = 0;
        if (!args.flag("dense")) {
            graph = SparseInference.sparsify(graph);
            sparseLayers = SparseInference.sparseNodes(graph).size();
        }
        graph = InferenceOptimization.apply(graph, args, err);
        Map<String, Shape> shapes = inputShapes(graph, batch, args.option("batch") != null, args.options("input-shape"));
        Result r = bench(graph, shapes, threads, warmup, warmupSeconds, iterations);
        if (args.json()) {
            Map<String, Object> j = json(model, r);
            j.put("sparse_layers", sparseLayers);
            out.println(JsonWriter.write(j));
        } else {
            printText(model, r, out);
            if (sparseLayers > 0) {
                out.printf(Locale.ROOT, "%d pruned layer%s ran on sparse kernels (--dense to compare)%n", sparseLayers,
                        sparseLayers == 1 ? "" : "s");
            }
        }
        return CliException.OK;
    }

    /** The model named on the command line: a zoo name, a Minnow file or an ONNX file ({@link ModelSource}). */
    static Graph loadModel(String model) throws IOException, CliException {
        return ModelSource.load(model).graph();
    }

    /**
     * The concrete shape of every input: {@code --input-shape} where given (its first dimension
     * must then agree with an explicit {@code --batch}), else the declared shape with an unknown
     * first dimension set to {@code batch}.
     */
    static Map<String, Shape> inputShapes(Graph graph, int batch, boolean batchGiven, List<String> specs)
            throws CliException {
        Map<String, Shape> given = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.lastIndexOf('=');
            String name;
            if (eq >= 0) {
                name = spec.substring(0, eq);
                if (graph.inputs().stream().noneMatch(in -> in.name().equals(name))) {
                    throw CliException.badInput("the model has no input named '" + name + "' (inputs: "
                            + String.join(", ", inputNames(graph)) + ")");
                }
            } else if (graph.inputs().size() == 1) {
                name = graph.inputs().get(0).name();
            } else {
                throw CliException.usage("the model has " + graph.inputs().size() + " inputs ("
                        + String.join(", ", inputNames(graph)) + "); name one: --input-shape NAME=" + spec);
            }
            given.put(name, InputShapes.parseDims(spec.substring(eq + 1), "input-shape"));
        }
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (GraphInput in : graph.inputs()) {
            Shape declared = in.shape();
            Shape s = given.get(in.name());
            if (s != null) {
                if (!s.matches(declared)) {
                    throw CliException.badInput("--input-shape " + s + " does not fit input '" + in.name()
                            + "', declared as " + declared);
                }
                if (batchGiven && s.rank() > 0 && s.dim(0) != batch) {
                    throw CliException.usage("--batch " + batch + " contradicts --input-shape " + s + " of input '"
                            + in.name() + "'; give one or make them agree");
                }
            } else {
                int[] d = declared.dims();
                if (d.length > 0 && d[0] == Shape.UNKNOWN) {
                    d[0] = batch;
                } else if (batchGiven && d.length > 0 && d[0] != batch) {
                    throw CliException.badInput("input '" + in.name() + "' has a fixed batch size: it is declared as "
                            + declared + ", so --batch " + batch + " cannot apply");
                }
                for (int i = 1; i < d.length; i++) {
                    if (d[i] == Shape.UNKNOWN) {
                        throw CliException.usage("input '" + in.name() + "' is declared as " + declared
                                + " with unknown dimensions besides the batch; give its whole shape with --input-shape "
                                + (graph.inputs().size() > 1 ? in.name() + "=" : "") + "DIMS");
                    }
                }
                s = Shape.of(d);
            }
            shapes.put(in.name(), s);
        }
        return shapes;
    }

    private static List<String> inputNames(Graph graph) {
        return graph.inputs().stream().map(GraphInput::name).toList();
    }

    /**
     * Plans once, warms up ({@code warmup} runs, continued until {@code warmupSeconds} have passed,
     * at most 100,000 runs), then times {@code iterations} runs on seeded random inputs (uniform in
     * [0, 1) for floats).
     */
    static Result bench(Graph graph, Map<String, Shape> shapes, int threads, int warmup, double warmupSeconds,
                        int iterations) {
        Tensor[] inputs = randomInputs(graph, shapes);
        Plan plan = Plan.compile(graph, shapes, PlanOptions.inference().withThreads(threads));
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        int warmed = 0;
        while (warmed < warmup || (System.nanoTime() < warmupEnd && warmed < 100_000)) {
            plan.run(inputs);
            warmed++;
        }
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            plan.run(inputs);
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Shape first = shapes.isEmpty() ? Shape.scalar() : shapes.values().iterator().next();
        int batch = first.rank() > 0 ? first.dim(0) : 1;
        return new Result(shapes, batch, threads, warmed, ms, KernelProvider.kernels().name());
    }

    /** One tensor per graph input with the given shapes; float inputs seeded-uniform in [0, 1), others zero. */
    static Tensor[] randomInputs(Graph graph, Map<String, Shape> shapes) {
        Random random = new Random(0);
        Tensor[] inputs = new Tensor[graph.inputs().size()];
        for (int i = 0; i < inputs.length; i++) {
            GraphInput in = graph.inputs().get(i);
            inputs[i] = Tensor.zeros(shapes.get(in.name()), in.type());
            if (in.type() == DataType.FLOAT) {
                float[] d = inputs[i].data();
                for (int j = 0; j < d.length; j++) {
                    d[j] = random.nextFloat();
                }
            }
        }
        return inputs;
    }

    /** The nearest-rank percentile: the smallest value with at least {@code p} % of the values at or below it. */
    static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static void printText(String model, Result r, PrintStream out) {
        out.print("model " + model + ",");
        r.inputShapes().forEach((name, shape) -> out.print(" input '" + name + "' " + shape + ","));
        out.printf(Locale.ROOT, " %d thread%s, kernels: %s%n", r.threads(), r.threads() == 1 ? "" : "s", r.kernels());
        out.printf(Locale.ROOT, "%d warm-up runs, %d timed runs%n", r.warmup(), r.runMs().length);
        out.printf(Locale.ROOT, "median %.3f ms, p90 %.3f ms, %.1f images/s (batch %d)%n", r.medianMs(), r.p90Ms(),
                r.imagesPerSecond(), r.batch());
    }

    private static Map<String, Object> json(String model, Result r) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        Map<String, Object> inputs = new LinkedHashMap<>();
        r.inputShapes().forEach((name, shape) -> inputs.put(name, shape.dims()));
        j.put("input_shapes", inputs);
        j.put("batch", r.batch());
        j.put("threads", r.threads());
        j.put("kernels", r.kernels());
        j.put("warmup", r.warmup());
        j.put("iterations", r.runMs().length);
        j.put("median_ms", r.medianMs());
        j.put("p90_ms", r.p90Ms());
        j.put("images_per_s", r.imagesPerSecond());
        return j;
    }
}
