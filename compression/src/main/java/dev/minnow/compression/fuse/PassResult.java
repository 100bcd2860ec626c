package dev.minnow.compression.fuse;

import dev.minnow.engine.graph.Graph;
import java.util.List;
import java.util.Set;

/**
 * What a {@link GraphPass} produced.
 *
 * @param graph           the rewritten graph (the input itself when nothing matched)
 * @param changes         one line per rewrite, e.g. {@code "folded bn1 into conv1"}
 * @param freshParameters initializers the pass created with new, untrained values (DeepRebirth's
 *                        merged layers); empty for exact passes
 */
public record PassResult(Graph graph, List<String> changes, Set<String> freshParameters) {

    public PassResult {
        changes = List.copyOf(changes);
        freshParameters = Set.copyOf(freshParameters);
    }

    /** An exact rewrite: no fresh parameters. */
    public static PassResult exact(Graph graph, List<String> changes) {
        return new PassResult(graph, changes, Set.of());
    }

    public boolean changed() {
        return !changes.isEmpty();
    }
}
