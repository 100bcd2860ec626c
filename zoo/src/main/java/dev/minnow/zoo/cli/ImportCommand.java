package dev.minnow.zoo.cli;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.tensor.Shape;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code minnow import}: converts an ONNX model to Minnow's native format ({@code .mnw}), after
 * checking that Minnow can plan it, so that a file that imports is a file that runs.
 */
final class ImportCommand implements Command {

    private static final ArgSpec SPEC = ArgSpec.builder("import", """
            Converts an ONNX model (for instance a torchvision model exported with
            zoo/scripts/export_zoo_onnx.py --pretrained) to Minnow's native format: the same graph
            and weights, converted to opset 13, with a checksum and the import's provenance in its
            metadata. The model is planned once for its declared input shape (unknown dimensions
            set to 1, or --input-shape) so that an operator or shape Minnow cannot handle is
            reported now rather than at the first run. Prints the number of nodes, parameters
            (float values the weights hold) and MACs at that shape.""")
            .argument("MODEL.onnx", "the ONNX model to convert")
            .option("out", "FILE.mnw", "where to write the model (default: MODEL with the extension .mnw)")
            .repeatableOption("input-shape", "DIMS", "the input shape to check the model with, e.g. 1,3,224,224 "
                    + "(NAME=DIMS for a model with several inputs)")
            .example("minnow import resnet18.onnx --out resnet18.mnw", "")
            .example("minnow import model.onnx --input-shape 1,3,299,299 --json",
                    "one JSON object: source, output, nodes, params, macs, bytes")
            .build();

    /** What an import did. */
    record Result(String source, Path output, int opset, String graphName, Map<String, Shape> inputShapes,
                  int nodes, long params, long macs, long bytes) {
    }

    @Override
    public String name() {
        return "import";
    }

    @Override
    public String summary() {
        return "convert an ONNX model to Minnow's native format (.mnw)";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String model = args.positional(0);
        Path source = Args.existingFile(model);
        Path output = args.pathOption("out");
        if (output == null) {
            String file = source.getFileName().toString();
            output = source.resolveSibling((file.toLowerCase(Locale.ROOT).endsWith(".onnx")
                    ? file.substring(0, file.length() - 5) : file) + ModelFile.EXTENSION);
        }
        if (Files.exists(output) && Files.isSameFile(output, source)) {
            throw CliException.usage("--out " + output + " is the model itself; choose another file");
        }
        Result r = convert(source, output, args.options("input-shape"));
        if (args.json()) {
            out.println(JsonWriter.write(json(r)));
        } else {
            out.printf(Locale.ROOT, "imported %s (ONNX opset %d, graph '%s') into %s%n", r.source(), r.opset(),
                    r.graphName(), r.output());
            StringBuilder inputs = new StringBuilder();
            r.inputShapes().forEach((name, shape) -> inputs.append(inputs.length() == 0 ? "" : ", ")
                    .append("'").append(name).append("' ").append(shape));
            out.printf(Locale.ROOT, "%d nodes, %s parameters, %s MACs at input %s%n", r.nodes(),
                    SummaryCommand.grouped(r.params()), SummaryCommand.scaled(r.macs()), inputs);
            out.printf(Locale.ROOT, "wrote %s bytes (%.1f MB)%n", SummaryCommand.grouped(r.bytes()), r.bytes() / 1e6);
        }
        return CliException.OK;
    }

    /** Reads, checks by planning, and writes the native file. */
    static Result convert(Path source, Path output, java.util.List<String> inputShapes) throws Exception {
        byte[] bytes = Files.readAllBytes(source);
        if (ModelFile.hasMagic(bytes)) {
            throw CliException.badInput(source + " is already a Minnow model file; nothing to import");
        }
        OnnxReader.Model m = OnnxReader.readModel(bytes, source.toString());
        Graph graph = m.graph();
        Map<String, Shape> shapes = InputShapes.resolve(graph, inputShapes, "input-shape");
        GraphSummary summary;
        try {
            summary = GraphSummary.of(graph, shapes);
        } catch (RuntimeException e) {
            throw CliException.badInput("Minnow cannot plan " + source + " for input " + shapes + ": "
                    + Main.oneLine(String.valueOf(e.getMessage())) + (inputShapes.isEmpty()
                    ? " (if the model needs another input size, give it with --input-shape)" : ""));
        }
        Map<String, String> metadata = new LinkedHashMap<>(m.metadata());
        metadata.put("minnow.imported_from", source.getFileName().toString());
        metadata.put("minnow.onnx_opset", Integer.toString(m.opset()));
        ModelFile.save(graph, metadata, output);
        return new Result(source.toString(), output, m.opset(), graph.name(), summary.inputShapes(),
                graph.nodes().size(), summary.params(), summary.macs(), Files.size(output));
    }

    private static Map<String, Object> json(Result r) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("source", r.source());
        j.put("output", r.output().toString());
        j.put("opset", r.opset());
        j.put("graph", r.graphName());
        Map<String, Object> inputs = new LinkedHashMap<>();
        r.inputShapes().forEach((name, shape) -> inputs.put(name, shape.dims()));
        j.put("inputs", inputs);
        j.put("nodes", r.nodes());
        j.put("params", r.params());
        j.put("macs", r.macs());
        j.put("bytes", r.bytes());
        return j;
    }
}
