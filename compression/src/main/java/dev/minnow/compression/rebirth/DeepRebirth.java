package dev.minnow.compression.rebirth;

import dev.minnow.compression.fuse.GraphPass;
import dev.minnow.compression.fuse.PassResult;
import dev.minnow.engine.graph.Graph;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * DeepRebirth (Li, Wang &amp; Kong 2018): the two merges that change the network to make it faster,
 * {@link StreamlineMerging} (pooling into the preceding convolution's stride, LRN and BN dropped)
 * and {@link BranchMerging} (an Inception module's 1x1 and pooling branches into its wider 3x3 and
 * 5x5 branches), applied to a trainable graph (before the exact optimisations, which make
 * inference-only ops). The merged layers start from fresh, seeded weights; retrain them with
 * {@link RebirthRetraining}. The result owns its weights (the unchanged ones are copies), so
 * retraining it in place leaves the input graph as it was.
 * <pre>{@code
 * DeepRebirth rebirth = new DeepRebirth(true, true, 42);
 * PassResult r = rebirth.apply(trained);                  // r.freshParameters(): the merged layers
 * RebirthRetraining.retrain(r.graph(), r.freshParameters(), data, config, optimizer, log);
 * Graph fast = GraphOptimizer.standard().optimize(r.graph()).graph();
 * }</pre>
 *
 * @param streamline merge pools, LRN and BN into the preceding convolutions
 * @param branch     merge Inception branches
 * @param seed       seed of the fresh weights
 */
public record DeepRebirth(boolean streamline, boolean branch, long seed) {

    /** One place the transform changes: a convolution (streamline) or an Inception module's Concat (branch). */
    public record Site(String pass, String node) {
        @Override
        public String toString() {
            return pass + " " + node;
        }
    }

    /** The passes this transform runs, streamline first. */
    public List<GraphPass> passes() {
        List<GraphPass> p = new ArrayList<>();
        if (streamline) {
            p.add(new StreamlineMerging(seed));
        }
        if (branch) {
            p.add(new BranchMerging(seed));
        }
        return p;
    }

    /** Every merge at once. */
    public PassResult apply(Graph graph) {
        return run(graph, passes());
    }

    /**
     * The sites the merges would change, in graph order (bottom to top): the steps of the
     * paper's layer-by-layer retraining.
     */
    public List<Site> sites(Graph graph) {
        List<Site> sites = new ArrayList<>();
        List<String> convs = streamline ? new StreamlineMerging(seed).sites(graph) : List.of();
        List<String> modules = branch ? new BranchMerging(seed).sites(graph) : List.of();
        for (var n : graph.nodes()) {
            if (convs.contains(n.name())) {
                sites.add(new Site("streamline", n.name()));
            } else if (modules.contains(n.name())) {
                sites.add(new Site("branch", n.name()));
            }
        }
        return sites;
    }

    /** The merge of one site only. */
    public PassResult applyAt(Graph graph, Site site) {
        GraphPass pass = site.pass().equals("streamline")
                ? new StreamlineMerging(seed, site.node()::equals)
                : new BranchMerging(seed, 0.5, site.node()::equals);
        return run(graph, List.of(pass));
    }

    private static PassResult run(Graph graph, List<GraphPass> passes) {
        Graph g = graph;
        List<String> changes = new ArrayList<>();
        Set<String> fresh = new HashSet<>();
        for (GraphPass p : passes) {
            PassResult r = p.apply(g);
            g = r.graph();
            r.changes().forEach(c -> changes.add(p.name() + ": " + c));
            fresh.addAll(r.freshParameters());
        }
        return new PassResult(ownWeights(g, graph), changes, fresh);
    }

    /** {@code g} with a copy of every initializer it still shares with {@code original}. */
    private static Graph ownWeights(Graph g, Graph original) {
        Set<Object> shared = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        shared.addAll(original.initializers().values());
        Graph.Builder b = g.toBuilder();
        boolean copied = false;
        for (var e : g.initializers().entrySet()) {
            if (shared.contains(e.getValue())) {
                b.initializer(e.getKey(), e.getValue().copy());
                copied = true;
            }
        }
        return copied ? b.build() : g;
    }
}
