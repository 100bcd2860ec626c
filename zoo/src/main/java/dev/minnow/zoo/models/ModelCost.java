package dev.minnow.zoo.models;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Clip;
import dev.minnow.engine.op.Dropout;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The size and cost of a network in the units papers and torchvision quote.
 *
 * <p><b>Parameters</b> are the learned values, what PyTorch's {@code model.parameters()} holds:
 * weights, biases, and batch norm's scale and shift. A graph stores more float initializers than
 * that, and they are counted apart:
 * <ul>
 *   <li>{@code batchNormStatistics}: BN's running mean and variance (inputs 3 and 4 of
 *       {@code BatchNormalization}), PyTorch's "buffers", estimated from data rather than
 *       learned; torchvision's parameter counts leave them out, and so does {@code parameters}.
 *       (PyTorch's {@code num_batches_tracked} counter has no counterpart.)</li>
 *   <li>settings: the bounds of {@code Clip} (ReLU6) and the ratio of {@code Dropout}, scalars
 *       that are part of the layer's definition, and any input an op declares not trainable
 *       ({@link dev.minnow.engine.op.Op#isTrainableInput}). They are in neither count.</li>
 * </ul>
 * An initializer shared by several nodes is counted once; one that no node reads is not counted.
 * So {@code parameters + batchNormStatistics} is what a file must store for the model, apart from
 * a few scalars. (Op#isTrainableInput is meant to say all this; until BatchNormalization, Clip and
 * Dropout declare it, the rules are spelled out here too.)
 *
 * <p><b>MACs</b> are the multiply-accumulates of one forward pass for one image, the sum of
 * {@link dev.minnow.engine.op.Op#macs} over the nodes of a plan (convolutions and fully connected
 * layers; pooling, activations, batch norm and additions count zero, as in the papers'
 * "multiply-adds" and in most FLOP counters, which count a multiply-add once).
 *
 * @param parameters          learned values
 * @param batchNormStatistics BN running means and variances
 * @param macs                multiply-accumulates of one forward pass at the given input
 */
public record ModelCost(long parameters, long batchNormStatistics, long macs) {

    /** The cost of a single-input graph for one input of {@code [1, dimsWithoutBatch...]}. */
    public static ModelCost of(Graph graph, int... dimsWithoutBatch) {
        int[] dims = new int[dimsWithoutBatch.length + 1];
        dims[0] = 1;
        System.arraycopy(dimsWithoutBatch, 0, dims, 1, dimsWithoutBatch.length);
        return of(Plan.compile(graph, Shape.of(dims)));
    }

    /** The cost of a planned graph, MACs at the planned input shapes. */
    public static ModelCost of(Plan plan) {
        Graph graph = plan.graph();
        Set<String> statistics = batchNormStatisticNames(graph);
        long parameters = 0;
        long stats = 0;
        for (String name : parameterNames(graph)) {
            parameters += graph.initializer(name).size();
        }
        for (String name : statistics) {
            stats += graph.initializer(name).size();
        }
        return new ModelCost(parameters, stats, macs(plan));
    }

    /**
     * The float initializers that are learned parameters (see the class comment), in the order
     * they were added to the graph: for the zoo's builders, the order of PyTorch's
     * {@code model.parameters()} for the same architecture.
     */
    public static List<String> parameterNames(Graph graph) {
        Set<String> excluded = batchNormStatisticNames(graph);
        Set<String> read = new HashSet<>();
        for (Node node : graph.nodes()) {
            for (int i = 0; i < node.inputs().size(); i++) {
                String name = node.inputs().get(i);
                read.add(name);
                if ((node.op() instanceof Clip || node.op() instanceof Dropout) && i >= 1
                        || !node.op().isTrainableInput(i)) {
                    excluded.add(name);
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
            if (e.getValue().type() == DataType.FLOAT && read.contains(e.getKey()) && !excluded.contains(e.getKey())) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    /** BN's running means and variances (inputs 3 and 4 of every BatchNormalization node). */
    private static Set<String> batchNormStatisticNames(Graph graph) {
        Set<String> names = new LinkedHashSet<>();
        for (Node node : graph.nodes()) {
            if (node.op() instanceof BatchNormalization) {
                for (int i = 3; i < node.inputs().size(); i++) {
                    String name = node.inputs().get(i);
                    if (!name.isEmpty() && graph.initializer(name) != null) {
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    private static long macs(Plan plan) {
        long total = 0;
        for (Node node : plan.runtimeNodes()) {
            List<ValueInfo> ins = new ArrayList<>();
            for (String in : node.inputs()) {
                ins.add(in.isEmpty() ? null : plan.info(in));
            }
            List<ValueInfo> outs = new ArrayList<>();
            for (String out : node.outputs()) {
                outs.add(out.isEmpty() ? null : plan.info(out));
            }
            total += node.op().macs(ins, outs);
        }
        return total;
    }
}
