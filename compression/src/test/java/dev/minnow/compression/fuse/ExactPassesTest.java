package dev.minnow.compression.fuse;

import static dev.minnow.compression.fuse.FoldBatchNormTest.assertSameOutputs;
import static dev.minnow.compression.fuse.FoldBatchNormTest.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.Sequential;
import dev.minnow.engine.op.Activation;
import dev.minnow.engine.op.Add;
import dev.minnow.engine.op.Clip;
import dev.minnow.engine.op.Constant;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Dropout;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.Identity;
import dev.minnow.engine.op.LeakyRelu;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.op.Reshape;
import dev.minnow.engine.op.Transpose;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exact passes one by one on small graphs, and the optimiser that chains them. */
class ExactPassesTest {

    private static List<String> opTypes(Graph g) {
        return g.nodes().stream().map(n -> n.op().opType()).toList();
    }

    @Test
    void dropoutAndIdentityDisappearAndReadersFollow() {
        Graph g = Graph.builder("g").input("x", 2, 3)
                .initializer("ratio", Tensor.scalar(0.3f))
                .node("relu", new Relu(), List.of("x"), List.of("a"))
                .node("drop", new Dropout(), List.of("a", "ratio"), List.of("b"))
                .node("id", new Identity(), List.of("b"), List.of("c"))
                .node("relu2", new Relu(), List.of("c"), List.of("d"))
                .output("d").build();
        PassResult r = new RemoveDropoutAndIdentity().apply(g);
        assertThat(opTypes(r.graph())).containsExactly("Relu", "Relu");
        assertThat(r.graph().node("relu2").inputs()).containsExactly("a");
        assertThat(r.graph().initializers()).isEmpty();
        assertThat(r.changes()).hasSize(2);
        assertSameOutputs(g, r.graph(), Shape.of(2, 3));
    }

    @Test
    void aGraphOutputKeepsItsNameWhenTheNodeBeforeItIsRemoved() {
        // the producer of a removed output is renamed to write the output, and its other readers follow
        Graph g = Graph.builder("g").input("x", 2, 3)
                .node("relu", new Relu(), List.of("x"), List.of("a"))
                .node("drop", new Dropout(), List.of("a"), List.of("out"))
                .node("side", new LeakyRelu(0.1f), List.of("a"), List.of("side_out"))
                .output("out").output("side_out").build();
        Graph r = new RemoveDropoutAndIdentity().apply(g).graph();
        assertThat(opTypes(r)).containsExactly("Relu", "LeakyRelu");
        assertThat(r.outputs()).containsExactly("out", "side_out");
        assertThat(r.node("relu").outputs()).containsExactly("out");
        assertThat(r.node("side").inputs()).containsExactly("out");
        Tensor x = random(new Random(1), Shape.of(2, 3));
        assertThat(Plan.compile(r, x.shape()).run(x).get("out").contentEquals(
                Plan.compile(g, x.shape()).run(x).get("out"))).isTrue();

        // an output that only renames the input: a Dropout becomes a (free) Identity, an Identity stays
        Graph passThrough = Graph.builder("p").input("x", 2, 3)
                .node("drop", new Dropout(), List.of("x"), List.of("y"))
                .node("id", new Identity(), List.of("x"), List.of("z"))
                .output("y").output("z").build();
        PassResult p = new RemoveDropoutAndIdentity().apply(passThrough);
        assertThat(opTypes(p.graph())).containsExactly("Identity", "Identity");
        assertThat(p.graph().outputs()).containsExactly("y", "z");
        assertThat(p.changes()).containsExactly("replaced Dropout drop by an Identity (graph output 'y' copies 'x')");
    }

    @Test
    void aDropoutWhoseMaskIsReadStays() {
        Graph g = Graph.builder("g").input("x", 2, 3)
                .node("drop", new Dropout(), List.of("x"), List.of("y", "mask"))
                .output("y").output("mask").build();
        assertThat(new RemoveDropoutAndIdentity().apply(g).changed()).isFalse();
    }

    @Test
    void constantSubGraphsBecomeInitializers() {
        Random rnd = new Random(2);
        Graph g = Graph.builder("g").input("x", 4, 6)
                .initializer("wt", random(rnd, Shape.of(6, 3)))
                .node("shape", new Constant(Tensor.ofLongs(Shape.of(2), 2, 6)), List.of(), List.of("target"))
                .node("t", new Transpose(1, 0), List.of("wt"), List.of("w"))
                .node("fc", Gemm.linear(), List.of("x", "w"), List.of("y"))
                .node("r", new Reshape(), List.of("y", "target"), List.of("z"))
                .output("z").build();
        PassResult r = new FoldConstants().apply(g);
        assertThat(opTypes(r.graph())).containsExactly("Gemm", "Reshape");
        assertThat(r.graph().initializer("w").shape()).isEqualTo(Shape.of(3, 6));
        assertThat(r.graph().initializer("target").type()).isEqualTo(DataType.INT64);
        assertThat(r.graph().initializers()).doesNotContainKey("wt");
        assertSameOutputs(g, r.graph(), Shape.of(4, 6));
    }

