package dev.minnow.compression.rebirth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.compression.fuse.PassResult;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Streamline and branch merging on a small GoogLeNet-shaped network, and the retraining groups. */
class DeepRebirthTest {

    /**
     * conv 8@3x3/2 -> relu -> maxpool 3x3/2 (ceil) -> LRN, then conv 8@1x1 -> BN -> relu, then an Inception
     * module 1x1 4 | 1x1 4 -> 3x3 6 | 1x1 2 -> 5x5 4 | maxpool 3/1 -> 1x1 2 (16 channels), pool, fc 3.
     */
    static Graph net(long seed) {
        ModelBuilder b = new ModelBuilder("mini", seed);
        String x = b.input("input", Shape.UNKNOWN, 1, 23, 23);
        x = b.relu(b.conv(x, ConvSpec.same(8, 3).withStride(2)));
        x = b.lrn(b.maxPool(x, 3, 2, 0, true), 5, 1e-4f, 0.75f, 1f);
        x = b.relu(b.batchNorm(b.conv(x, ConvSpec.of(8, 1).withoutBias())));
        b.pushScope("mod");
        String one = b.relu(b.conv(x, ConvSpec.of(4, 1)));
        String three = b.relu(b.conv(b.relu(b.conv(x, ConvSpec.of(4, 1))), ConvSpec.same(6, 3)));
        String five = b.relu(b.batchNorm(b.conv(b.relu(b.conv(x, ConvSpec.of(2, 1))), ConvSpec.same(4, 5).withoutBias())));
        String pool = b.relu(b.conv(b.maxPool(x, 3, 1, 1, true), ConvSpec.of(2, 1)));
        x = b.concat(one, three, five, pool);
        b.popScope();
        x = b.flatten(b.globalAvgPool(b.relu(b.conv(x, ConvSpec.of(5, 1).named("after")))));
        return b.output(b.dense(x, 3)).build();
    }

    private static long macs(Graph g) {
        return GraphSummary.of(g, Map.of("input", Shape.of(1, 1, 23, 23))).nodes().stream()
                .mapToLong(GraphSummary.NodeSummary::macs).sum();
    }

    private static List<String> opTypes(Graph g) {
        return g.nodes().stream().map(n -> n.op().opType()).toList();
    }

    private static Shape shape(Graph g, String tensor) {
        Plan p = Plan.compile(g, Shape.of(1, 1, 23, 23));
        return p.info(tensor).shape();
    }

    @Test
    void streamlineMergingMovesThePoolIntoTheStrideAndDropsTheLrn() {
        Graph g = net(1);
        String stemOut = g.node("lrn1").output();
        PassResult r = new StreamlineMerging(7).apply(g);
        Graph m = r.graph();
        // conv1 (stride 2) -> relu -> pool (stride 2) -> lrn  ==>  conv1 (stride 4) -> relu, writing lrn1's tensor
        assertThat(m.node("pool1")).isNull();
        assertThat(m.node("lrn1")).isNull();
        assertThat(m.node("conv1").op().attributes().getInts("strides", null)).containsExactly(4, 4);
        assertThat(m.node("relu1").output()).isEqualTo(stemOut);
        assertThat(shape(m, stemOut)).isEqualTo(shape(g, stemOut));
        assertThat(m.node("conv1").input(1)).isEqualTo("conv1.weight");
        assertThat(r.freshParameters()).containsExactlyInAnyOrder("conv1.weight", "conv1.bias");
        assertThat(m.initializer("conv1.weight")).isNotSameAs(g.initializer("conv1.weight"));
        // conv2 -> BN -> relu has nothing to merge (that is an exact fold); the module is not a chain
        assertThat(opTypes(m)).containsSubsequence("Conv", "BatchNormalization", "Relu");
        assertThat(r.changes()).containsExactly("merged pool1 (MaxPool), lrn1 (LRN) into 'conv1' (Conv): stride 2 -> 4, "
                + "pads [1, 1, 1, 1], fresh weights conv1.weight");
        assertThat(macs(m)).isLessThan(macs(g));
        // fresh weights are drawn from the seed: the same seed gives the same weights
        Graph again = new StreamlineMerging(7).apply(net(1)).graph();
        assertThat(again.initializer("conv1.weight").contentEquals(m.initializer("conv1.weight"))).isTrue();
        assertThat(new StreamlineMerging(8).apply(net(1)).graph().initializer("conv1.weight")
                .contentEquals(m.initializer("conv1.weight"))).isFalse();
        assertThat(new StreamlineMerging(7).sites(g)).containsExactly("conv1");
    }

