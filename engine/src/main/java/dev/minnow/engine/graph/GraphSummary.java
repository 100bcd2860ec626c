package dev.minnow.engine.graph;

import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a planned graph holds and costs, node by node: the figures model summaries and
 * compression papers quote.
 *
 * <ul>
 *   <li><b>Parameters</b> of a node: the elements of the float initializers it reads (weights and
 *       biases; integer initializers such as Reshape's target shape are not parameters). The total
 *       counts each initializer once, even when several nodes share it, so it can be smaller than
 *       the sum of the rows; initializers no node reads are not counted.</li>
 *   <li><b>MACs</b>: multiply-accumulates of one forward pass, from {@link
 *       dev.minnow.engine.op.Op#macs} with the planned input and output types. A node the planner
 *       folded into a constant costs nothing at run time and counts zero.</li>
 * </ul>
 *
 * @param graphName    the graph's name
 * @param inputShapes  the concrete input shapes planned for, by input name
 * @param nodes        one row per node, in topological order
 * @param params       distinct float parameters read by the nodes: elements of the initializers
 *                     ops read as trainable inputs (weights, biases, BN scale and shift), the
 *                     figure torchvision and papers quote
 * @param constants    other float initializer elements (BN running statistics, Clip bounds, a
 *                     Dropout ratio): stored with the model, not learned
 * @param macs         total multiply-accumulates of one run
 * @param bufferFloats floats of activation memory the plan allocated (after buffer reuse)
 */
public record GraphSummary(String graphName, Map<String, Shape> inputShapes, List<NodeSummary> nodes,
                           long params, long constants, long macs, long bufferFloats) {

    public GraphSummary {
        inputShapes = Collections.unmodifiableMap(new LinkedHashMap<>(inputShapes));
        nodes = List.copyOf(nodes);
    }

    /**
     * One node's row.
     *
     * @param name         the node's name
     * @param opType       its ONNX op type
     * @param outputShapes shapes of the outputs the node writes (absent optional ones left out)
     * @param params       elements of the float initializers it reads as parameters
     * @param macs         multiply-accumulates of one run (zero when folded)
     * @param folded       true when the planner computed the node once, as a constant
     */
    public record NodeSummary(String name, String opType, List<Shape> outputShapes, long params, long macs,
                              boolean folded) {
        public NodeSummary {
            outputShapes = List.copyOf(outputShapes);
        }

        /** The first output's shape. */
        public Shape outputShape() {
            return outputShapes.get(0);
        }
    }

    /** Summarises a graph planned for the given input shapes (single-threaded planning). */
    public static GraphSummary of(Graph graph, Map<String, Shape> inputShapes) {
        return of(Plan.compile(graph, inputShapes, PlanOptions.inference().withThreads(1)));
    }

    /** Summarises a compiled plan. */
    public static GraphSummary of(Plan plan) {
        Graph graph = plan.graph();
        Set<Node> runtime = new LinkedHashSet<>(plan.runtimeNodes());
        Set<String> paramsSeen = new LinkedHashSet<>();
        Set<String> constantsSeen = new LinkedHashSet<>();
        long totalParams = 0;
        long totalConstants = 0;
        long totalMacs = 0;
        List<NodeSummary> rows = new ArrayList<>();
        for (Node node : graph.nodes()) {
            long params = 0;
            Set<String> read = new LinkedHashSet<>();
            List<ValueInfo> ins = new ArrayList<>();
            for (int i = 0; i < node.inputs().size(); i++) {
                String in = node.inputs().get(i);
                ins.add(in.isEmpty() ? null : plan.info(in));
                Tensor init = in.isEmpty() ? null : graph.initializer(in);
                if (init == null || init.type() != DataType.FLOAT) {
                    continue;
                }
                if (node.op().isTrainableInput(i)) {
                    if (read.add(in)) {
                        params += init.size();
                    }
                    if (paramsSeen.add(in)) {
                        totalParams += init.size();
                    }
                } else if (constantsSeen.add(in)) {
                    totalConstants += init.size();
                }
            }
            List<ValueInfo> outs = new ArrayList<>();
            List<Shape> shapes = new ArrayList<>();
            for (String out : node.outputs()) {
                ValueInfo vi = out.isEmpty() ? null : plan.info(out);
                outs.add(vi);
                if (vi != null) {
                    shapes.add(vi.shape());
                }
            }
            boolean folded = !runtime.contains(node);
            long macs = 0;
            if (!folded) {
                try {
                    macs = node.op().macs(ins, outs);
                } catch (RuntimeException e) {
                    throw new GraphException("node " + node.describe() + ": cannot count its MACs: " + e.getMessage(), e);
                }
            }
            totalMacs += macs;
            rows.add(new NodeSummary(node.name(), node.op().opType(), shapes, params, macs, folded));
        }
        Map<String, Shape> inputs = new LinkedHashMap<>();
        for (GraphInput in : graph.inputs()) {
            inputs.put(in.name(), plan.info(in.name()).shape());
        }
        return new GraphSummary(graph.name(), inputs, rows, totalParams, totalConstants, totalMacs, plan.bufferFloats());
    }
}
