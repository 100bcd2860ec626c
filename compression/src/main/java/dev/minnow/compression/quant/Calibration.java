package dev.minnow.compression.quant;

import dev.minnow.engine.data.Batches;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a float graph on a few batches and lets one {@link Observer} per tensor choose its range:
 * the calibration step of post-training quantization. Batches are drawn shuffled (with a fixed
 * seed) from the data given, which should be training data, never the test set the accuracy is
 * reported on.
 */
public final class Calibration {
    private Calibration() {
    }

    /**
     * The ranges of {@code tensors} observed on {@code batches} batches of {@code batchSize}
     * images; two passes over the same batches when the observer needs them.
     */
    public static Map<String, Range> ranges(Graph g, Collection<String> tensors, ImageDataset data, int batches,
                                            int batchSize, ObserverKind kind, int threads) {
        if (batches < 1) {
            throw new IllegalArgumentException("calibration needs at least one batch, got " + batches);
        }
        int size = Math.min(batchSize, data.size());
        int count = Math.max(1, Math.min(batches, data.size() / size));
        List<Tensor> inputs = new ArrayList<>();
        Batches drawn = new Batches(data, size, true, 17);
        for (int b = 0; b < count && drawn.hasNext(); b++) {
            inputs.add(drawn.next().copy());
        }
        return ranges(g, tensors, inputs, kind, threads);
    }

    /** The ranges of {@code tensors} observed while {@code g} runs on each of {@code inputs} (one shape). */
    public static Map<String, Range> ranges(Graph g, Collection<String> tensors, List<Tensor> inputs,
                                            ObserverKind kind, int threads) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one batch of inputs");
        }
        Shape shape = inputs.get(0).shape();
        Plan plan = Plan.compile(g, Map.of(g.inputs().get(0).name(), shape),
                PlanOptions.inference().withThreads(threads).withReuseBuffers(false));
        Map<String, Observer> observers = new LinkedHashMap<>();
        for (String t : tensors) {
            observers.put(t, kind.create());
        }
        pass(plan, observers, inputs, false);
        if (observers.values().stream().anyMatch(Observer::needsSecondPass)) {
            pass(plan, observers, inputs, true);
        }
        Map<String, Range> r = new LinkedHashMap<>();
        observers.forEach((t, o) -> r.put(t, o.range()));
        return r;
    }

    private static void pass(Plan plan, Map<String, Observer> observers, List<Tensor> inputs, boolean second) {
        for (Tensor x : inputs) {
            plan.run(x);
            for (Map.Entry<String, Observer> e : observers.entrySet()) {
                Tensor v = plan.value(e.getKey());
                if (second) {
                    e.getValue().observeAgain(v);
                } else {
                    e.getValue().observe(v);
                }
            }
        }
    }
}
