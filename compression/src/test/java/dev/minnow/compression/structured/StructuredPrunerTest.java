package dev.minnow.compression.structured;

import static dev.minnow.compression.structured.TinyGraphs.assertClose;
import static dev.minnow.compression.structured.TinyGraphs.input;
import static dev.minnow.compression.structured.TinyGraphs.randomized;
import static dev.minnow.compression.structured.TinyGraphs.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ranking (L1, mean activation), the fraction and MAC targets, counted independently by GraphSummary. */
class StructuredPrunerTest {

    /** Two residual stages, a concat and a classifier: every kind of group at once. */
    private static Graph net() {
        ModelBuilder b = new ModelBuilder("net", 3);
        String x = b.input("input", Shape.UNKNOWN, 3, 12, 12);
        String a = b.relu(b.batchNorm(b.conv(x, ConvSpec.same(16, 3).named("stem"))));
        String r = b.relu(b.batchNorm(b.conv(a, ConvSpec.same(16, 3).named("b1"))));
        r = b.batchNorm(b.conv(r, ConvSpec.same(16, 3).named("b2")));
        a = b.relu(b.add(r, a));
        String p = b.relu(b.conv(a, ConvSpec.same(12, 3).withStride(2).named("p")));
        String q = b.relu(b.conv(a, ConvSpec.of(12, 1).withStride(2).named("q")));
        String c = b.relu(b.conv(b.concat(p, q), ConvSpec.same(24, 3).named("c")));
        String h = b.relu(b.dense(b.flatten(b.globalAvgPool(c)), 20, "fc1"));
        return b.output(b.dense(h, 5, "fc2")).build();
    }

    private static long convMacs(Graph g) {
        GraphSummary s = GraphSummary.of(g, Map.of("input", Shape.of(1, 3, 12, 12)));
        return s.nodes().stream().filter(n -> n.opType().equals("Conv")).mapToLong(GraphSummary.NodeSummary::macs).sum();
    }

