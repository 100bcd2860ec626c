package dev.minnow.zoo.cli;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Concrete shapes for a graph's inputs, as the command line gives them: {@code 1,3,224,224} for
 * a model with one input, {@code NAME=1,3,224,224} for a named one. Inputs not given keep their
 * declared shape with every unknown dimension (a symbolic batch size) set to 1.
 */
final class InputShapes {

    private InputShapes() {
    }

    /** The shape for every graph input, by name, in declaration order. */
    static Map<String, Shape> resolve(Graph graph, List<String> specs, String optionName) throws CliException {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (GraphInput in : graph.inputs()) {
            shapes.put(in.name(), withUnknownAsOne(in.shape()));
        }
        for (String spec : specs) {
            int eq = spec.lastIndexOf('=');
            String name;
            if (eq >= 0) {
                name = spec.substring(0, eq);
                if (!shapes.containsKey(name)) {
                    throw CliException.badInput("the model has no input named '" + name + "' (inputs: "
                            + String.join(", ", shapes.keySet()) + ")");
                }
            } else if (graph.inputs().size() == 1) {
                name = graph.inputs().get(0).name();
            } else {
                throw CliException.usage("the model has " + graph.inputs().size() + " inputs ("
                        + String.join(", ", shapes.keySet()) + "); name one: --" + optionName + " NAME=" + spec);
            }
            shapes.put(name, parseDims(spec.substring(eq + 1), optionName));
        }
        return shapes;
    }

    /** The declared shape with unknown dimensions set to 1. */
    static Shape withUnknownAsOne(Shape pattern) {
        int[] d = pattern.dims();
        for (int i = 0; i < d.length; i++) {
            if (d[i] == Shape.UNKNOWN) {
                d[i] = 1;
            }
        }
        return Shape.of(d);
    }

    /** {@code 1,3,224,224} (or {@code 1x3x224x224}); an empty text is a scalar. */
    static Shape parseDims(String text, String optionName) throws CliException {
        String t = text.strip();
        if (t.isEmpty()) {
            return Shape.scalar();
        }
        String[] parts = t.split("\\s*[,x]\\s*", -1);
        int[] dims = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                dims[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                dims[i] = -1;
            }
            if (dims[i] < 0) {
                throw CliException.usage("--" + optionName + " expects dimensions like 1,3,224,224, got '" + text + "'");
            }
        }
        try {
            return Shape.of(dims);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--" + optionName + " " + text + ": " + e.getMessage());
        }
    }
}
