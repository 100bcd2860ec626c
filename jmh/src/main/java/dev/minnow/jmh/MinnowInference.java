package dev.minnow.jmh;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Map;
import java.util.Random;

/**
 * A single-input graph planned once for one input shape, with its input filled once: what every
 * inference benchmark measures is {@link #run()} alone, never planning or input preparation.
 */
public final class MinnowInference {
    private final Plan plan;
    private final Tensor input;

    private MinnowInference(Plan plan, Tensor input) {
        this.plan = plan;
        this.input = input;
    }

    /**
     * Plans {@code graph} for {@code inputShape} with {@code PlanOptions.inference().withThreads(threads)}
     * and fills the input uniformly in {@code [-1, 1)} from {@code seed}.
     */
    public static MinnowInference plan(Graph graph, Shape inputShape, int threads, long seed) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException("graph '" + graph.name() + "' must have one input and one output, has "
                    + graph.inputs().size() + " and " + graph.outputs().size());
        }
        Plan plan = Plan.compile(graph, Map.of(graph.inputs().get(0).name(), inputShape),
                PlanOptions.inference().withThreads(threads));
        return new MinnowInference(plan, randomInput(inputShape, seed));
    }

    /** A tensor of the shape filled uniformly in {@code [-1, 1)}. */
    public static Tensor randomInput(Shape shape, long seed) {
        Tensor t = Tensor.zeros(shape);
        Random r = new Random(seed);
        float[] d = t.data();
        for (int i = t.offset(); i < t.offset() + t.size(); i++) {
            d[i] = 2 * r.nextFloat() - 1;
        }
        return t;
    }

    /** One inference; the output belongs to the plan and is overwritten by the next run. */
    public Tensor run() {
        return plan.runSingle(input);
    }

    public Tensor input() {
        return input;
    }

    public Plan plan() {
        return plan;
    }
}
