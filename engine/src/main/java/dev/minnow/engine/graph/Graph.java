package dev.minnow.engine.graph;

import dev.minnow.engine.op.Op;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A network as a directed acyclic graph of {@link Node}s connected by named tensors, as in ONNX:
 * graph inputs (fed by the caller), initializers (weights, stored with the graph), node outputs,
 * and the names of the graph outputs. Branches and joins (Inception, ResNet) are just tensors read
 * by several nodes or nodes reading several tensors.
 *
 * <p>Immutable. The constructor checks that every name is defined exactly once, that every node
 * input exists, and that there is no cycle; it stores the nodes in a topological order (keeping
 * the given order wherever it is already valid). Compression passes build a new graph with
 * {@link #toBuilder()}.
 */
public final class Graph {
    private final String name;
    private final List<GraphInput> inputs;
    private final List<String> outputs;
    private final Map<String, Tensor> initializers;
    private final List<Node> nodes;
    private final Map<String, Node> producers;
    private final Map<String, List<Node>> consumers;

    private Graph(String name, List<GraphInput> inputs, List<String> outputs, Map<String, Tensor> initializers,
                  List<Node> nodes) {
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        this.producers = new HashMap<>();
        Set<String> defined = new HashSet<>();
        for (GraphInput in : this.inputs) {
            if (!defined.add(in.name())) {
                throw new GraphException("graph '" + name + "': input '" + in.name() + "' is declared twice");
            }
        }
        for (String init : this.initializers.keySet()) {
            if (!defined.add(init)) {
                throw new GraphException("graph '" + name + "': initializer '" + init + "' has the name of a graph input");
            }
        }
        Set<String> nodeNames = new HashSet<>();
        for (Node n : nodes) {
            if (!nodeNames.add(n.name())) {
                throw new GraphException("graph '" + name + "': two nodes are named '" + n.name() + "'");
            }
            for (String out : n.outputs()) {
                if (out.isEmpty()) {
                    continue;
                }
                if (!defined.add(out)) {
                    throw new GraphException("graph '" + name + "': node " + n.describe() + " writes tensor '" + out
                            + "', which is already " + (producers.containsKey(out)
                            ? "written by node " + producers.get(out).describe() : "a graph input or initializer"));
                }
                producers.put(out, n);
            }
        }
        for (Node n : nodes) {
            for (String in : n.inputs()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new GraphException("graph '" + name + "': node " + n.describe() + " reads tensor '" + in
                            + "', which no input, initializer or node defines");
                }
            }
        }
        for (String out : this.outputs) {
            if (!defined.contains(out)) {
                throw new GraphException("graph '" + name + "': output '" + out + "' is not defined by any node");
            }
        }
        this.nodes = List.copyOf(topologicalOrder(nodes));
        Map<String, List<Node>> cons = new HashMap<>();
        for (Node n : this.nodes) {
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    cons.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
        cons.replaceAll((k, v) -> List.copyOf(v));
        this.consumers = cons;
    }

    /** Kahn's algorithm, taking ready nodes in their original order; throws naming a node on a cycle. */
    private List<Node> topologicalOrder(List<Node> given) {
        Map<Node, Integer> index = new HashMap<>();
        for (int i = 0; i < given.size(); i++) {
            index.put(given.get(i), i);
        }
        int[] missing = new int[given.size()];
        Map<String, List<Integer>> readers = new HashMap<>();
        for (int i = 0; i < given.size(); i++) {
            Set<String> seen = new HashSet<>();
            for (String in : given.get(i).inputs()) {
                if (!in.isEmpty() && producers.containsKey(in) && seen.add(in)) {
                    missing[i]++;
                    readers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
                }
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < given.size(); i++) {
            if (missing[i] == 0) {
                ready.add(i);
            }
        }
        List<Node> order = new ArrayList<>(given.size());
        while (!ready.isEmpty()) {
            Node n = given.get(ready.poll());
            order.add(n);
            for (String out : n.outputs()) {
                for (int r : readers.getOrDefault(out, List.of())) {
                    if (--missing[r] == 0) {
                        ready.add(r);
                    }
                }
            }
        }
        if (order.size() != given.size()) {
            for (int i = 0; i < given.size(); i++) {
                if (missing[i] > 0) {
                    throw new GraphException("graph '" + name + "' has a cycle through node " + given.get(i).describe());
                }
            }
        }
        return order;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder holding a copy of this graph, for passes that edit it. */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.inputs.addAll(inputs);
        b.outputs.addAll(outputs);
        b.initializers.putAll(initializers);
        b.nodes.addAll(nodes);
        return b;
    }

    public String name() {
        return name;
    }

    public List<GraphInput> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    /** Weights and other constants, by name, in insertion order. */
    public Map<String, Tensor> initializers() {
        return initializers;
    }

    public Tensor initializer(String tensorName) {
        return initializers.get(tensorName);
    }

    /** Nodes in a topological order. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The node that writes a tensor, or {@code null} for inputs and initializers. */
    public Node producer(String tensorName) {
        return producers.get(tensorName);
    }

    /** The nodes that read a tensor, in topological order. */
    public List<Node> consumers(String tensorName) {
        return consumers.getOrDefault(tensorName, List.of());
    }

    public Node node(String nodeName) {
        for (Node n : nodes) {
            if (n.name().equals(nodeName)) {
                return n;
            }
        }
        return null;
    }

    /** Total number of float parameters (elements of float initializers). */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : initializers.values()) {
            if (t.type() == DataType.FLOAT) {
                n += t.size();
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return "Graph(" + name + ": " + nodes.size() + " nodes, " + initializers.size() + " initializers, inputs "
                + inputs.stream().map(i -> i.name() + i.shape()).toList() + ", outputs " + outputs + ")";
    }

    /**
     * Collects the parts of a graph. Nodes may be added in any order; {@link #build()} validates
     * and sorts them.
     */
    public static final class Builder {
        private String name;
        private final List<GraphInput> inputs = new ArrayList<>();
        private final List<String> outputs = new ArrayList<>();
        private final Map<String, Tensor> initializers = new LinkedHashMap<>();
        private final List<Node> nodes = new ArrayList<>();
        private final Set<String> handedOut = new HashSet<>();

        private Builder(String name) {
            this.name = name == null || name.isEmpty() ? "graph" : name;
        }

        public Builder name(String newName) {
            this.name = newName;
            return this;
        }

        public Builder input(String inputName, DataType type, Shape shape) {
            inputs.add(new GraphInput(inputName, type, shape));
            return this;
        }

        /** A float input; use {@link Shape#UNKNOWN} for a dynamic batch. */
        public Builder input(String inputName, int... dims) {
            return input(inputName, DataType.FLOAT, Shape.pattern(dims));
        }

        public Builder initializer(String tensorName, Tensor value) {
            initializers.put(tensorName, value);
            return this;
        }

        public Builder removeInitializer(String tensorName) {
            initializers.remove(tensorName);
            return this;
        }

        public Builder node(Node node) {
            nodes.add(node);
            return this;
        }

        public Builder node(String nodeName, Op op, List<String> nodeInputs, List<String> nodeOutputs) {
            return node(new Node(nodeName, op, nodeInputs, nodeOutputs));
        }

        /** Replaces the node of the same name. */
        public Builder replaceNode(Node replacement) {
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i).name().equals(replacement.name())) {
                    nodes.set(i, replacement);
                    return this;
                }
            }
            throw new GraphException("graph '" + name + "' has no node '" + replacement.name() + "' to replace");
        }

        public Builder removeNode(String nodeName) {
            if (!nodes.removeIf(n -> n.name().equals(nodeName))) {
                throw new GraphException("graph '" + name + "' has no node '" + nodeName + "' to remove");
            }
            return this;
        }

        public Builder output(String tensorName) {
            outputs.add(tensorName);
            return this;
        }

        public Builder clearOutputs() {
            outputs.clear();
            return this;
        }

        public List<Node> nodes() {
            return Collections.unmodifiableList(nodes);
        }

        public Map<String, Tensor> initializers() {
            return Collections.unmodifiableMap(initializers);
        }

        public List<GraphInput> inputs() {
            return Collections.unmodifiableList(inputs);
        }

        public List<String> outputs() {
            return Collections.unmodifiableList(outputs);
        }

        /**
         * A name starting with {@code prefix} that no tensor, node or input of this builder uses,
         * and that this method has not handed out before: {@code prefix} itself when free, else
         * {@code prefix_1}, {@code prefix_2}, ...
         */
        public String freshName(String prefix) {
            Set<String> used = new HashSet<>(handedOut);
            for (GraphInput in : inputs) {
                used.add(in.name());
            }
            used.addAll(initializers.keySet());
            for (Node n : nodes) {
                used.add(n.name());
                used.addAll(n.outputs());
                used.addAll(n.inputs());
            }
            String candidate = prefix;
            for (int i = 1; used.contains(candidate); i++) {
                candidate = prefix + "_" + i;
            }
            handedOut.add(candidate);
            return candidate;
        }

        public Graph build() {
            return new Graph(name, inputs, outputs, initializers, nodes);
        }

        @Override
        public String toString() {
            return "Graph.Builder(" + name + ": " + nodes.size() + " nodes, inputs "
                    + Arrays.toString(inputs.stream().map(GraphInput::name).toArray()) + ")";
        }
    }
}
