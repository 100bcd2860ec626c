package dev.minnow.zoo.cli;

import dev.minnow.compression.sparse.SparseInference;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.io.npy.Npy;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** {@code minnow run}: runs a model once and shows the first output's shape and top-5. */
final class RunCommand implements Command {

    private static final ArgSpec SPEC = ArgSpec.builder("run", """
            Runs an ONNX model once. Each input comes from an .npy file (its shape is the input
            shape) or, when none is given, is uniform random in [0, 1) of the declared shape
            (unknown dimensions set to 1). Prints the first output's shape, the top-5 values of its
            first row (index and value), and the time of the run (planning excluded).""")
            .argument("MODEL.onnx", "the model to run")
            .repeatableOption("input", "FILE.npy", "an input tensor; NAME=FILE.npy for a model with several inputs")
            .option("output", "FILE.npy", "write the first output to this .npy file")
            .option("threads", "T", "threads per op (default: one per core)")
            .option("seed", "S", "seed of the random inputs and of the run (default: 0)")
            .flag(InferenceOptimization.FLAG, InferenceOptimization.HELP)
            .example("minnow run mnist.onnx", "random input of the declared shape; prints the output's top-5")
            .example("minnow run resnet18.onnx --input cat.npy --output logits.npy --threads 2", "")
            .example("minnow run model.onnx --json", "one JSON object: output_shape, top5, ms")
            .build();

