package dev.minnow.engine.train;

import dev.minnow.engine.data.Batches;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphException;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * Test accuracy and loss of a classifier graph (one image input, one logits output) on a
 * dataset, in inference mode (BN uses running statistics, dropout is off).
 *
 * @param accuracy fraction in [0, 1]
 * @param loss     mean cross-entropy
 * @param samples  images evaluated
 */
public record Evaluation(double accuracy, double loss, int samples) {

    /** Evaluates with batches of {@code batchSize} on {@code threads} threads. */
    public static Evaluation of(Graph graph, ImageDataset data, int batchSize, int threads) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new GraphException("graph '" + graph.name() + "' must have one input and one output to be evaluated"
                    + " as a classifier; it has " + graph.inputs().size() + " and " + graph.outputs().size());
        }
        Map<Shape, Plan> plans = new HashMap<>();
        Batches batches = new Batches(data, batchSize, false, 0);
        double lossSum = 0;
        long hits = 0;
        while (batches.hasNext()) {
            Tensor x = batches.next();
            Plan plan = plans.computeIfAbsent(x.shape(), s -> Plan.compile(graph,
                    Map.of(graph.inputs().get(0).name(), s), PlanOptions.inference().withThreads(threads)));
            Tensor logits = plan.runSingle(x);
            int n = x.shape().dim(0);
            Tensor flat = logits.rank() == 2 ? logits : logits.reshape(Shape.of(n, logits.size() / n));
            if (flat.shape().dim(1) < data.classes()) {
                throw new GraphException("graph '" + graph.name() + "' outputs " + logits.shape() + " but the data has "
                        + data.classes() + " classes");
            }
            lossSum += SoftmaxCrossEntropy.lossAndGradient(flat, batches.labels(), null) * n;
            hits += SoftmaxCrossEntropy.correct(flat, batches.labels());
        }
        int n = data.size();
        return new Evaluation(n == 0 ? Double.NaN : (double) hits / n, n == 0 ? Double.NaN : lossSum / n, n);
    }
}
