package dev.minnow.zoo.cli;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code minnow profile}: where a forward pass spends its time, per op type and per node, and the
 * share of the "non-tensor" layers (everything but convolutions and fully-connected layers), the
 * motivating measurement of DeepRebirth (Li, Wang &amp; Kong 2018): on a phone's CPU, pooling, LRN,
 * batch norm and activations took a large part of GoogLeNet's time although they do almost none
 * of its arithmetic.
 */
final class ProfileCommand implements Command {

    private static final ArgSpec SPEC = ArgSpec.builder("profile", """
            Times every node of a model's forward pass (Plan.setProfiling): plans the model for
            batch B, runs it --warmup times untimed, then --iterations times with per-node timing,
            and prints the mean time per run of each op type and of the slowest nodes, as a share
            of the summed node times. Tensor layers are the ops that do multiply-accumulates
            (Conv, Gemm, MatMul and their fused forms); the others are DeepRebirth's non-tensor
            layers. The model is optimised for inference first (BN folded, activations fused)
            unless --no-optimize; to see the original layer mix, pass --no-optimize.""")
            .argument("MODEL", "a zoo name, a .mnw or an ONNX file")
            .option("batch", "B", "batch size (default: 1)")
            .option("threads", "T", "threads per op (default: one per core)")
            .option("iterations", "N", "timed runs (default: 20)")
            .option("warmup", "N", "untimed runs first (default: 5)")
            .option("top", "K", "how many of the slowest nodes to list (default: 10)")
            .repeatableOption("input-shape", "DIMS", "a whole input shape, for inputs with unknown dimensions "
                    + "other than the batch")
            .flag(InferenceOptimization.FLAG, InferenceOptimization.HELP)
            .example("minnow profile googlenet_bvlc --no-optimize --threads 2", "the paper's table: LRN and pooling")
            .example("minnow profile resnet18 --batch 8 --json", "one JSON object: op_types[], nodes[]")
            .build();

    /** Time of one node per run, with its op type and whether it is a tensor layer. */
    record NodeShare(String node, String opType, boolean tensor, double ms) {
    }

    /** Time of all nodes of one op type per run. */
    record TypeShare(String opType, int nodes, boolean tensor, double ms) {
    }

    /** A profile: mean wall time of a run, and the per-node and per-type means. */
    record Profile(Map<String, Shape> inputShapes, int threads, int iterations, double wallMs, List<NodeShare> nodes,
                   List<TypeShare> types, String kernels) {
        double nodeMs() {
            return nodes.stream().mapToDouble(NodeShare::ms).sum();
        }

        double tensorShare() {
            return nodes.stream().filter(NodeShare::tensor).mapToDouble(NodeShare::ms).sum() / nodeMs();
        }
    }

    @Override
    public String name() {
        return "profile";
    }

    @Override
    public String summary() {
        return "time per op type and per node of a forward pass (DeepRebirth's non-tensor share)";
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
        int top = args.intOption("top", 10, 0);
        String model = args.positional(0);
        Graph loaded = BenchCommand.loadModel(model);
        Graph graph = InferenceOptimization.apply(loaded, args, err);
        Map<String, Shape> shapes = BenchCommand.inputShapes(graph, batch, args.option("batch") != null,
                args.options("input-shape"));
        Profile p = profile(graph, shapes, threads, warmup, iterations);
        String graphNote = args.flag(InferenceOptimization.FLAG) ? "as loaded, " + graph.nodes().size() + " nodes"
                : "optimised for inference, " + loaded.nodes().size() + " -> " + graph.nodes().size() + " nodes";
        if (args.json()) {
            out.println(JsonWriter.write(json(model, graphNote, p)));
        } else {
            printText(model, graphNote, p, top, out);
        }
        return CliException.OK;
    }