    /** What one run produced. {@code inputSources} says where each input came from. */
    record Result(Map<String, Shape> inputShapes, Map<String, String> inputSources, String outputName,
                  Tensor output, List<TopK> top5, double ms) {
    }

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "run a model on an .npy input (or a seeded random one) and show the top-5 of its output";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        long seed = args.longOption("seed", 0);
        Path outputFile = args.pathOption("output");
        String model = args.positional(0);
        // pruned layers run on sparse kernels, then the exact optimisations (same results within float rounding)
        Graph graph = InferenceOptimization.apply(SparseInference.sparsify(ModelSource.load(model).graph()), args, err);
        Map<String, Tensor> given = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        readInputs(graph, args.options("input"), given, sources);
        Result r = run(graph, given, sources, threads, seed);
        if (outputFile != null) {
            Npy.write(r.output(), outputFile);
        }
        if (args.json()) {
            out.println(JsonWriter.write(json(model, r, outputFile)));
        } else {
            printText(r, outputFile, out);
        }
        return CliException.OK;
    }

    /** Reads the {@code --input} files: {@code NAME=FILE} goes to that input, a bare file to the next unnamed one. */
    static void readInputs(Graph graph, List<String> specs, Map<String, Tensor> given, Map<String, String> sources)
            throws IOException, CliException {
        List<String> names = graph.inputs().stream().map(GraphInput::name).toList();
        List<String> bare = new ArrayList<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String name = eq > 0 ? spec.substring(0, eq) : null;
            if (name != null && names.contains(name)) {
                if (given.containsKey(name)) {
                    throw CliException.usage("input '" + name + "' is given twice");
                }
                put(graph, name, spec.substring(eq + 1), given, sources);
            } else {
                bare.add(spec);
            }
        }
        List<String> free = names.stream().filter(n -> !given.containsKey(n)).toList();
        if (bare.size() > free.size()) {
            throw CliException.usage(bare.size() + " unnamed --input files for " + free.size() + " remaining model inputs "
                    + free + " (the model's inputs: " + String.join(", ", names) + ")");
        }
        for (int i = 0; i < bare.size(); i++) {
            put(graph, free.get(i), bare.get(i), given, sources);
        }
    }

    private static void put(Graph graph, String name, String file, Map<String, Tensor> given,
                            Map<String, String> sources) throws IOException, CliException {
        Tensor t = Npy.read(Args.existingFile(file));
        DataType expected = graph.inputs().stream().filter(in -> in.name().equals(name)).findFirst()
                .orElseThrow().type();
        if (t.type() != expected) {
            throw CliException.badInput(file + " holds " + t.type() + " " + t.shape() + " but input '" + name
                    + "' expects " + expected + (expected == DataType.FLOAT ? " (save it with a.astype(np.float32))" : ""));
        }
        given.put(name, t);
        sources.put(name, file);
    }

    /**
     * Plans the graph for the given inputs (the others random, seeded), runs it once, and picks the
     * top-5 of the first output's first row.
     */
    static Result run(Graph graph, Map<String, Tensor> given, Map<String, String> givenSources, int threads,
                      long seed) {
        Random random = new Random(seed);
        Map<String, Shape> shapes = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        Tensor[] inputs = new Tensor[graph.inputs().size()];
        for (int i = 0; i < inputs.length; i++) {
            GraphInput in = graph.inputs().get(i);
            Tensor t = given.get(in.name());
            if (t == null) {
                t = Tensor.zeros(InputShapes.withUnknownAsOne(in.shape()), in.type());
                if (in.type() == DataType.FLOAT) {
                    float[] d = t.data();
                    for (int j = 0; j < d.length; j++) {
                        d[j] = random.nextFloat();
                    }
                    sources.put(in.name(), "random uniform [0, 1), seed " + seed);
                } else {
                    sources.put(in.name(), "zeros");
                }
            } else {
                sources.put(in.name(), givenSources.getOrDefault(in.name(), "given"));
            }
            inputs[i] = t;
            shapes.put(in.name(), t.shape());
        }
        Plan plan = Plan.compile(graph, shapes, PlanOptions.inference().withThreads(threads).withSeed(seed));
        long start = System.nanoTime();
        Map<String, Tensor> outputs = plan.run(inputs);
        double ms = (System.nanoTime() - start) / 1e6;
        String first = graph.outputs().get(0);
        Tensor output = outputs.get(first);
        return new Result(shapes, sources, first, output, TopK.of(firstRow(output), 5), ms);
    }

    /** The first slice along axis 0 (the whole tensor when it has fewer than two dimensions), as floats. */
    static float[] firstRow(Tensor t) {
        int n = t.size();
        int row = t.rank() >= 2 && t.shape().dim(0) > 0 ? n / t.shape().dim(0) : n;
        if (t.type() == DataType.FLOAT) {
            return Arrays.copyOfRange(t.data(), t.offset(), t.offset() + row);
        }
        long[] l = t.toLongArray();
        float[] f = new float[row];
        for (int i = 0; i < row; i++) {
            f[i] = l[i];
        }
        return f;
    }

    private static void printText(Result r, Path outputFile, PrintStream out) {
        for (Map.Entry<String, Shape> e : r.inputShapes().entrySet()) {
            out.println("input '" + e.getKey() + "' " + e.getValue() + ": " + r.inputSources().get(e.getKey()));
        }
        out.printf(java.util.Locale.ROOT, "output '%s' %s in %.3f ms%n", r.outputName(), r.output().shape(), r.ms());
        out.println("top-" + r.top5().size() + " of its first row:");
        for (int i = 0; i < r.top5().size(); i++) {
            TopK t = r.top5().get(i);
            out.printf(java.util.Locale.ROOT, "  %d. index %d  value %s%n", i + 1, t.index(), t.value());
        }
        if (outputFile != null) {
            out.println("wrote " + outputFile);
        }
    }

    private static Map<String, Object> json(String model, Result r, Path outputFile) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        List<Object> inputs = new ArrayList<>();
        for (Map.Entry<String, Shape> e : r.inputShapes().entrySet()) {
            Map<String, Object> in = new LinkedHashMap<>();
            in.put("name", e.getKey());
            in.put("shape", e.getValue().dims());
            in.put("source", r.inputSources().get(e.getKey()));
            inputs.add(in);
        }
        j.put("inputs", inputs);
        j.put("output", r.outputName());
        j.put("output_shape", r.output().shape().dims());
        List<Object> top = new ArrayList<>();
        for (TopK t : r.top5()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("index", t.index());
            e.put("value", t.value());
            top.add(e);
        }
        j.put("top5", top);
        j.put("ms", r.ms());
        if (outputFile != null) {
            j.put("output_file", outputFile.toString());
        }
        return j;
    }
}
