package dev.minnow.engine.graph;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The embedding API: load a model once, then call {@link #run} from as many threads as you like.
 * <pre>{@code
 * InferenceSession session = new InferenceSession(OnnxReader.read(Path.of("resnet18.onnx")));
 * Tensor logits = session.run(image);          // thread-safe
 * }</pre>
 * A {@link Plan} holds the buffers of one execution, so it serves one thread at a time; the
 * session keeps a small pool of plans per input shape and lends one to each call, so concurrent
 * calls never share buffers and a steady stream of calls plans nothing new. Results are fresh
 * tensors owned by the caller. The graph's weights are shared and never written.
 */
public final class InferenceSession {
    private final Graph graph;
    private final PlanOptions options;
    private final Map<Shape, ConcurrentLinkedQueue<Plan>> idle = new ConcurrentHashMap<>();

    public InferenceSession(Graph graph) {
        this(graph, PlanOptions.inference());
    }

    public InferenceSession(Graph graph, PlanOptions options) {
        if (!options.reuseBuffers() || !options.variables().isEmpty()) {
            throw new IllegalArgumentException("an inference session needs inference plan options "
                    + "(buffer reuse on, no variables)");
        }
        this.graph = graph;
        this.options = options;
    }

    public Graph graph() {
        return graph;
    }

    /** Runs a single-input, single-output model; returns a new tensor. */
    public Tensor run(Tensor input) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new GraphException("graph '" + graph.name() + "' has " + graph.inputs().size() + " inputs and "
                    + graph.outputs().size() + " outputs; use run(Map)");
        }
        return run(Map.of(graph.inputs().get(0).name(), input)).values().iterator().next();
    }

    /** Runs the model on named inputs; returns new tensors by output name. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Tensor[] ordered = new Tensor[graph.inputs().size()];
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (int i = 0; i < ordered.length; i++) {
            String name = graph.inputs().get(i).name();
            Tensor t = inputs.get(name);
            if (t == null) {
                throw new GraphException("graph '" + graph.name() + "' needs input '" + name + "'; got "
                        + inputs.keySet());
            }
            ordered[i] = t;
            shapes.put(name, t.shape());
        }
        Shape key = ordered.length == 1 ? ordered[0].shape() : Shape.of(shapes.values().stream()
                .flatMapToInt(s -> java.util.Arrays.stream(s.dims())).toArray());
        ConcurrentLinkedQueue<Plan> pool = idle.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>());
        Plan plan = pool.poll();
        if (plan == null) {
            plan = Plan.compile(graph, shapes, options);
        }
        try {
            Map<String, Tensor> out = plan.run(ordered);
            Map<String, Tensor> copies = new LinkedHashMap<>();
            out.forEach((k, v) -> copies.put(k, v.copy()));
            return copies;
        } finally {
            pool.offer(plan);
        }
    }
}
