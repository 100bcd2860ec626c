package dev.minnow.compression.structured;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.op.Clip;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.LeakyRelu;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How much each channel class matters: the lower its score, the sooner it is removed.
 *
 * <p><b>L1 norm of the filters</b> (Li, Kadav, Durdanovic, Samet and Graf 2017, "Pruning Filters
 * for Efficient ConvNets"): a filter {@code F_j = W[j, :, :, :]} whose weights are small, by
 * {@code s_j = sum |W[j, ...]|}, tends to produce weak feature maps, and removing it hurts least.
 * The paper ranks filters within one layer; a class of a dependency group may hold filters of
 * several layers (the convolutions feeding one ResNet shortcut, or a depthwise filter with the
 * pointwise filter before it), so its score is the sum over its members, each normalised by the
 * mean filter norm of its own layer so that a layer with wide filters does not outweigh the others:
 * <pre>
 *   score(class) = sum over member filters j of layer l:  s_j / mean_i(s_i of layer l)
 * </pre>
 * A fully connected neuron is ranked the same way by the L1 norm of its weight row.
 *
 * <p><b>Mean activation</b> (Molchanov et al. 2017 rank by it; Hu et al. 2016's "Network
 * Trimming" by its complement, the average percentage of zeros): run a few batches and average
 * {@code |y[n, c, ...]|} of each channel after its activation (the outputs of ReLU, Clip,
 * LeakyRelu nodes; a class with none uses all its tensors), each tensor normalised by its mean over
 * channels. A neuron that rarely fires contributes little to the next layer whatever its weights.
 */
public final class ChannelRanking {
    private ChannelRanking() {
    }

    /** The L1 score of every class (fixed classes included; they are never removed anyway). */
    public static double[] l1(ChannelGroups groups) {
        Graph g = groups.graph();
        double[] score = new double[groups.classes().size()];
        for (Node n : g.nodes()) {
            boolean conv = n.op() instanceof Conv;
            boolean gemm = n.op() instanceof Gemm;
            if ((!conv && !gemm) || !groups.isTracked(n.output()) || g.initializer(n.input(1)) == null) {
                continue;
            }
            String y = n.output();
            Tensor w = g.initializer(n.input(1));
            int units = groups.channels(y);
            double[] norms = new double[units];
            if (conv) {
                if (w.shape().dim(0) != units) {
                    continue;
                }
                int per = w.size() / units;
                for (int j = 0; j < units; j++) {
                    for (int i = 0; i < per; i++) {
                        norms[j] += Math.abs(w.get(j * per + i));
                    }
                }
            } else {
                Gemm op = (Gemm) n.op();
                if (w.rank() != 2 || w.shape().dim(op.transB() ? 0 : 1) != units) {
                    continue;
                }
                int rows = w.shape().dim(0);
                int cols = w.shape().dim(1);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        norms[op.transB() ? r : c] += Math.abs(w.get(r * cols + c));
                    }
                }
            }
            addNormalised(score, groups, y, norms);
        }
        return score;
    }

    /**
     * The mean-activation score of every class over the given batches (each a graph input of the
     * traced shape apart from the batch size; all batches the same size).
     */
    public static double[] meanActivation(ChannelGroups groups, List<Tensor> batches, int threads) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("mean-activation ranking needs at least one batch of inputs");
        }
        Graph g = groups.graph();
        Shape shape = batches.get(0).shape();
        Plan plan = Plan.compile(g, Map.of(g.inputs().get(0).name(), shape),
                PlanOptions.inference().withThreads(threads).withReuseBuffers(false));
        Map<String, double[]> sums = new HashMap<>();
        for (Tensor batch : batches) {
            plan.run(batch);
            for (String t : groups.tensors()) {
                Tensor v = plan.value(t);
                if (v == null) {
                    continue;
                }
                int n = v.shape().dim(0);
                int ch = v.shape().dim(1);
                int plane = v.size() / (n * ch);
                double[] acc = sums.computeIfAbsent(t, k -> new double[ch]);
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < ch; c++) {
                        double s = 0;
                        int off = (i * ch + c) * plane;
                        for (int p = 0; p < plane; p++) {
                            s += Math.abs(v.get(off + p));
                        }
                        acc[c] += s / plane;
                    }
                }
            }
        }
        double[] score = new double[groups.classes().size()];
        boolean[] hasActivation = new boolean[score.length];
        for (Node n : g.nodes()) {
            boolean activation = n.op() instanceof Relu || n.op() instanceof Clip || n.op() instanceof LeakyRelu;
            if (activation && sums.containsKey(n.output())) {
                for (int c = 0; c < groups.channels(n.output()); c++) {
                    hasActivation[groups.classOf(n.output(), c)] = true;
                }
            }
        }
        double[] fallback = new double[score.length];
        for (Node n : g.nodes()) {
            String t = n.output();
            double[] acc = sums.get(t);
            if (acc == null) {
                continue;
            }
            boolean activation = n.op() instanceof Relu || n.op() instanceof Clip || n.op() instanceof LeakyRelu;
            if (activation) {
                addNormalised(score, groups, t, acc);
            }
            addNormalised(fallback, groups, t, acc);
        }
        for (int c = 0; c < score.length; c++) {
            if (!hasActivation[c]) {
                score[c] = fallback[c];
            }
        }
        return score;
    }

    /** Adds {@code values[c] / mean(values)} to the score of the class of channel c of tensor t. */
    private static void addNormalised(double[] score, ChannelGroups groups, String t, double[] values) {
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= values.length;
        for (int c = 0; c < values.length; c++) {
            score[groups.classOf(t, c)] += mean > 0 ? values[c] / mean : 0;
        }
    }
}