    @Test
    void branchMergingWidensTheConvolutionBranchesAndKeepsTheModuleWidth() {
        Graph g = net(2);
        Node concat = g.nodes().stream().filter(n -> n.op().opType().equals("Concat")).findFirst().orElseThrow();
        assertThat(new BranchMerging(3).sites(g)).containsExactly(concat.name());
        PassResult r = new BranchMerging(3).apply(g);
        Graph m = r.graph();
        Node merged = m.node(concat.name());
        assertThat(merged.inputs()).hasSize(2);
        assertThat(shape(m, concat.output())).isEqualTo(shape(g, concat.output())).isEqualTo(Shape.of(1, 16, 6, 6));
        // 3x3 branch: 6 + 4 (the 1x1 branch) outputs from a reduction of 4 / 2 = 2; 5x5: 4 + 2 (pool branch) from 1
        // (the builder numbers inner calls first: conv2 is the 3x3 branch's reduction, conv3 its 3x3)
        assertThat(m.initializer("mod/conv2.weight").shape()).isEqualTo(Shape.of(2, 8, 1, 1));
        assertThat(m.initializer("mod/conv3.weight").shape()).isEqualTo(Shape.of(10, 2, 3, 3));
        assertThat(m.initializer("mod/conv4.weight").shape()).isEqualTo(Shape.of(1, 8, 1, 1));
        assertThat(m.initializer("mod/conv5.weight").shape()).isEqualTo(Shape.of(6, 1, 5, 5));
        assertThat(m.initializer("mod/bn1.weight").shape()).isEqualTo(Shape.of(6));
        assertThat(m.initializer("mod/bn1.running_var").toFloatArray()).containsOnly(1f);
        assertThat(m.node("mod/conv1")).isNull();
        assertThat(m.node("mod/conv6")).isNull();
        assertThat(m.nodes()).noneMatch(n -> n.name().startsWith("mod/pool"));
        assertThat(m.initializers()).doesNotContainKeys("mod/conv1.weight", "mod/conv6.weight");
        assertThat(r.freshParameters()).contains("mod/conv2.weight", "mod/conv2.bias", "mod/conv3.weight",
                "mod/conv3.bias", "mod/conv4.weight", "mod/conv4.bias", "mod/conv5.weight", "mod/bn1.weight",
                "mod/bn1.bias").doesNotContain("after.weight");
        // the layer after the module keeps its weights
        assertThat(m.initializer("after.weight")).isSameAs(g.initializer("after.weight"));
        assertThat(macs(m)).isLessThan(macs(g));
        assertThat(r.changes()).singleElement().asString()
                .contains("removed mod/conv1 (1x1, 4 ch), mod/conv6 (pool + 1x1, 2 ch)")
                .contains("mod/conv3 3x3: 6 -> 10 ch (reduce mod/conv2: 4 -> 2 ch)")
                .contains("mod/conv5 5x5: 4 -> 6 ch (reduce mod/conv4: 2 -> 1 ch)");
    }

    @Test
    void bothMergesRunAndTheSitesComeBottomToTop() {
        DeepRebirth rebirth = new DeepRebirth(true, true, 5);
        Graph g = net(3);
        assertThat(rebirth.sites(g).stream().map(DeepRebirth.Site::toString))
                .containsExactly("streamline conv1", "branch mod/concat1");
        PassResult all = rebirth.apply(g);
        PassResult stepwise = rebirth.applyAt(rebirth.applyAt(g, rebirth.sites(g).get(0)).graph(), rebirth.sites(g).get(1));
        assertThat(stepwise.graph().initializers().keySet()).isEqualTo(all.graph().initializers().keySet());
        for (String name : all.graph().initializers().keySet()) {
            assertThat(stepwise.graph().initializer(name).contentEquals(all.graph().initializer(name))).as(name).isTrue();
        }
        assertThat(all.changes()).hasSize(2).allMatch(c -> c.startsWith("streamline-merging: ")
                || c.startsWith("branch-merging: "));
        Tensor x = Tensor.zeros(2, 1, 23, 23);
        Init.uniform(x, 1, new Random(1));
        assertThat(Plan.compile(all.graph(), x.shape()).runSingle(x).shape()).isEqualTo(Shape.of(2, 3));
    }

    /**
     * One SGD step without momentum moves a parameter by {@code lr * scale * grad}: with the same data,
     * weights and seed, the merged layers move exactly ten times as far as they do at scale 1, the
     * others as far.
     */
    @Test
    void mergedLayersLearnAtTenTimesTheRate() {
        Random rnd = new Random(4);
        float[] pixels = new float[8 * 23 * 23];
        int[] labels = new int[8];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = rnd.nextFloat();
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3;
        }
        ImageDataset data = new ImageDataset("random", 1, 23, 23, pixels, labels, 3);
        TrainConfig config = TrainConfig.of(1, 8, 0.01f).withThreads(1);
        PassResult base = new DeepRebirth(true, true, 5).apply(net(4));
        PassResult grouped = new DeepRebirth(true, true, 5).apply(net(4));
        Map<String, Tensor> before = Map.copyOf(base.graph().initializers());
        Map<String, Tensor> start = new java.util.HashMap<>();
        before.forEach((k, v) -> start.put(k, v.copy()));
        RebirthRetraining.retrain(base.graph(), Set.of(), data, null, config, new Sgd(0f, false, 0f), null);
        RebirthRetraining.retrain(grouped.graph(), grouped.freshParameters(), data, null, config, new Sgd(0f, false, 0f),
                null);
        for (String name : List.of("conv1.weight", "mod/conv4.weight", "mod/bn1.weight", "after.weight", "fc1.weight")) {
            Tensor s = start.get(name);
            Tensor a = base.graph().initializer(name);
            Tensor b = grouped.graph().initializer(name);
            double ratio = 0;
            double norm = 0;
            for (int i = 0; i < s.size(); i++) {
                double da = a.get(i) - s.get(i);
                ratio += (b.get(i) - s.get(i)) * da;
                norm += da * da;
            }
            double expected = grouped.freshParameters().contains(name) ? 10 : 1;
            assertThat(norm).as(name + " moved").isGreaterThan(0);
            assertThat(ratio / norm).as(name).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-3 * expected));
        }
    }
}