    @Test
    void activationsFuseIntoConvolutionsAndGemms() {
        Sequential s = Sequential.create("net", 1, 3, 9, 7).conv(ConvSpec.same(8, 3)).relu6()
                .conv(ConvSpec.same(8, 3).withGroups(8)).relu().conv(ConvSpec.of(6, 1));
        s.builder().add("leaky", new LeakyRelu(0.1f), List.of(s.current()));
        s.from("leaky");
        Graph g = s.globalAvgPool().flatten().dense(5).relu().dense(4).build();
        PassResult r = new FuseActivation().apply(g);
        assertThat(opTypes(r.graph())).containsExactly("FusedConv", "FusedConv", "FusedConv", "GlobalAveragePool",
                "Flatten", "FusedGemm", "Gemm");
        List<Activation> acts = r.graph().nodes().stream().filter(n -> n.op() instanceof Conv)
                .map(n -> ((Conv) n.op()).activation()).toList();
        assertThat(acts).containsExactly(Activation.clip(0f, 6f), Activation.relu(), Activation.leakyRelu(0.1f));
        assertThat(r.graph().initializers().keySet()).noneMatch(k -> k.contains("relu6"));   // Clip bounds dropped
        assertSameOutputs(g, r.graph(), Shape.of(2, 3, 9, 7));
    }

    @Test
    void anActivationStaysWhenTheConvOutputHasOtherReadersOrTheBoundIsNotConstant() {
        Random rnd = new Random(3);
        Graph g = Graph.builder("g").input("x", 1, 2, 4, 4).input("hi", DataType.FLOAT, Shape.scalar())
                .initializer("w", random(rnd, Shape.of(2, 2, 1, 1)))
                .initializer("lo", Tensor.scalar(0f))
                .node("c1", Conv.of2d(1, 1, 0), List.of("x", "w"), List.of("y1"))
                .node("r1", new Relu(), List.of("y1"), List.of("a"))
                .node("other", new LeakyRelu(0.2f), List.of("y1"), List.of("b"))
                .node("c2", Conv.of2d(1, 1, 0), List.of("a", "w"), List.of("y2"))
                .node("clip", new Clip(), List.of("y2", "lo", "hi"), List.of("c"))
                .output("b").output("c").build();
        assertThat(new FuseActivation().apply(g).changed()).isFalse();
    }

    @Test
    void reluAfterAResidualAddBecomesOneFusedAdd() {
        Random rnd = new Random(4);
        Graph g = Graph.builder("res").input("x", 1, 4, 5, 5)
                .initializer("w", random(rnd, Shape.of(4, 4, 3, 3)))
                .node("conv", Conv.of2d(3, 1, 1), List.of("x", "w"), List.of("f"))
                .node("add", new Add(), List.of("f", "x"), List.of("s"))
                .node("relu", new Relu(), List.of("s"), List.of("y"))
                .output("y").build();
        PassResult r = new FuseAddRelu().apply(g);
        assertThat(opTypes(r.graph())).containsExactly("Conv", "FusedAdd");
        assertThat(((Add) r.graph().node("add").op()).hasRelu()).isTrue();
        assertSameOutputs(g, r.graph(), Shape.of(1, 4, 5, 5));
    }

    @Test
    void theOptimiserRunsItsLevelsInOrderAndLogsEveryChange() {
        Random rnd = new Random(6);
        Sequential s = Sequential.create("net", 1, 3, 8, 8).conv(ConvSpec.same(4, 3).withoutBias()).batchNorm().relu()
                .conv(ConvSpec.same(4, 3)).batchNorm();
        String main = s.current();
        s.builder().add("res", new Add(), List.of(main, s.builder().relu(s.builder().conv(s.current(), ConvSpec.of(4, 1)))));
        Graph g = s.from("res").relu().globalAvgPool().flatten().dropout(0.5f).dense(3).build();
        for (Node n : g.nodes()) {
            if (n.op() instanceof dev.minnow.engine.op.BatchNormalization) {
                for (int i = 1; i <= 4; i++) {
                    Tensor t = g.initializer(n.input(i));
                    for (int j = 0; j < t.size(); j++) {
                        t.data()[j] = 0.5f + rnd.nextFloat();
                    }
                }
            }
        }
        GraphOptimizer.Optimized none = GraphOptimizer.of(GraphOptimizer.Level.NONE).optimize(g);
        assertThat(none.graph()).isSameAs(g);
        GraphOptimizer.Optimized basic = GraphOptimizer.of(GraphOptimizer.Level.BASIC).optimize(g);
        assertThat(opTypes(basic.graph())).doesNotContain("Dropout").contains("BatchNormalization");
        GraphOptimizer.Optimized all = GraphOptimizer.standard().optimize(g);
        assertThat(opTypes(all.graph())).containsExactly("FusedConv", "Conv", "FusedConv", "FusedAdd",
                "GlobalAveragePool", "Flatten", "Gemm");
        assertThat(all.reports().stream().map(GraphOptimizer.PassReport::pass)).containsExactly(
                "remove-dropout-identity", "fold-constants", "fold-batchnorm", "fuse-activation", "fuse-add-relu",
                "remove-unused");
        assertThat(all.summary()).isEqualTo(g.nodes().size() + " -> 7 nodes (remove-dropout-identity 1, "
                + "fold-batchnorm 2, fuse-activation 2, fuse-add-relu 1)");
        assertThat(all.log()).hasSize(6).allMatch(l -> l.contains(": "));
        assertSameOutputs(g, all.graph(), Shape.of(2, 3, 8, 8));
    }
}