    @Test
    void l1ScoresAreFilterNormsOverTheLayerMeanAndTheLowestGoFirst() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 1, 3, 3);
        String a = b.relu(b.conv(x, ConvSpec.of(4, 1).named("a")));
        b.output(b.conv(a, ConvSpec.of(2, 1).named("o")));
        Graph g = b.build();
        // filters of 1 weight each: |w| = 3, 1, 4, 2 -> mean 2.5
        g = g.toBuilder().initializer("a.weight", Tensor.of(Shape.of(4, 1, 1, 1), 3f, -1f, 4f, -2f)).build();
        ChannelGroups groups = ChannelGroups.of(g);
        double[] s = ChannelRanking.l1(groups);
        assertThat(s[groups.classOf("a", 0)]).isCloseTo(3 / 2.5, within(1e-9));
        assertThat(s[groups.classOf("a", 1)]).isCloseTo(1 / 2.5, within(1e-9));
        BitSet half = StructuredPruner.selectFraction(groups, s, 0.5);
        assertThat(half.cardinality()).isEqualTo(2);
        assertThat(half.get(groups.classOf("a", 1))).isTrue();
        assertThat(half.get(groups.classOf("a", 3))).isTrue();
        Graph pruned = ChannelRemoval.remove(groups, half);
        assertThat(pruned.initializer("a.weight").toFloatArray()).containsExactly(3f, 4f);
    }

    @Test
    void aResidualClassScoresTheSumOfItsMembersNormalisedNorms() {
        Graph g = randomized(net(), 5);
        ChannelGroups groups = ChannelGroups.of(g);
        double[] s = ChannelRanking.l1(groups);
        int cls = groups.classOf("stem", 7);
        Tensor stem = g.initializer("stem.weight");
        Tensor b2 = g.initializer("b2.weight");
        assertThat(s[cls]).isCloseTo(norm(stem, 7) / meanNorm(stem) + norm(b2, 7) / meanNorm(b2), within(1e-9));
    }

    private static double norm(Tensor w, int filter) {
        int per = w.size() / w.shape().dim(0);
        double n = 0;
        for (int i = 0; i < per; i++) {
            n += Math.abs(w.get(filter * per + i));
        }
        return n;
    }

    private static double meanNorm(Tensor w) {
        double total = 0;
        for (int f = 0; f < w.shape().dim(0); f++) {
            total += norm(w, f);
        }
        return total / w.shape().dim(0);
    }

    @Test
    void uniformFractionRemovesThatShareOfEveryGroup() {
        Graph g = randomized(net(), 5);
        StructuredPruner.Result r = StructuredPruner.byFraction(g, 0.5);
        Graph p = r.graph();
        assertThat(p.initializer("stem.weight").shape()).isEqualTo(Shape.of(8, 3, 3, 3));
        assertThat(p.initializer("b1.weight").shape()).isEqualTo(Shape.of(8, 8, 3, 3));
        assertThat(p.initializer("b2.weight").shape()).isEqualTo(Shape.of(8, 8, 3, 3));
        assertThat(p.initializer("p.weight").shape().dim(0) + p.initializer("q.weight").shape().dim(0)).isEqualTo(12);
        assertThat(p.initializer("c.weight").shape()).isEqualTo(Shape.of(12, 12, 3, 3));
        assertThat(p.initializer("fc1.weight").shape()).isEqualTo(Shape.of(10, 12));
        assertThat(p.initializer("fc2.weight").shape()).isEqualTo(Shape.of(5, 10));
        assertThat(r.convMacsAfter()).isEqualTo(convMacs(p));
        assertThat(r.convMacsBefore()).isEqualTo(convMacs(g));
        Tensor x = input(1, 2, 3, 12, 12);
        assertClose(run(r.masked(), x), run(p, x), "pruned vs masked");
    }

    @Test
    void macTargetsAreReachedWhenCountedIndependently() {
        Graph g = randomized(net(), 9);
        long before = convMacs(g);
        for (StructuredPruner.Allocation a : StructuredPruner.Allocation.values()) {
            StructuredPruner.Result r = StructuredPruner.byMacs(g, 0.5, a);
            long after = convMacs(r.graph());
            assertThat(after).as(a.label()).isLessThanOrEqualTo(before / 2).isEqualTo(r.convMacsAfter());
            assertThat(r.convMacReduction()).isCloseTo(1 - (double) after / before, within(1e-9));
            Tensor x = input(2, 1, 3, 12, 12);
            assertClose(run(r.masked(), x), run(r.graph(), x), a.label());
        }
        // uniform: the smallest common fraction that reaches the target, not much more
        StructuredPruner.Result u = StructuredPruner.byMacs(g, 0.5, StructuredPruner.Allocation.UNIFORM);
        assertThat(u.convMacReduction()).isBetween(0.5, 0.62);
    }

    @Test
    void meanActivationRanksADeadNeuronLast() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 4);
        String h = b.relu(b.dense(x, 3, "fc1"));
        b.output(b.dense(h, 2, "fc2"));
        Graph g = randomized(b.build(), 3);
        // neuron 1 has a large negative bias: ReLU keeps it at zero for these inputs
        Tensor bias = g.initializer("fc1.bias").copy();
        bias.set(-100f, 1);
        g = g.toBuilder().initializer("fc1.bias", bias).build();
        ChannelGroups groups = ChannelGroups.of(g);
        double[] s = ChannelRanking.meanActivation(groups, List.of(input(1, 16, 4), input(2, 16, 4)), 1);
        assertThat(s[groups.classOf(h, 1)]).isEqualTo(0.0);
        assertThat(s[groups.classOf(h, 0)]).isGreaterThan(0.0);
        BitSet one = StructuredPruner.selectFraction(groups, s, 0.34);
        assertThat(one.cardinality()).isEqualTo(1);
        assertThat(one.get(groups.classOf(h, 1))).isTrue();
        // removing a neuron that never fires changes nothing at all
        Graph pruned = ChannelRemoval.remove(groups, one);
        Tensor in = input(4, 5, 4);
        assertThat(run(pruned, in)).containsExactly(run(g, in), within(1e-5f));
    }

    @Test
    void theWeakestBranchIsTheOneWhoseBatchNormScalesItDown() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 3, 5, 5);
        String a = b.relu(b.batchNorm(b.conv(x, ConvSpec.same(6, 3).named("stem"))));
        for (String block : List.of("one", "two")) {
            String r = b.relu(b.batchNorm(b.conv(a, ConvSpec.same(6, 3).named(block + "1"))));
            a = b.relu(b.add(b.batchNorm(b.conv(r, ConvSpec.same(6, 3).named(block + "2"))), a));
        }
        b.output(b.conv(a, ConvSpec.of(2, 1).named("head")));
        Graph g = randomized(b.build(), 41);
        // block "two": its last BN multiplies by about 0.01
        Node bn = g.consumers("two2").get(0);
        Tensor gamma = g.initializer(bn.input(1)).copy();
        for (int c = 0; c < 6; c++) {
            gamma.set(0.01f, c);
        }
        g = g.toBuilder().initializer(bn.input(1), gamma).build();
        ChannelGroups groups = ChannelGroups.of(g);
        int two = groups.classes().get(groups.classOf("two1", 0)).group();
        int one = groups.classes().get(groups.classOf("one1", 0)).group();
        assertThat(StructuredPruner.residualBranches(groups)).containsExactly(one, two);
        assertThat(StructuredPruner.weakestBranches(groups, 1)).containsExactly(two);
        assertThat(StructuredPruner.weakestBranches(groups, 5)).containsExactly(two, one);
        Graph pruned = StructuredPruner.prune(groups, StructuredPruner.withWholeGroups(groups, new BitSet(), List.of(two)))
                .graph();
        assertThat(pruned.node("two1")).isNull();
        assertThat(pruned.node("one1")).isNotNull();
    }
}
