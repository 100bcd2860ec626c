package dev.minnow.zoo.cli;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.graph.GraphSummary.NodeSummary;
import dev.minnow.engine.tensor.Shape;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code minnow summary}: a per-node table of output shapes, parameters and MACs. */
final class SummaryCommand implements Command {

    private static final ArgSpec SPEC = ArgSpec.builder("summary", """
            Plans a model for one input shape and prints, per node: its name, op, output shape,
            parameters (elements of the float initializers it reads) and MACs (multiply-accumulates
            of one run); then the totals, where a weight shared by several nodes counts once. Nodes
            that only depend on constants are computed once at planning ("folded") and cost nothing.
            The last line says what the exact inference optimisations (docs/fusion.md) make of the
            graph, which is what run, bench and eval execute; --optimized summarises that graph.""")
            .argument("MODEL.onnx", "the model to summarise")
            .repeatableOption("input-shape", "DIMS", "input shape, e.g. 1,3,224,224 (NAME=DIMS for a model with several"
                    + " inputs); default: the declared shape, unknown dimensions set to 1")
            .flag("optimized", "summarise the graph after the exact inference optimisations (BN folded, "
                    + "activations fused), as run, bench and eval execute it")
            .example("minnow summary resnet18.onnx", "")
            .example("minnow summary mobilenet.onnx --input-shape 8,3,224,224", "the same for a batch of 8")
            .example("minnow summary model.onnx --json", "one JSON object: params, macs, nodes[]")
            .build();

    @Override
    public String name() {
        return "summary";
    }

    @Override
    public String summary() {
        return "print each node's output shape, parameters and MACs, and the totals";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String model = args.positional(0);
        Graph loaded = ModelSource.load(model).graph();
        GraphOptimizer.Optimized optimized = GraphOptimizer.standard().optimize(loaded);
        if (args.verbose()) {
            optimized.log().forEach(line -> err.println("minnow:   " + line));
        }
        Graph graph = args.flag("optimized") ? optimized.graph() : loaded;
        Map<String, Shape> shapes = InputShapes.resolve(graph, args.options("input-shape"), "input-shape");
        GraphSummary s = GraphSummary.of(graph, shapes);
        GraphSummary o = args.flag("optimized") ? s : GraphSummary.of(optimized.graph(), shapes);
        if (args.json()) {
            Map<String, Object> j = json(model.toString(), s);
            Map<String, Object> opt = new LinkedHashMap<>();
            opt.put("shown", args.flag("optimized"));
            opt.put("nodes", optimized.nodesAfter());
            opt.put("buffer_floats", o.bufferFloats());
            Map<String, Object> passes = new LinkedHashMap<>();
            optimized.reports().forEach(r -> passes.put(r.pass(), r.changes().size()));
            opt.put("passes", passes);
            j.put("optimized", opt);
            out.println(JsonWriter.write(j));
        } else {
            out.print(table(model.toString(), s));
            out.printf(Locale.ROOT, "optimised for inference%s: %s, %.1f MB of activation buffers%n",
                    args.flag("optimized") ? " (shown above)" : " (as run, bench and eval execute it; --optimized shows it)",
                    optimized.summary(), o.bufferFloats() * 4 / 1e6);
        }
        return CliException.OK;
    }

    /** The text report: a header line, one row per node, the totals. */
    static String table(String model, GraphSummary s) {
        String[] head = {"node", "op", "output shape", "params", "MACs"};
        List<String[]> rows = new ArrayList<>();
        for (NodeSummary n : s.nodes()) {
            rows.add(new String[] {n.name(), n.opType(), n.outputShape().toString(), grouped(n.params()),
                n.folded() ? "folded" : grouped(n.macs())});
        }
        int[] width = new int[head.length];
        for (int c = 0; c < head.length; c++) {
            width[c] = head[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("model ").append(model).append(" (graph '").append(s.graphName()).append("'), ")
                .append(s.inputShapes().size() == 1 ? "input" : "inputs");
        s.inputShapes().forEach((name, shape) -> sb.append(" '").append(name).append("' ").append(shape));
        sb.append("\n\n");
        appendRow(sb, head, width);
        for (String[] r : rows) {
            appendRow(sb, r, width);
        }
        long folded = s.nodes().stream().filter(NodeSummary::folded).count();
        sb.append(String.format(Locale.ROOT, "%ntotal: %s parameters (%.1f MB as float32)%s, %s MACs (%s)",
                grouped(s.params()), s.params() * 4 / 1e6,
                s.constants() > 0 ? " + " + grouped(s.constants()) + " constants (BN statistics and the like)" : "",
                grouped(s.macs()), scaled(s.macs())));
        sb.append(String.format(Locale.ROOT, ", %d node%s (%d folded), %.1f MB of activation buffers%n",
                s.nodes().size(), s.nodes().size() == 1 ? "" : "s", folded, s.bufferFloats() * 4 / 1e6));
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String[] cells, int[] width) {
        for (int c = 0; c < cells.length; c++) {
            boolean number = c >= 3;
            String fmt = "%" + (number ? "" : "-") + width[c] + "s";
            sb.append(c > 0 ? "  " : "").append(String.format(Locale.ROOT, fmt, cells[c]));
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }

    static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 1814083648 -> "1.81 G". */
    static String scaled(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f G", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        }
        if (n >= 1_000L) {
            return String.format(Locale.ROOT, "%.2f K", n / 1e3);
        }
        return Long.toString(n);
    }

    /** The {@code --json} object. */
    static Map<String, Object> json(String model, GraphSummary s) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("graph", s.graphName());
        Map<String, Object> inputs = new LinkedHashMap<>();
        s.inputShapes().forEach((name, shape) -> inputs.put(name, shape.dims()));
        j.put("inputs", inputs);
        j.put("params", s.params());
        j.put("constants", s.constants());
        j.put("macs", s.macs());
        j.put("buffer_floats", s.bufferFloats());
        List<Object> nodes = new ArrayList<>();
        for (NodeSummary n : s.nodes()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", n.name());
            row.put("op", n.opType());
            row.put("output_shape", n.outputShape().dims());
            row.put("params", n.params());
            row.put("macs", n.macs());
            row.put("folded", n.folded());
            nodes.add(row);
        }
        j.put("nodes", nodes);
        return j;
    }
}
