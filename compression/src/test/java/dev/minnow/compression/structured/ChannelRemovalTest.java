package dev.minnow.compression.structured;

import static dev.minnow.compression.structured.TinyGraphs.assertClose;
import static dev.minnow.compression.structured.TinyGraphs.input;
import static dev.minnow.compression.structured.TinyGraphs.randomized;
import static dev.minnow.compression.structured.TinyGraphs.run;
import static dev.minnow.compression.structured.TinyGraphs.zeroConvInputs;
import static dev.minnow.compression.structured.TinyGraphs.zeroLinearInputs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Add;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each kind of channel dependency on a tiny graph: which channels are tied, the shapes after
 * removal, and outputs equal to the original's with the removed channels zeroed where they are
 * read, a mask written by hand in each test (not {@link ChannelRemoval#mask}).
 */
class ChannelRemovalTest {

    private static BitSet removing(ChannelGroups g, String tensor, int... channels) {
        BitSet b = new BitSet();
        for (int c : channels) {
            b.set(g.classOf(tensor, c));
        }
        return b;
    }

    private static void assertSameOutputs(Graph pruned, Graph handMasked, Graph original, Tensor x) {
        float[] m = run(handMasked, x);
        assertClose(m, run(pruned, x), "pruned vs masked by hand");
        // the mask matters: the original differs, so equality above is not an accident
        float[] o = run(original, x);
        double diff = 0;
        for (int i = 0; i < o.length; i++) {
            diff = Math.max(diff, Math.abs(o[i] - m[i]));
        }
        assertThat(diff).isGreaterThan(1e-3);
    }

    @Test
    void convBnReluConvRemovesFiltersBnChannelsAndTheNextConvsInputs() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 3, 6, 6);
        String bn = b.batchNorm(b.conv(x, ConvSpec.same(8, 3).named("c1")));
        String r = b.relu(bn);
        b.output(b.conv(r, ConvSpec.same(5, 3).named("c2")));
        Graph g = randomized(b.build(), 7);
        ChannelGroups groups = ChannelGroups.of(g);

        assertThat(groups.classOf("c1", 3)).isEqualTo(groups.classOf(bn, 3)).isEqualTo(groups.classOf(r, 3))
                .isNotEqualTo(groups.classOf("c1", 4));
        assertThat(groups.classes().get(groups.classOf("c1", 3)).sources()).containsExactly("c1");
        assertThat(groups.classes().get(groups.classOf("c1", 3)).prunable()).isTrue();
        assertThat(groups.classes().get(groups.classOf("c2", 0)).fixedReason()).contains("graph output 'c2'");
        assertThat(groups.classes().get(groups.classOf("input", 0)).fixedReason()).contains("graph input 'input'");

        Graph pruned = ChannelRemoval.remove(groups, removing(groups, "c1", 1, 4));
        assertThat(pruned.initializer("c1.weight").shape()).isEqualTo(Shape.of(6, 3, 3, 3));
        assertThat(pruned.initializer("c1.bias").shape()).isEqualTo(Shape.of(6));
        assertThat(pruned.initializer(g.producer(bn).inputs().get(1)).shape()).isEqualTo(Shape.of(6));
        assertThat(pruned.initializer(g.producer(bn).inputs().get(4)).shape()).isEqualTo(Shape.of(6));
        assertThat(pruned.initializer("c2.weight").shape()).isEqualTo(Shape.of(5, 6, 3, 3));
        // the kept filters are the original ones, in order
        assertThat(pruned.initializer("c1.weight").get(2 * 27)).isEqualTo(g.initializer("c1.weight").get(3 * 27));
        assertSameOutputs(pruned, zeroConvInputs(g, "c2.weight", 1, 4), g, input(3, 2, 3, 6, 6));
    }

    @Test
    void residualAddTiesTheShortcutAndTheBranchIntoOneClass() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 4, 6, 6);
        String a = b.relu(b.batchNorm(b.conv(x, ConvSpec.same(8, 3).named("stem"))));
        String r1 = b.relu(b.batchNorm(b.conv(a, ConvSpec.same(8, 3).named("b1"))));
        String r2 = b.batchNorm(b.conv(r1, ConvSpec.same(8, 3).named("b2")));
        String s = b.relu(b.add(r2, a));
        b.output(b.conv(s, ConvSpec.of(5, 1).named("head")));
        Graph g = randomized(b.build(), 11);
        ChannelGroups groups = ChannelGroups.of(g);

        int cls = groups.classOf(a, 2);
        assertThat(groups.classOf("b2", 2)).isEqualTo(cls);
        assertThat(groups.classOf(s, 2)).isEqualTo(cls);
        assertThat(groups.classOf("b1", 2)).isNotEqualTo(cls);
        assertThat(groups.classes().get(cls).sources()).containsExactly("stem", "b2");
        ChannelGroups.Group group = groups.groups().get(groups.classes().get(cls).group());
        assertThat(group.sources()).containsExactly("stem", "b2");
        assertThat(group.tensors()).contains("stem", a, "b2", r2, s);

        BitSet removed = removing(groups, a, 2, 5);
        removed.or(removing(groups, "b1", 0));
        Graph pruned = ChannelRemoval.remove(groups, removed);
        assertThat(pruned.initializer("stem.weight").shape()).isEqualTo(Shape.of(6, 4, 3, 3));
        assertThat(pruned.initializer("b1.weight").shape()).isEqualTo(Shape.of(7, 6, 3, 3));
        assertThat(pruned.initializer("b2.weight").shape()).isEqualTo(Shape.of(6, 7, 3, 3));
        assertThat(pruned.initializer("head.weight").shape()).isEqualTo(Shape.of(5, 6, 1, 1));
        Graph masked = zeroConvInputs(zeroConvInputs(zeroConvInputs(g, "b1.weight", 2, 5), "head.weight", 2, 5),
                "b2.weight", 0);
        assertSameOutputs(pruned, masked, g, input(5, 2, 4, 6, 6));
    }

    @Test
    void concatMapsEachBranchToItsOffsetAndTheConsumerLosesThoseInputs() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 3, 5, 5);
        String p = b.relu(b.conv(x, ConvSpec.same(4, 3).named("pa")));
        String q = b.relu(b.conv(x, ConvSpec.of(6, 1).named("pb")));
        String cat = b.concat(p, q);
        b.output(b.conv(cat, ConvSpec.same(5, 3).named("out")));
        Graph g = randomized(b.build(), 13);
        ChannelGroups groups = ChannelGroups.of(g);

        assertThat(groups.classOf(cat, 4)).isEqualTo(groups.classOf("pb", 0));
        assertThat(groups.classOf(cat, 1)).isEqualTo(groups.classOf("pa", 1));
        assertThat(groups.groups().get(groups.classes().get(groups.classOf(cat, 0)).group()).sources())
                .containsExactly("pa", "pb");

        BitSet removed = removing(groups, p, 1);
        removed.or(removing(groups, q, 0, 5));
        Graph pruned = ChannelRemoval.remove(groups, removed);
        assertThat(pruned.initializer("pa.weight").shape()).isEqualTo(Shape.of(3, 3, 3, 3));
        assertThat(pruned.initializer("pb.weight").shape()).isEqualTo(Shape.of(4, 3, 1, 1));
        assertThat(pruned.initializer("out.weight").shape()).isEqualTo(Shape.of(5, 7, 3, 3));
        assertSameOutputs(pruned, zeroConvInputs(g, "out.weight", 1, 4, 9), g, input(2, 2, 3, 5, 5));
    }

    @Test
    void depthwiseChannelsFollowTheirProducerAndTheGroupShrinks() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 3, 6, 6);
        String a = b.relu(b.conv(x, ConvSpec.of(6, 1).named("pw1")));
        String d = b.relu(b.conv(a, ConvSpec.same(6, 3).withGroups(6).named("dw")));
        b.output(b.conv(d, ConvSpec.of(4, 1).named("pw2")));
        Graph g = randomized(b.build(), 17);
        ChannelGroups groups = ChannelGroups.of(g);

        assertThat(groups.classOf("dw", 2)).isEqualTo(groups.classOf(a, 2));
        assertThat(groups.classes().get(groups.classOf("dw", 2)).sources()).containsExactly("pw1", "dw");

        Graph pruned = ChannelRemoval.remove(groups, removing(groups, a, 2, 5));
        assertThat(pruned.initializer("dw.weight").shape()).isEqualTo(Shape.of(4, 1, 3, 3));
        assertThat(((Conv) pruned.node("dw").op()).group()).isEqualTo(4);
        assertThat(pruned.initializer("pw2.weight").shape()).isEqualTo(Shape.of(4, 4, 1, 1));
        assertSameOutputs(pruned, zeroConvInputs(g, "pw2.weight", 2, 5), g, input(4, 1, 3, 6, 6));
    }

    @Test
    void groupedConvolutionsLoseTheSameChannelsInEveryGroup() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 3, 5, 5);
        String a = b.relu(b.conv(x, ConvSpec.of(8, 1).named("a")));
        String gc = b.relu(b.conv(a, ConvSpec.same(6, 3).withGroups(2).named("gc")));
        b.output(b.conv(gc, ConvSpec.of(4, 1).named("o")));
        Graph g = randomized(b.build(), 19);
        ChannelGroups groups = ChannelGroups.of(g);

        assertThat(groups.classOf(a, 1)).isEqualTo(groups.classOf(a, 5)).isNotEqualTo(groups.classOf(a, 2));
        assertThat(groups.classOf("gc", 0)).isEqualTo(groups.classOf("gc", 3));

        BitSet removed = removing(groups, a, 1);
        removed.or(removing(groups, gc, 0));
        Graph pruned = ChannelRemoval.remove(groups, removed);
        assertThat(pruned.initializer("a.weight").shape()).isEqualTo(Shape.of(6, 3, 1, 1));
        assertThat(pruned.initializer("gc.weight").shape()).isEqualTo(Shape.of(4, 3, 3, 3));
        assertThat(((Conv) pruned.node("gc").op()).group()).isEqualTo(2);
        assertThat(pruned.initializer("o.weight").shape()).isEqualTo(Shape.of(4, 4, 1, 1));
        // input channels 1 and 5 are the second channel of group 0 and of group 1: W[:, 1] in both groups
        Graph masked = zeroConvInputs(zeroConvInputs(g, "gc.weight", 1), "o.weight", 0, 3);
        assertSameOutputs(pruned, masked, g, input(6, 2, 3, 5, 5));
    }

    @Test
    void channelShufflePrunesTheSameChannelOfEveryGroupAndStaysAValidShuffle() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 3, 4, 4);
        String a = b.relu(b.conv(x, ConvSpec.of(6, 1).named("a")));
        String s = b.channelShuffle(a, 2);
        b.output(b.conv(s, ConvSpec.of(4, 1).named("o")));
        Graph g = randomized(b.build(), 23);
        ChannelGroups groups = ChannelGroups.of(g);

        // a's channel i*3 + j lands at shuffle position j*2 + i: channels 1 and 4 (j = 1) at 2 and 3
        assertThat(groups.classOf(a, 1)).isEqualTo(groups.classOf(a, 4)).isEqualTo(groups.classOf(s, 2))
                .isEqualTo(groups.classOf(s, 3));
        Graph pruned = ChannelRemoval.remove(groups, removing(groups, a, 1));
        assertThat(pruned.initializer("a.weight").shape()).isEqualTo(Shape.of(4, 3, 1, 1));
        assertThat(pruned.initializer("o.weight").shape()).isEqualTo(Shape.of(4, 4, 1, 1));
        assertSameOutputs(pruned, zeroConvInputs(g, "o.weight", 2, 3), g, input(8, 2, 3, 4, 4));
    }

    @Test
    void flattenToGemmRemovesTheHeightTimesWidthColumnsOfAChannelAndNeuronsRemoveNextColumns() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 2, 4, 4);
        String a = b.relu(b.conv(x, ConvSpec.of(4, 3).withStride(2).withPad(1).named("c")));
        String f = b.flatten(a);
        String h = b.relu(b.dense(f, 5, "fc1"));
        b.output(b.dense(h, 3, "fc2"));
        Graph g = randomized(b.build(), 29);
        ChannelGroups groups = ChannelGroups.of(g);

        assertThat(groups.classOf(f, 9)).isEqualTo(groups.classOf(a, 2));
        assertThat(groups.classOf("fc1", 1)).isEqualTo(groups.classOf(h, 1));
        assertThat(groups.classes().get(groups.classOf("fc1", 1)).sources()).containsExactly("fc1");

        BitSet removed = removing(groups, a, 2);
        removed.or(removing(groups, h, 1));
        Graph pruned = ChannelRemoval.remove(groups, removed);
        assertThat(pruned.initializer("c.weight").shape()).isEqualTo(Shape.of(3, 2, 3, 3));
        assertThat(pruned.initializer("fc1.weight").shape()).isEqualTo(Shape.of(4, 12));
        assertThat(pruned.initializer("fc1.bias").shape()).isEqualTo(Shape.of(4));
        assertThat(pruned.initializer("fc2.weight").shape()).isEqualTo(Shape.of(3, 4));
        Graph masked = zeroLinearInputs(zeroLinearInputs(g, "fc1.weight", 8, 9, 10, 11), "fc2.weight", 1);
        assertSameOutputs(pruned, masked, g, input(9, 3, 2, 4, 4));
        // the library's own mask agrees with the hand-written one
        float[] own = run(ChannelRemoval.mask(groups, removed), input(9, 3, 2, 4, 4));
        assertThat(own).containsExactly(run(masked, input(9, 3, 2, 4, 4)), within(1e-6f));
    }

    @Test
    void opsWithoutAChannelRuleFixTheirChannelsWithAReasonAndRemovalRefusesThem() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 3, 5, 5);
        String a = b.relu(b.conv(x, ConvSpec.same(6, 3).named("a")));
        String n = b.lrn(a, 3, 1e-4f, 0.75f, 1f);
        String c = b.relu(b.conv(n, ConvSpec.same(4, 3).named("c")));
        b.output(b.conv(c, ConvSpec.of(2, 1).named("o")));
        Graph g = randomized(b.build(), 31);
        ChannelGroups groups = ChannelGroups.of(g);

        ChannelGroups.ChannelClass fixed = groups.classes().get(groups.classOf(a, 0));
        assertThat(fixed.prunable()).isFalse();
        assertThat(fixed.fixedReason()).contains("LRN").contains("no channel rule");
        assertThat(groups.classes().get(groups.classOf(c, 0)).prunable()).isTrue();
        assertThatThrownBy(() -> ChannelRemoval.remove(groups, removing(groups, a, 0)))
                .hasMessageContaining("cannot be removed").hasMessageContaining("LRN");
        assertThatThrownBy(() -> ChannelRemoval.remove(groups, removing(groups, c, 0, 1, 2, 3)))
                .hasMessageContaining("would leave tensor").hasMessageContaining("with no channels");
        assertThat(groups.table()).contains("LRN");
    }

    @Test
    void aResidualBranchThatLosesEveryChannelReducesToTheShortcutPlusAConstant() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 4, 6, 6);
        String a = b.relu(b.batchNorm(b.conv(x, ConvSpec.same(8, 3).named("stem"))));
        String r1 = b.relu(b.batchNorm(b.conv(a, ConvSpec.same(8, 3).named("b1"))));
        String r2 = b.batchNorm(b.conv(r1, ConvSpec.same(8, 3).named("b2")));
        String s = b.relu(b.add(r2, a));
        b.output(b.conv(s, ConvSpec.of(5, 1).named("head")));
        Graph g = randomized(b.build(), 37);
        ChannelGroups groups = ChannelGroups.of(g);

        int inner = groups.classes().get(groups.classOf("b1", 0)).group();
        assertThat(StructuredPruner.residualBranches(groups)).containsExactly(inner);
        BitSet removed = StructuredPruner.withWholeGroups(groups, removing(groups, a, 3), List.of(inner));
        Graph pruned = ChannelRemoval.remove(groups, removed);

        assertThat(pruned.node("b1")).isNull();
        assertThat(pruned.node("b2")).isNull();
        assertThat(pruned.initializers()).doesNotContainKeys("b1.weight", "b2.weight");
        Node add = pruned.nodes().stream().filter(n -> n.op() instanceof Add).findFirst().orElseThrow();
        Tensor k = pruned.initializer(add.input(0));
        assertThat(k.shape()).isEqualTo(Shape.of(1, 7, 1, 1));
        // channel 4 of the sum is the kept channel 3 of b2: gamma (bias - mean) / sqrt(var + eps) + beta
        Node bn2 = g.producer(r2);
        double expected = g.initializer(bn2.input(1)).get(4) * (g.initializer("b2.bias").get(4)
                - g.initializer(bn2.input(3)).get(4)) / Math.sqrt(g.initializer(bn2.input(4)).get(4) + 1e-5)
                + g.initializer(bn2.input(2)).get(4);
        assertThat((double) k.get(3)).isCloseTo(expected, within(1e-5));
        Graph masked = zeroConvInputs(zeroConvInputs(g, "b2.weight", TinyGraphs.range(0, 8)), "head.weight", 3);
        assertSameOutputs(pruned, masked, g, input(5, 2, 4, 6, 6));

        // the reduced block can be pruned again: the constant loses the channels its sum loses
        ChannelGroups again = ChannelGroups.of(pruned);
        String sum = add.output();
        assertThat(again.classes().get(again.classOf(sum, 0)).prunable()).isTrue();
        Graph twice = ChannelRemoval.remove(again, removing(again, sum, 0));
        assertThat(twice.initializer(add.input(0)).shape()).isEqualTo(Shape.of(1, 6, 1, 1));
        Tensor in = input(6, 1, 4, 6, 6);
        assertClose(run(ChannelRemoval.mask(again, removing(again, sum, 0)), in), run(twice, in), "pruned twice");
    }

    @Test
    void aTensorOutsideAResidualBranchNeverLosesAllItsChannels() {
        ModelBuilder b = new ModelBuilder("t", 1);
        String x = b.input("input", Shape.UNKNOWN, 2, 4, 4);
        String p = b.relu(b.conv(x, ConvSpec.same(2, 3).named("p")));
        String q = b.relu(b.conv(x, ConvSpec.same(3, 3).named("q")));
        b.output(b.conv(b.concat(p, q), ConvSpec.of(2, 1).named("o")));
        Graph g = b.build();
        ChannelGroups groups = ChannelGroups.of(g);
        assertThatThrownBy(() -> ChannelRemoval.remove(groups, removing(groups, p, 0, 1)))
                .hasMessageContaining("would leave tensor 'p' with no channels");
    }
}
