package dev.minnow.zoo.models;

import static dev.minnow.zoo.models.ZooExactFusionTest.assertClose;
import static dev.minnow.zoo.models.ZooExactFusionTest.input;
import static dev.minnow.zoo.models.ZooExactFusionTest.model;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.compression.structured.ChannelGroups;
import dev.minnow.compression.structured.StructuredPruner;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Structured pruning on every zoo model (64x64 inputs, VGG-16 at 32x32 and the LeNets at 28x28,
 * as in {@link ZooExactFusionTest}): 40 % of the filters of every group removed, the smaller graph
 * plans and runs, computes what the original computes with those channels masked, survives the
 * exact optimisations, and exports to ONNX and .mnw and back with identical outputs.
 */
class ZooStructuredPruningTest {

    @Test
    void everyZooModelPrunedByFortyPercentRunsExportsAndReimportsIdentically() throws Exception {
        for (String name : Zoo.names()) {
            Graph g = model(name, 5);
            ChannelGroups groups = ChannelGroups.of(g);
            assertThat(groups.prunableClasses()).as(name + "\n" + groups.table()).isPositive();
            StructuredPruner.Result r = StructuredPruner.prune(groups,
                    StructuredPruner.selectFraction(groups, dev.minnow.compression.structured.ChannelRanking.l1(groups), 0.4));
            Graph p = r.graph();
            assertThat(p.parameterCount()).as(name).isLessThan(g.parameterCount());

            Tensor x = input(g, 1, 9);
            Tensor masked = Plan.compile(r.masked(), x.shape()).runSingle(x).copy();
            Tensor pruned = Plan.compile(p, x.shape()).runSingle(x).copy();
            assertClose(masked, pruned, name + " pruned vs masked");

            Graph back = OnnxReader.read(OnnxWriter.toBytes(p), name + ".onnx");
            Tensor viaOnnx = Plan.compile(back, x.shape()).runSingle(x).copy();
            assertThat(viaOnnx.toFloatArray()).as(name + " via ONNX").containsExactly(pruned.toFloatArray());
            Graph native_ = ModelFile.fromBytes(ModelFile.toBytes(p, Map.of()), name).graph();
            assertThat(Plan.compile(native_, x.shape()).runSingle(x).toFloatArray()).as(name + " via .mnw")
                    .containsExactly(pruned.toFloatArray());
            assertClose(pruned, Plan.compile(GraphOptimizer.standard().optimize(p).graph(), x.shape()).runSingle(x),
                    name + " pruned and optimised");
        }
    }

    @Test
    void halfTheConvMacsOfResNet18AreGoneByAnIndependentCount() {
        Graph g = Zoo.build("resnet18", 10, 3, 64, 64, 1);
        StructuredPruner.Result r = StructuredPruner.byMacs(g, 0.5, StructuredPruner.Allocation.UNIFORM);
        Map<String, Shape> in = Map.of("input", Shape.of(1, 3, 64, 64));
        long before = convMacs(GraphSummary.of(g, in));
        long after = convMacs(GraphSummary.of(r.graph(), in));
        assertThat(after).isLessThanOrEqualTo(before / 2).isEqualTo(r.convMacsAfter());
        assertThat(r.convMacsBefore()).isEqualTo(before);
    }

    private static long convMacs(GraphSummary s) {
        return s.nodes().stream().filter(n -> n.opType().equals("Conv")).mapToLong(GraphSummary.NodeSummary::macs).sum();
    }

    @Test
    void resNetBlocksWhoseBranchIsRemovedReduceToTheirShortcutsAndStillExport() throws Exception {
        Graph g = model("resnet18", 3);
        ChannelGroups groups = ChannelGroups.of(g);
        List<Integer> branches = StructuredPruner.residualBranches(groups);
        assertThat(branches).hasSize(8);   // the inside of each of the 8 basic blocks
        // MobileNet V2: the inverted residuals with a shortcut, 1 + 2 + 3 + 2 + 2
        assertThat(StructuredPruner.residualBranches(ChannelGroups.of(model("mobilenet_v2", 1)))).hasSize(10);
        double[] scores = dev.minnow.compression.structured.ChannelRanking.l1(groups);
        java.util.BitSet removed = StructuredPruner.withWholeGroups(groups,
                StructuredPruner.selectFraction(groups, scores, 0.3), List.of(branches.get(0), branches.get(3)));
        StructuredPruner.Result r = StructuredPruner.prune(groups, removed);
        assertThat(r.graph().nodes().size()).isEqualTo(g.nodes().size() - 2 * 5);   // conv, BN, ReLU, conv, BN per block
        Tensor x = input(g, 1, 4);
        Tensor pruned = Plan.compile(r.graph(), x.shape()).runSingle(x).copy();
        assertClose(Plan.compile(r.masked(), x.shape()).runSingle(x), pruned, "resnet18 without two branches");
        Graph back = OnnxReader.read(OnnxWriter.toBytes(r.graph()), "resnet18.onnx");
        assertThat(Plan.compile(back, x.shape()).runSingle(x).toFloatArray()).containsExactly(pruned.toFloatArray());
    }
}
