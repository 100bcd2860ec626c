package dev.minnow.compression.lowrank;

import java.util.List;
import java.util.Locale;

/**
 * What decomposing one layer did.
 *
 * @param node          the replaced node's name
 * @param method        "svd", "tucker2" or "cp"
 * @param ranks         {@code [k]} for SVD, {@code [R_in, R_out]} for Tucker-2, {@code [R]} for CP
 * @param nodes         the names of the nodes that replace it, first to last
 * @param relativeError {@code |W - W^|_F / |W|_F} of the layer's weights
 * @param keptEnergy    share of the singular values' energy kept (SVD; for Tucker-2 the smaller
 *                      of the two channel modes); NaN for CP
 * @param iterations    Jacobi sweeps (SVD), ALS iterations (CP), 0 (Tucker-2)
 * @param paramsBefore  parameters (weights and bias) of the layer
 * @param paramsAfter   parameters of the nodes replacing it
 * @param macsBefore    multiply-accumulates of the layer for one input (unknown dimensions taken as 1)
 * @param macsAfter     multiply-accumulates of the nodes replacing it
 */
public record LayerReport(String node, String method, int[] ranks, List<String> nodes, double relativeError,
                          double keptEnergy, int iterations, long paramsBefore, long paramsAfter, long macsBefore,
                          long macsAfter) {

    public LayerReport {
        ranks = ranks.clone();
        nodes = List.copyOf(nodes);
    }

    /** "64" (SVD, CP) or "in 10, out 25" (Tucker-2). */
    public String describeRanks() {
        return ranks.length == 2 ? "in " + ranks[0] + ", out " + ranks[1] : Integer.toString(ranks[0]);
    }

    /** {@code paramsBefore / paramsAfter}. */
    public double parameterReduction() {
        return paramsAfter == 0 ? Double.POSITIVE_INFINITY : (double) paramsBefore / paramsAfter;
    }

    /** {@code macsBefore / macsAfter}. */
    public double macReduction() {
        return macsAfter == 0 ? Double.POSITIVE_INFINITY : (double) macsBefore / macsAfter;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %s rank %s, params %d -> %d, MACs %d -> %d, relative error %.4f",
                node, method, describeRanks(), paramsBefore, paramsAfter, macsBefore, macsAfter, relativeError);
    }
}
