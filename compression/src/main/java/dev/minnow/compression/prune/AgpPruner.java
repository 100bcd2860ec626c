package dev.minnow.compression.prune;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradual pruning during training (Zhu and Gupta 2017): a {@link Trainer.StepListener} that, on
 * every pruning step of an {@link AgpSchedule}, recomputes each layer's magnitude mask for the
 * current target, intersects it with the previous one (a pruned weight never returns) and installs
 * it on the trainer, which zeroes the pruned weights and their optimizer state at once. Training
 * continues between pruning steps, so the network adapts while it is being pruned: no separate
 * prune / fine-tune rounds.
 *
 * <pre>
 *   Trainer t = new Trainer(g, config, optimizer);
 *   t.onStep(AgpPruner.perLayer(g, t, AgpSchedule.over(steps, 0.9, 0.75, 40), targets));
 *   t.fit(train, test);
 * </pre>
 */
public final class AgpPruner implements Trainer.StepListener {

    /** One pruning step: the step index, the overall target and the overall sparsity reached. */
    public record Step(long step, double target, double sparsity) {
    }

    private final Graph graph;
    private final Trainer trainer;
    private final AgpSchedule schedule;
    private final Map<String, Double> finals;
    private final boolean global;
    private final List<Step> history = new ArrayList<>();
    private Map<String, Tensor> masks = new LinkedHashMap<>();

    private AgpPruner(Graph graph, Trainer trainer, AgpSchedule schedule, Map<String, Double> finals, boolean global) {
        this.graph = graph;
        this.trainer = trainer;
        this.schedule = schedule;
        this.finals = new LinkedHashMap<>(finals);
        this.global = global;
        for (Map.Entry<String, Double> e : finals.entrySet()) {
            MagnitudePruner.weight(graph, e.getKey());
            MagnitudePruner.checkSparsity(e.getValue(), "AGP final sparsity of '" + e.getKey() + "'");
        }
    }

    /** Per-layer targets: layer {@code l} goes from the schedule's s_i to {@code finals.get(l)} on the same curve. */
    public static AgpPruner perLayer(Graph g, Trainer trainer, AgpSchedule schedule, Map<String, Double> finals) {
        return new AgpPruner(g, trainer, schedule, finals, false);
    }

    /** Every prunable layer pruned to the schedule's own final sparsity. */
    public static AgpPruner uniform(Graph g, Trainer trainer, AgpSchedule schedule) {
        Map<String, Double> f = new LinkedHashMap<>();
        PrunableWeights.of(g).forEach(n -> f.put(n, schedule.finalSparsity()));
        return perLayer(g, trainer, schedule, f);
    }

    /** One global magnitude threshold over all prunable layers, its overall sparsity following the schedule. */
    public static AgpPruner global(Graph g, Trainer trainer, AgpSchedule schedule) {
        Map<String, Double> f = new LinkedHashMap<>();
        PrunableWeights.of(g).forEach(n -> f.put(n, schedule.finalSparsity()));
        return new AgpPruner(g, trainer, schedule, f, true);
    }

    @Override
    public void afterStep(int epoch, int step, int stepsPerEpoch) {
        long t = (long) epoch * stepsPerEpoch + step;
        if (!schedule.isPruningStep(t)) {
            return;
        }
        Map<String, Tensor> next;
        double target;
        if (global) {
            target = schedule.sparsityAt(t);
            next = MagnitudePruner.global(graph, new ArrayList<>(finals.keySet()), target);
        } else {
            Map<String, Double> now = new LinkedHashMap<>();
            long weights = 0;
            double pruned = 0;
            for (Map.Entry<String, Double> e : finals.entrySet()) {
                double s = schedule.sparsityAt(t, e.getValue());
                now.put(e.getKey(), s);
                long n = graph.initializer(e.getKey()).size();
                weights += n;
                pruned += s * n;
            }
            target = weights == 0 ? 0 : pruned / weights;
            next = MagnitudePruner.bySparsity(graph, now);
        }
        masks = MagnitudePruner.intersect(masks, next);
        MagnitudePruner.attach(trainer, masks);
        history.add(new Step(t, target, MagnitudePruner.sparsity(graph).overall()));
    }

    /** The masks installed so far (to keep them through later fine-tuning). */
    public Map<String, Tensor> masks() {
        return masks;
    }

    /** Every pruning step taken, in order. */
    public List<Step> history() {
        return List.copyOf(history);
    }
}
