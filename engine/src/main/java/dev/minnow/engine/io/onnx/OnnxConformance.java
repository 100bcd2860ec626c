package dev.minnow.engine.io.onnx;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphException;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.io.onnx.ConformanceResult.Status;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Float16;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs ONNX's backend conformance tests: directories holding {@code model.onnx} and
 * {@code test_data_set_N/} folders of {@code input_K.pb} / {@code output_K.pb} tensors.
 *
 * <p>A test passes when every output of every data set matches with ONNX's backend tolerance,
 * element by element: {@code |got - expected| <= atol + rtol * |expected|} with
 * {@code rtol = 1e-3}, {@code atol = 1e-7} (integers and booleans exactly, NaN equal to NaN,
 * infinities exactly, shapes and types identical). It is skipped when the model uses what Minnow
 * does not support (an op, a data type, external data); any other error fails it.
 *
 * <p>{@code input_K.pb} feeds the model's K-th declared input; older exporters declare their
 * weights as inputs too, and those (initializers) keep their stored values. Integer inputs are
 * baked in as constants ({@link #bakeIntegerInputs}).
 */
public final class OnnxConformance {
    public static final double RTOL = 1e-3;
    public static final double ATOL = 1e-7;

    /** A looser tolerance for one test, with the reason it is justified. */
    public record Tolerance(double rtol, double atol, String reason) {
    }

    /** Tests that need a looser tolerance than ONNX's default, by name; every entry says why. */
    public static final Map<String, Tolerance> RELAXED = Map.of();

    private static final Pattern NUMBERED = Pattern.compile("(?:input|output)_(\\d+)\\.pb");

    private OnnxConformance() {
    }

    /** Where Debian's {@code libonnx-testdata} package installs the test data. */
    public static Path defaultRoot() {
        return Path.of("/usr/share/libonnx-testdata/data");
    }

    /** Every directory under {@code root} that contains a {@code model.onnx}, sorted. */
    public static List<Path> discover(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName() != null && p.getFileName().toString().equals("model.onnx")
                            && Files.isRegularFile(p))
                    .map(Path::getParent).sorted().toList();
        }
    }

    /** Runs one test directory. */
    public static ConformanceResult run(Path testDir) {
        Path parent = testDir.toAbsolutePath().getParent();
        String name = (parent == null || parent.getFileName() == null ? "" : parent.getFileName() + "/")
                + testDir.getFileName();
        OnnxReader.Loaded model;
        try {
            model = OnnxReader.load(Files.readAllBytes(testDir.resolve("model.onnx")), name);
        } catch (UnsupportedModelException ex) {
            return new ConformanceResult(name, Status.SKIP, ex.getMessage());
        } catch (IOException ex) {
            return new ConformanceResult(name, Status.FAIL, "cannot read the model: " + ex.getMessage());
        }
        Tolerance tol = RELAXED.getOrDefault(name, new Tolerance(RTOL, ATOL, "ONNX backend default"));
        List<Path> sets;
        try (Stream<Path> s = Files.list(testDir)) {
            sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_") && Files.isDirectory(p))
                    .sorted().toList();
        } catch (IOException ex) {
            return new ConformanceResult(name, Status.FAIL, "cannot list data sets: " + ex.getMessage());
        }
        if (sets.isEmpty()) {
            return new ConformanceResult(name, Status.FAIL, "no test_data_set_* directory");
        }
        for (Path set : sets) {
            String where = set.getFileName().toString();
            try {
                String mismatch = runDataSet(model, set, tol);
                if (mismatch != null) {
                    return new ConformanceResult(name, Status.FAIL, where + ": " + mismatch);
                }
            } catch (UnsupportedModelException ex) {
                return new ConformanceResult(name, Status.SKIP, where + ": " + ex.getMessage());
            } catch (IOException ex) {
                return new ConformanceResult(name, Status.FAIL, where + ": " + ex.getMessage());
            } catch (GraphException ex) {
                Status st = OnnxReader.isUnsupported(ex.getMessage()) ? Status.SKIP : Status.FAIL;
                return new ConformanceResult(name, st, where + ": " + ex.getMessage());
            } catch (RuntimeException ex) {
                return new ConformanceResult(name, Status.FAIL, where + ": " + ex);
            }
        }
        return new ConformanceResult(name, Status.PASS, sets.size() + " data set(s)"
                + (tol.rtol() == RTOL && tol.atol() == ATOL ? "" : ", relaxed: " + tol.reason()));
    }

    /** Runs one data set; returns the first mismatch, or {@code null} when all outputs match. */
    private static String runDataSet(OnnxReader.Loaded model, Path set, Tolerance tol) throws IOException {
        Graph g = model.graph();
        Map<String, Tensor> given = new HashMap<>();
        List<Path> inputFiles = numbered(set, "input_");
        for (int k = 0; k < inputFiles.size(); k++) {
            if (k >= model.declaredInputs().size()) {
                return "input_" + k + ".pb has no matching graph input (the model declares "
                        + model.declaredInputs().size() + ")";
            }
            String inputName = model.declaredInputs().get(k);
            if (g.initializers().containsKey(inputName)) {
                continue; // a weight listed as an input by an older exporter: keep the stored value
            }
            given.put(inputName, OnnxReader.readTensor(inputFiles.get(k)));
        }
        for (GraphInput in : g.inputs()) {
            if (!given.containsKey(in.name())) {
                return "no input_K.pb for graph input '" + in.name() + "'";
            }
        }
        g = bakeIntegerInputs(g, given);
        Map<String, Shape> shapes = new HashMap<>();
        Tensor[] inputs = new Tensor[g.inputs().size()];
        for (int i = 0; i < inputs.length; i++) {
            GraphInput in = g.inputs().get(i);
            Tensor t = given.get(in.name());
            shapes.put(in.name(), t.shape());
            inputs[i] = t;
        }
        Plan plan = Plan.compile(g, shapes, PlanOptions.inference());
        Map<String, Tensor> outputs = plan.run(inputs);
        List<Path> outputFiles = numbered(set, "output_");
        if (outputFiles.size() != g.outputs().size()) {
            return "the model has " + g.outputs().size() + " outputs but the data set " + outputFiles.size();
        }
        for (int k = 0; k < outputFiles.size(); k++) {
            String out = g.outputs().get(k);
            Tensor expected = OnnxReader.readTensor(outputFiles.get(k));
            String mismatch = compare(out, outputs.get(out), expected, tol);
            if (mismatch != null) {
                return mismatch;
            }
        }
        return null;
    }

    /**
     * The graph with its INT64 and INT32 inputs turned into initializers holding this data set's
     * values. Minnow plans every shape before running, so the integer inputs that carry shapes,
     * axes, pads or repeats (Reshape's shape, Expand's shape, Slice's starts...) must be known at
     * planning time, as they are in real models (initializers or folded Shape chains); ONNX's
     * node tests feed them as inputs instead. Float inputs stay run-time inputs.
     */
    static Graph bakeIntegerInputs(Graph g, Map<String, Tensor> given) {
        if (g.inputs().stream().noneMatch(in -> isBaked(in.type()))) {
            return g;
        }
        Graph.Builder b = Graph.builder(g.name());
        for (GraphInput in : g.inputs()) {
            if (isBaked(in.type())) {
                b.initializer(in.name(), given.get(in.name()));
            } else {
                b.input(in.name(), in.type(), in.shape());
            }
        }
        g.initializers().forEach(b::initializer);
        g.nodes().forEach(b::node);
        g.outputs().forEach(b::output);
        return b.build();
    }

    private static boolean isBaked(DataType t) {
        return t == DataType.INT64 || t == DataType.INT32;
    }

    /** {@code prefix0.pb, prefix1.pb, ...} in numeric order; a gap is an error. */
    private static List<Path> numbered(Path dir, String prefix) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = new ArrayList<>(s.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && NUMBERED.matcher(p.getFileName().toString()).matches()).toList());
        }
        files.sort(Comparator.comparingInt(OnnxConformance::indexOf));
        for (int i = 0; i < files.size(); i++) {
            if (indexOf(files.get(i)) != i) {
                throw new ModelFormatException(dir + ": " + prefix + i + ".pb is missing");
            }
        }
        return files;
    }

    private static int indexOf(Path p) {
        Matcher m = NUMBERED.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * Compares an output with its expected value; returns {@code null} when they match, else a
     * message naming the output, the first differing index, both values and how many differ.
     */
    public static String compare(String output, Tensor got, Tensor expected, Tolerance tol) {
        if (got == null) {
            return "output '" + output + "' was not produced";
        }
        if (got.type() != expected.type()) {
            return "output '" + output + "' has type " + got.type() + ", expected " + expected.type();
        }
        if (!got.shape().equals(expected.shape())) {
            return "output '" + output + "' has shape " + got.shape() + ", expected " + expected.shape();
        }
        if (expected.type() == DataType.FLOAT16) {
            return compare(output, Float16.widen(got), Float16.widen(expected), tol);
        }
        int n = expected.size();
        int bad = 0;
        int first = -1;
        String firstGot = null;
        String firstExp = null;
        if (expected.type() == DataType.FLOAT) {
            float[] g = got.data();
            float[] e = expected.data();
            for (int i = 0; i < n; i++) {
                float a = g[got.offset() + i];
                float b = e[expected.offset() + i];
                if (!close(a, b, tol)) {
                    if (bad++ == 0) {
                        first = i;
                        firstGot = Float.toString(a);
                        firstExp = Float.toString(b);
                    }
                }
            }
        } else {
            long[] g = got.toLongArray();
            long[] e = expected.toLongArray();
            for (int i = 0; i < n; i++) {
                if (g[i] != e[i] && bad++ == 0) {
                    first = i;
                    firstGot = Long.toString(g[i]);
                    firstExp = Long.toString(e[i]);
                }
            }
        }
        if (bad == 0) {
            return null;
        }
        return "output '" + output + "' at index " + Arrays.toString(unflatten(first, expected.shape()))
                + ": got " + firstGot + ", expected " + firstExp + " (" + bad + " of " + n + " elements differ beyond "
                + "rtol " + tol.rtol() + ", atol " + tol.atol() + ")";
    }

    /** ONNX's (numpy's assert_allclose) closeness, with NaN equal to NaN and infinities exact. */
    static boolean close(float got, float expected, Tolerance tol) {
        if (Float.isNaN(got) || Float.isNaN(expected)) {
            return Float.isNaN(got) && Float.isNaN(expected);
        }
        if (Float.isInfinite(got) || Float.isInfinite(expected)) {
            return got == expected;
        }
        return Math.abs((double) got - expected) <= tol.atol() + tol.rtol() * Math.abs((double) expected);
    }

    private static int[] unflatten(int flat, Shape shape) {
        int[] idx = new int[shape.rank()];
        for (int d = shape.rank() - 1; d >= 0; d--) {
            int size = shape.dim(d);
            idx[d] = size == 0 ? 0 : flat % size;
            flat = size == 0 ? 0 : flat / size;
        }
        return idx;
    }
}
