package dev.minnow.engine.graph;

import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph compiled for concrete input shapes: every tensor's shape inferred once, constants
 * folded, buffers allocated once, and a list of steps that {@link #run} executes in order.
 *
 * <p><b>Planning.</b> Nodes are visited in topological order. Each op infers its output types from
 * its inputs'; a failure names the node and lists what it received. A node whose inputs are all
 * constants (initializers, or results of other folded nodes) runs once here and its outputs become
 * constants ("constant folding": the {@code Shape -> Gather -> Unsqueeze -> Concat -> Reshape}
 * chains that exporters emit around {@code Flatten} vanish this way).
 *
 * <p><b>Memory.</b> With buffer reuse on, a tensor's buffer returns to a free list after its last
 * reader has run, and the next tensor that needs a buffer takes the smallest free one that is
 * large enough (a greedy best-fit planner over tensor lifetimes). Ops that only reshape their input
 * ({@link dev.minnow.engine.op.Op#isReshapeOfInput()}) get a view of the same storage and never
 * run. A concatenation of a batch-1 image's channels whose inputs are made by convolutions and
 * read by nothing else never runs either: the convolutions write straight into their slices of
 * its output (SqueezeNet's and GoogLeNet's blocks). A steady-state {@link #run} allocates nothing
 * but the views of caller-owned inputs.
 *
 * <p>A plan is not thread-safe: one plan, one thread at a time. Output tensors belong to the plan
 * and are overwritten by the next run; copy them to keep them.
 */
public final class Plan {
    private final Graph graph;
    private final PlanOptions options;
    private final Map<String, ValueInfo> infos;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Tensor[] values;
    private final List<Step> steps = new ArrayList<>();
    private final int[] inputIds;
    private final Shape[] inputShapes;
    private final int[] outputIds;
    private final ExecutionContext context;
    private final long bufferFloats;
    private final boolean[] perRunView;
    /** Steps that never run: concatenations whose inputs were written in place (BufferPlanner). */
    private final boolean[] elided;
    private boolean[] needsGrad;
    private Tensor[] grads;
    private final Map<String, Tensor> results = new LinkedHashMap<>();
    private final Map<String, Tensor> resultView = java.util.Collections.unmodifiableMap(results);
    private final Tensor[] singleInput = new Tensor[1];
    private long[] forwardNanos;
    private long[] backwardNanos;

    /**
     * Time spent in one node, summed over the runs since profiling was switched on.
     *
     * @param node     the node
     * @param forwardNanos  time in forward()
     * @param backwardNanos time in backward()
     */
    public record NodeTime(Node node, long forwardNanos, long backwardNanos) {
    }

    /**
     * Switches per-node timing on (resetting the totals) or off. Timing costs two
     * {@code System.nanoTime()} calls per node and run; {@code minnow profile} uses it.
     */
    public void setProfiling(boolean on) {
        forwardNanos = on ? new long[steps.size()] : null;
        backwardNanos = on ? new long[steps.size()] : null;
    }

    /** The per-node times accumulated since {@link #setProfiling}, in execution order. */
    public java.util.List<NodeTime> profile() {
        if (forwardNanos == null) {
            throw new GraphException("profiling is off; call setProfiling(true) and run first");
        }
        java.util.List<NodeTime> r = new ArrayList<>();
        for (int s = 0; s < steps.size(); s++) {
            r.add(new NodeTime(steps.get(s).node, forwardNanos[s], backwardNanos[s]));
        }
        return r;
    }

    private int stepIndex(Step step) {
        return step.position;
    }

    /** A node that runs at execution time, with its wiring resolved to value ids. */
    record Step(Node node, int index, int position, int[] in, int[] out, Tensor[] inArgs, Tensor[] outArgs,
                        Tensor[] inGrads, Tensor[] outGrads, boolean[] constantInputs) {
        boolean reshapeOnly() {
            return node.op().isReshapeOfInput();
        }
    }

    private Plan(Graph graph, Map<String, Shape> givenShapes, PlanOptions options) {
        this.graph = graph;
        this.options = options;
        this.infos = new LinkedHashMap<>();

        // 1. graph inputs: a concrete shape from the caller or from the declaration
        inputIds = new int[graph.inputs().size()];
        inputShapes = new Shape[graph.inputs().size()];
        for (int i = 0; i < graph.inputs().size(); i++) {
            GraphInput in = graph.inputs().get(i);
            Shape s = givenShapes.get(in.name());
            if (s == null) {
                if (!in.shape().isConcrete()) {
                    throw new GraphException("graph '" + graph.name() + "': input '" + in.name() + "' is declared as "
                            + in.shape() + "; give a concrete shape to plan it");
                }
                s = in.shape();
            } else if (!s.matches(in.shape())) {
                throw new GraphException("graph '" + graph.name() + "': input '" + in.name() + "' expects shape "
                        + in.shape() + ", got " + s);
            }
            inputShapes[i] = s;
            infos.put(in.name(), ValueInfo.of(in.type(), s));
            inputIds[i] = id(in.name());
        }
        for (String given : givenShapes.keySet()) {
            if (graph.inputs().stream().noneMatch(in -> in.name().equals(given))) {
                throw new GraphException("graph '" + graph.name() + "' has no input named '" + given + "' (inputs: "
                        + graph.inputs().stream().map(GraphInput::name).toList() + ")");
            }
        }
        // 2. initializers: constants unless declared variable
        for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
            Tensor t = e.getValue();
            infos.put(e.getKey(), options.variables().contains(e.getKey())
                    ? ValueInfo.of(t.type(), t.shape()) : ValueInfo.constant(t));
        }

        // 3. shape inference and constant folding, node by node
        context = new ExecutionContext(options.threads(), graph.nodes().size(), options.seed());
        List<Node> runtime = new ArrayList<>();
        for (int ni = 0; ni < graph.nodes().size(); ni++) {
            Node node = graph.nodes().get(ni);
            List<ValueInfo> ins = new ArrayList<>(node.inputs().size());
            boolean allConstant = true;
            for (String name : node.inputs()) {
                ValueInfo vi = name.isEmpty() ? null : infos.get(name);
                ins.add(vi);
                if (vi != null && !vi.isConstant()) {
                    allConstant = false;
                }
            }
            List<ValueInfo> outs;
            try {
                outs = node.op().inferOutputs(ins);
            } catch (RuntimeException ex) {
                throw new GraphException("node " + node.describe() + ": " + ex.getMessage() + " (inputs: "
                        + describeInputs(node, ins) + ")", ex);
            }
            if (outs.size() < node.outputs().size()) {
                throw new GraphException("node " + node.describe() + " names " + node.outputs().size()
                        + " outputs but the op produces " + outs.size());
            }
            boolean folded = outs.stream().limit(node.outputs().size()).allMatch(ValueInfo::isConstant);
            if (!folded && allConstant && !node.inputs().isEmpty()) {
                outs = fold(node, ni, ins, outs);
                folded = true;
            }
            for (int o = 0; o < node.outputs().size(); o++) {
                String name = node.outputs().get(o);
                if (!name.isEmpty()) {
                    infos.put(name, outs.get(o));
                }
            }
            if (!folded) {
                runtime.add(node);
            }
        }

        // 4. value ids for everything runtime nodes touch, then buffers
        for (String out : graph.outputs()) {
            id(out);
        }
        for (Node node : runtime) {
            node.inputs().forEach(n -> { if (!n.isEmpty()) id(n); });
            node.outputs().forEach(n -> { if (!n.isEmpty()) id(n); });
        }
        values = new Tensor[ids.size()];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            ValueInfo vi = infos.get(e.getKey());
            if (vi != null && vi.isConstant()) {
                values[e.getValue()] = vi.constant();
            } else if (graph.initializers().containsKey(e.getKey())) {
                values[e.getValue()] = graph.initializers().get(e.getKey());
            }
        }
        outputIds = graph.outputs().stream().mapToInt(ids::get).toArray();
        for (Node node : runtime) {
            int[] in = node.inputs().stream().mapToInt(n -> n.isEmpty() ? -1 : ids.get(n)).toArray();
            int[] out = node.outputs().stream().mapToInt(n -> n.isEmpty() ? -1 : ids.get(n)).toArray();
            boolean[] constant = new boolean[in.length];
            for (int i = 0; i < in.length; i++) {
                String name = node.inputs().get(i);
                constant[i] = !name.isEmpty() && infos.get(name) != null && infos.get(name).isConstant();
            }
            steps.add(new Step(node, graph.nodes().indexOf(node), steps.size(), in, out, new Tensor[in.length],
                    new Tensor[out.length], new Tensor[in.length], new Tensor[out.length], constant));
        }
        perRunView = new boolean[values.length];
        elided = new boolean[steps.size()];
        bufferFloats = BufferPlanner.allocate(steps, infos, outputIds, options.reuseBuffers(), values, perRunView,
                elided);
    }

    /** Plans a graph for the given input shapes (inputs declared with concrete shapes may be omitted). */
    public static Plan compile(Graph graph, Map<String, Shape> inputShapes, PlanOptions options) {
        return new Plan(graph, inputShapes, options);
    }

    /** Plans a graph with one input for the given input shape, with default options. */
    public static Plan compile(Graph graph, Shape inputShape) {
        if (graph.inputs().size() != 1) {
            throw new GraphException("graph '" + graph.name() + "' has " + graph.inputs().size()
                    + " inputs; give a shape for each by name");
        }
        return new Plan(graph, Map.of(graph.inputs().get(0).name(), inputShape), PlanOptions.inference());
    }

    private int id(String name) {
        return ids.computeIfAbsent(name, k -> ids.size());
    }

    private List<ValueInfo> fold(Node node, int index, List<ValueInfo> ins, List<ValueInfo> outs) {
        Tensor[] in = new Tensor[ins.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = ins.get(i) == null ? null : ins.get(i).constant();
        }
        Tensor[] out = new Tensor[node.outputs().size()];
        for (int o = 0; o < out.length; o++) {
            out[o] = Tensor.zeros(outs.get(o).shape(), outs.get(o).type());
        }
        ExecutionContext ctx = new ExecutionContext(options.threads(), 1, options.seed());
        try {
            node.op().forward(in, out, ctx);
        } catch (RuntimeException ex) {
            throw new GraphException("node " + node.describe() + " failed while folding constants: " + ex.getMessage(), ex);
        }
        List<ValueInfo> r = new ArrayList<>();
        for (Tensor t : out) {
            r.add(ValueInfo.constant(t));
        }
        return r;
    }

    private static String describeInputs(Node node, List<ValueInfo> ins) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ins.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            String n = node.inputs().get(i);
            sb.append(n.isEmpty() ? "<absent>" : "'" + n + "' " + ins.get(i));
        }
        return sb.append(']').toString();
    }

    /**
     * Runs the plan on one input per graph input, in declaration order. The returned map and its
     * tensors belong to the plan: they are updated in place by the next run.
     */
    public Map<String, Tensor> run(Tensor... inputs) {
        execute(inputs);
        return resultView;
    }

    /** Runs a single-input, single-output graph. The result is owned by the plan. */
    public Tensor runSingle(Tensor input) {
        if (outputIds.length != 1) {
            throw new GraphException("graph '" + graph.name() + "' has " + outputIds.length + " outputs; use run()");
        }
        singleInput[0] = input;      // no varargs array, no iterator: a steady-state run allocates nothing
        try {
            execute(singleInput);
        } finally {
            singleInput[0] = null;
        }
        return values[outputIds[0]];
    }

    private void execute(Tensor[] inputs) {
        if (inputs.length != inputIds.length) {
            throw new GraphException("graph '" + graph.name() + "' has " + inputIds.length + " inputs, got "
                    + inputs.length + " tensors");
        }
        Tensor[] vals = values;
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            GraphInput decl = graph.inputs().get(i);
            if (t.type() != decl.type() || !t.shape().equals(inputShapes[i])) {
                throw new GraphException("graph '" + graph.name() + "': input '" + decl.name() + "' was planned as "
                        + decl.type() + " " + inputShapes[i] + ", got " + t.type() + " " + t.shape());
            }
            vals[inputIds[i]] = t;
        }
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            if (step.reshapeOnly()) {
                if (perRunView[step.out[0]]) {
                    // a view of a caller-owned tensor: the only allocation of a steady-state run
                    vals[step.out[0]] = vals[step.in[0]].reshape(infos.get(step.node.output()).shape());
                }
                continue;
            }
            if (elided[s]) {
                continue;
            }
            for (int i = 0; i < step.in.length; i++) {
                step.inArgs[i] = step.in[i] < 0 ? null : vals[step.in[i]];
            }
            for (int i = 0; i < step.out.length; i++) {
                step.outArgs[i] = step.out[i] < 0 ? null : vals[step.out[i]];
            }
            context.enterNode(step.index, step.constantInputs);
            long start = forwardNanos != null ? System.nanoTime() : 0L;
            try {
                step.node.op().forward(step.inArgs, step.outArgs, context);
            } catch (RuntimeException ex) {
                throw new GraphException("node " + step.node.describe() + " failed: " + ex.getMessage(), ex);
            }
            if (forwardNanos != null) {
                forwardNanos[stepIndex(step)] += System.nanoTime() - start;
            }
        }
        for (int i = 0; i < outputIds.length; i++) {
            results.put(graph.outputs().get(i), vals[outputIds[i]]);   // replacing a value allocates nothing
        }
    }

    /**
     * Prepares the backward pass: from now on {@link #backward} computes the gradient of the loss
     * with respect to every tensor in {@code wrt} (trainable initializers declared as
     * {@link PlanOptions#variables()}, or graph inputs) and every intermediate tensor between them
     * and the outputs. The plan must have been made without buffer reuse, since the backward pass
     * reads every activation of the forward pass.
     *
     * @throws GraphException naming a node on the way that has no backward pass
     */
    public void requireGradients(java.util.Set<String> wrt) {
        requireGradients(wrt, Map.of());
    }

    /**
     * As {@link #requireGradients(java.util.Set)}, with caller-owned gradient tensors for some of
     * the tensors (a trainer passes its parameters' gradient tensors, so the backward pass writes
     * straight into them and nothing is copied).
     */
    public void requireGradients(java.util.Set<String> wrt, Map<String, Tensor> gradientBuffers) {
        if (options.reuseBuffers()) {
            throw new GraphException("graph '" + graph.name() + "': a plan for training needs "
                    + "PlanOptions.withReuseBuffers(false)");
        }
        needsGrad = new boolean[values.length];
        for (String name : wrt) {
            Integer id = ids.get(name);
            if (id == null) {
                throw new GraphException("graph '" + graph.name() + "': no run-time tensor named '" + name
                        + "' to differentiate (is it a variable of the plan?)");
            }
            needsGrad[id] = true;
        }
        for (Step step : steps) {
            boolean any = false;
            for (int in : step.in) {
                any |= in >= 0 && needsGrad[in];
            }
            if (!any) {
                continue;
            }
            if (!step.node.op().hasBackward()) {
                throw new GraphException("node " + step.node.describe() + " has no backward pass, so the graph "
                        + "cannot be trained through it");
            }
            for (int out : step.out) {
                if (out >= 0) {
                    needsGrad[out] = true;
                }
            }
        }
        grads = new Tensor[values.length];
        for (Map.Entry<String, Tensor> e : gradientBuffers.entrySet()) {
            Integer id = ids.get(e.getKey());
            if (id != null && needsGrad[id]) {
                Tensor val = values[id];
                ValueInfo vi = val != null ? ValueInfo.of(val.type(), val.shape()) : infoById(id);
                if (!e.getValue().shape().equals(vi.shape()) || e.getValue().type() != vi.type()) {
                    throw new GraphException("gradient buffer for '" + e.getKey() + "' is " + e.getValue().type() + " "
                            + e.getValue().shape() + " but the tensor is " + vi.type() + " " + vi.shape());
                }
                grads[id] = e.getValue();
            }
        }
        for (int v = 0; v < values.length; v++) {
            if (needsGrad[v] && grads[v] == null) {
                Tensor val = values[v];
                grads[v] = val != null ? Tensor.zeros(val.shape(), val.type())
                        : Tensor.zeros(infoById(v).shape(), infoById(v).type());
            }
        }
    }

    private ValueInfo infoById(int id) {
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            if (e.getValue() == id) {
                return infos.get(e.getKey());
            }
        }
        throw new IllegalStateException("no tensor with id " + id);
    }

    /**
     * Back-propagates from the gradients of the graph outputs (by name; a missing output counts
     * as zero) through every node of the last {@link #run}, in reverse order. Afterwards
     * {@link #gradient} holds the gradient of each tensor given to {@link #requireGradients}.
     */
    public void backward(Map<String, Tensor> outputGrads) {
        if (grads == null) {
            throw new GraphException("graph '" + graph.name() + "': call requireGradients before backward");
        }
        for (Tensor g : grads) {
            if (g != null) {
                g.fillZero();
            }
        }
        for (Map.Entry<String, Tensor> e : outputGrads.entrySet()) {
            Integer id = ids.get(e.getKey());
            if (id == null || grads[id] == null) {
                throw new GraphException("graph '" + graph.name() + "': '" + e.getKey()
                        + "' is not an output that depends on the differentiated tensors");
            }
            grads[id].copyFrom(e.getValue());
        }
        for (int s = steps.size() - 1; s >= 0; s--) {
            Step step = steps.get(s);
            boolean anyIn = false;
            for (int in : step.in) {
                anyIn |= in >= 0 && needsGrad[in];
            }
            if (!anyIn) {
                continue;
            }
            Tensor[] outGrads = step.outGrads;
            for (int i = 0; i < step.out.length; i++) {
                outGrads[i] = step.out[i] < 0 ? null : grads[step.out[i]];
            }
            Tensor[] inGrads = step.inGrads;
            for (int i = 0; i < step.in.length; i++) {
                inGrads[i] = step.in[i] >= 0 && needsGrad[step.in[i]] ? grads[step.in[i]] : null;
                step.inArgs[i] = step.in[i] < 0 ? null : values[step.in[i]];
            }
            for (int i = 0; i < step.out.length; i++) {
                step.outArgs[i] = step.out[i] < 0 ? null : values[step.out[i]];
            }
            context.enterNode(step.index);
            long start = backwardNanos != null ? System.nanoTime() : 0L;
            try {
                step.node.op().backward(step.inArgs, step.outArgs, outGrads, inGrads, context);
            } catch (RuntimeException ex) {
                throw new GraphException("node " + step.node.describe() + " failed in the backward pass: "
                        + ex.getMessage(), ex);
            }
            if (backwardNanos != null) {
                backwardNanos[s] += System.nanoTime() - start;
            }
        }
    }

    /** The gradient computed by the last {@link #backward} for a tensor, or {@code null} if none is kept. */
    public Tensor gradient(String tensorName) {
        Integer id = ids.get(tensorName);
        return grads == null || id == null ? null : grads[id];
    }

    public Graph graph() {
        return graph;
    }

    public PlanOptions options() {
        return options;
    }

    public ExecutionContext context() {
        return context;
    }

    /** The inferred type, shape and (when folded) value of any tensor of the graph. */
    public ValueInfo info(String tensorName) {
        ValueInfo vi = infos.get(tensorName);
        if (vi == null) {
            throw new GraphException("graph '" + graph.name() + "' has no tensor named '" + tensorName + "'");
        }
        return vi;
    }

    /** Nodes that run at execution time (not folded), in order. */
    public List<Node> runtimeNodes() {
        return steps.stream().map(Step::node).toList();
    }

    /** Floats held by the plan's intermediate buffers (after reuse). */
    public long bufferFloats() {
        return bufferFloats;
    }

    /** The current value of a tensor after a run (intermediate values may have been overwritten when buffers are reused). */
    public Tensor value(String tensorName) {
        Integer id = ids.get(tensorName);
        if (id == null) {
            ValueInfo vi = infos.get(tensorName);
            if (vi != null && vi.isConstant()) {
                return vi.constant();
            }
            throw new GraphException("graph '" + graph.name() + "': tensor '" + tensorName + "' is not kept by this plan");
        }
        return values[id];
    }

    @Override
    public String toString() {
        return "Plan(" + graph.name() + ": " + steps.size() + " steps, " + bufferFloats + " buffer floats, inputs "
                + Arrays.toString(inputShapes) + ")";
    }
}