    /** Plans, warms up, then times {@code iterations} runs node by node on seeded random inputs. */
    static Profile profile(Graph graph, Map<String, Shape> shapes, int threads, int warmup, int iterations) {
        Tensor[] inputs = BenchCommand.randomInputs(graph, shapes);
        Plan plan = Plan.compile(graph, shapes, PlanOptions.inference().withThreads(threads));
        Map<String, Long> macs = new LinkedHashMap<>();
        for (GraphSummary.NodeSummary n : GraphSummary.of(plan).nodes()) {
            macs.put(n.name(), n.macs());
        }
        for (int i = 0; i < warmup; i++) {
            plan.run(inputs);
        }
        plan.setProfiling(true);
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            plan.run(inputs);
        }
        double wallMs = (System.nanoTime() - start) / 1e6 / iterations;
        List<NodeShare> nodes = new ArrayList<>();
        Map<String, TypeShare> types = new LinkedHashMap<>();
        for (Plan.NodeTime t : plan.profile()) {
            String type = t.node().op().opType();
            boolean tensor = macs.getOrDefault(t.node().name(), 0L) > 0;
            double ms = t.forwardNanos() / 1e6 / iterations;
            nodes.add(new NodeShare(t.node().name(), type, tensor, ms));
            TypeShare old = types.get(type);
            types.put(type, old == null ? new TypeShare(type, 1, tensor, ms)
                    : new TypeShare(type, old.nodes() + 1, old.tensor() || tensor, old.ms() + ms));
        }
        List<TypeShare> byTime = new ArrayList<>(types.values());
        byTime.sort(Comparator.comparingDouble(TypeShare::ms).reversed());
        return new Profile(shapes, threads, iterations, wallMs, nodes, byTime, KernelProvider.kernels().name());
    }

    private static void printText(String model, String graphNote, Profile p, int top, PrintStream out) {
        out.print("model " + model + " (" + graphNote + "),");
        p.inputShapes().forEach((name, shape) -> out.print(" input '" + name + "' " + shape + ","));
        out.printf(Locale.ROOT, " %d thread%s, kernels: %s%n", p.threads(), p.threads() == 1 ? "" : "s", p.kernels());
        double total = p.nodeMs();
        out.printf(Locale.ROOT, "%d timed runs: %.3f ms per run, of which %.3f ms inside the nodes%n%n", p.iterations(),
                p.wallMs(), total);
        out.printf(Locale.ROOT, "%-22s %6s %10s %8s%n", "op type", "nodes", "ms/run", "share");
        for (TypeShare t : p.types()) {
            out.printf(Locale.ROOT, "%-22s %6d %10.3f %7.1f %%%n", t.opType() + (t.tensor() ? " *" : ""), t.nodes(),
                    t.ms(), 100 * t.ms() / total);
        }
        out.printf(Locale.ROOT, "%ntensor layers (*): %.1f %%, non-tensor layers: %.1f %%%n", 100 * p.tensorShare(),
                100 * (1 - p.tensorShare()));
        if (top > 0) {
            List<NodeShare> slow = new ArrayList<>(p.nodes());
            slow.sort(Comparator.comparingDouble(NodeShare::ms).reversed());
            slow = slow.subList(0, Math.min(top, slow.size()));
            int width = Math.max(4, slow.stream().mapToInt(n -> n.node().length()).max().orElse(4));
            out.printf(Locale.ROOT, "%nslowest nodes:%n%-" + width + "s  %-18s %10s %8s%n", "node", "op", "ms/run", "share");
            for (NodeShare n : slow) {
                out.printf(Locale.ROOT, "%-" + width + "s  %-18s %10.3f %7.1f %%%n", n.node(), n.opType(), n.ms(),
                        100 * n.ms() / total);
            }
        }
    }

    private static Map<String, Object> json(String model, String graphNote, Profile p) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("graph", graphNote);
        Map<String, Object> inputs = new LinkedHashMap<>();
        p.inputShapes().forEach((name, shape) -> inputs.put(name, shape.dims()));
        j.put("input_shapes", inputs);
        j.put("threads", p.threads());
        j.put("kernels", p.kernels());
        j.put("iterations", p.iterations());
        j.put("wall_ms", p.wallMs());
        j.put("node_ms", p.nodeMs());
        j.put("tensor_share", p.tensorShare());
        double total = p.nodeMs();
        List<Object> types = new ArrayList<>();
        for (TypeShare t : p.types()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("op", t.opType());
            row.put("nodes", t.nodes());
            row.put("tensor", t.tensor());
            row.put("ms", t.ms());
            row.put("share", t.ms() / total);
            types.add(row);
        }
        j.put("op_types", types);
        List<Object> nodes = new ArrayList<>();
        for (NodeShare n : p.nodes()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", n.node());
            row.put("op", n.opType());
            row.put("tensor", n.tensor());
            row.put("ms", n.ms());
            row.put("share", n.ms() / total);
            nodes.add(row);
        }
        j.put("nodes", nodes);
        return j;
    }
}
