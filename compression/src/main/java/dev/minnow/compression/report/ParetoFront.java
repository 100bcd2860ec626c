package dev.minnow.compression.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The Pareto front of a set of models that trade a quality to maximise (accuracy) against a cost
 * to minimise (bytes, latency, MACs): the models no other model beats on both.
 *
 * <p>Model {@code j} <b>dominates</b> model {@code i} when it is at least as good on both counts
 * and strictly better on one:
 * <pre>
 *   quality[j] &gt;= quality[i]  and  cost[j] &lt;= cost[i]  and  (quality[j] &gt; quality[i] or cost[j] &lt; cost[i])
 * </pre>
 * The front is the set of models no model dominates. Walking it from the cheapest to the dearest,
 * the quality rises strictly: every step buys accuracy with cost, and a model off the front is
 * one for which some other model is cheaper without being worse (or better without costing more).
 * Two models with exactly the same quality and cost are both on the front (neither dominates).
 * A model whose quality or cost is NaN (not measured) is never on it and dominates nothing.
 *
 * <p>The direct O(n^2) comparison of every pair: the sets compared here have tens of models.
 */
public final class ParetoFront {
    private ParetoFront() {
    }

    /**
     * Which models are on the front.
     *
     * @param quality higher is better (e.g. test accuracy)
     * @param cost    lower is better (e.g. file bytes)
     * @return {@code onFront[i]} for each model
     * @throws IllegalArgumentException when the arrays differ in length
     */
    public static boolean[] members(double[] quality, double[] cost) {
        if (quality.length != cost.length) {
            throw new IllegalArgumentException("Pareto front: " + quality.length + " quality values but " + cost.length
                    + " cost values; give one of each per model");
        }
        int n = quality.length;
        boolean[] on = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(quality[i]) || Double.isNaN(cost[i])) {
                continue;
            }
            boolean dominated = false;
            for (int j = 0; j < n && !dominated; j++) {
                dominated = j != i && dominates(quality[j], cost[j], quality[i], cost[i]);
            }
            on[i] = !dominated;
        }
        return on;
    }

    /** The indices of the models on the front, from the cheapest to the dearest (then by quality). */
    public static List<Integer> ordered(double[] quality, double[] cost) {
        boolean[] on = members(quality, cost);
        List<Integer> front = new ArrayList<>();
        for (int i = 0; i < on.length; i++) {
            if (on[i]) {
                front.add(i);
            }
        }
        front.sort(Comparator.<Integer>comparingDouble(i -> cost[i]).thenComparingDouble(i -> quality[i]));
        return front;
    }

    /** Whether {@code (qa, ca)} dominates {@code (qb, cb)}: no worse on both, strictly better on one. */
    static boolean dominates(double qa, double ca, double qb, double cb) {
        if (Double.isNaN(qa) || Double.isNaN(ca)) {
            return false;
        }
        return qa >= qb && ca <= cb && (qa > qb || ca < cb);
    }
}
