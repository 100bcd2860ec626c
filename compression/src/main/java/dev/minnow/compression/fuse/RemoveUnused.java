package dev.minnow.compression.fuse;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Dead-code elimination: removes nodes whose outputs nobody reads (and that write no graph
 * output), repeatedly, then initializers no node reads. What the other passes leave behind, and
 * what exporters sometimes ship (an unused auxiliary head, weights of a removed layer).
 */
public final class RemoveUnused implements GraphPass {

    @Override
    public String name() {
        return "remove-unused";
    }

    @Override
    public PassResult apply(Graph graph) {
        List<String> changes = new ArrayList<>();
        Graph g = graph;
        boolean again = true;
        while (again) {
            again = false;
            for (Node n : g.nodes()) {
                boolean used = false;
                for (String out : n.outputs()) {
                    used |= !out.isEmpty() && (!g.consumers(out).isEmpty() || GraphEdits.isGraphOutput(g, out));
                }
                if (!used) {
                    g = g.toBuilder().removeNode(n.name()).build();
                    changes.add("removed " + n.describe() + ": nothing reads its outputs");
                    again = true;
                    break;
                }
            }
        }
        Set<String> read = new HashSet<>(g.outputs());
        for (Node n : g.nodes()) {
            read.addAll(n.inputs());
        }
        List<String> unread = g.initializers().keySet().stream().filter(k -> !read.contains(k)).toList();
        if (!unread.isEmpty()) {
            Graph.Builder b = g.toBuilder();
            unread.forEach(b::removeInitializer);
            g = b.build();
            changes.add("removed " + unread.size() + " unread initializer" + (unread.size() == 1 ? "" : "s") + ": "
                    + String.join(", ", unread.size() <= 8 ? unread : unread.subList(0, 8))
                    + (unread.size() > 8 ? ", ..." : ""));
        }
        return PassResult.exact(g, changes);
    }
}
