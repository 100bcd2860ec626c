package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary command's table and JSON on a hand-built graph (no ONNX file needed). */
class SummaryCommandTest {

    /** x [N, 1000] -> scale by w (1000 params, 1000 MACs per sample) -> relu -> y. */
    static Graph scaleNet() {
        return Graph.builder("scale").input("x", Shape.UNKNOWN, 1000)
                .initializer("w", Tensor.zeros(1, 1000))
                .node("scale_1", new ScaleForTests(), List.of("x", "w"), List.of("s"))
                .node("relu", new Relu(), List.of("s"), List.of("y"))
                .output("y").build();
    }

    @Test
    void unknownDimensionsBecomeOneUnlessAShapeIsGiven() throws CliException {
        Graph g = scaleNet();
        assertThat(InputShapes.resolve(g, List.of(), "input-shape")).containsExactly(Map.entry("x", Shape.of(1, 1000)));
        assertThat(InputShapes.resolve(g, List.of("1,1000"), "input-shape").get("x")).isEqualTo(Shape.of(1, 1000));
        assertThat(InputShapes.resolve(g, List.of("x=1x1000"), "input-shape").get("x")).isEqualTo(Shape.of(1, 1000));
        assertThatThrownBy(() -> InputShapes.resolve(g, List.of("y=1,1000"), "input-shape"))
                .hasMessage("the model has no input named 'y' (inputs: x)");
        assertThatThrownBy(() -> InputShapes.resolve(g, List.of("1,a"), "input-shape"))
                .hasMessage("--input-shape expects dimensions like 1,3,224,224, got '1,a'");
        Graph two = Graph.builder("two").input("a", 2).input("b", 2)
                .node("r", new Relu(), List.of("a"), List.of("y")).output("y").build();
        assertThatThrownBy(() -> InputShapes.resolve(two, List.of("2"), "input-shape"))
                .hasMessageContaining("the model has 2 inputs (a, b); name one: --input-shape NAME=2");
    }

    @Test
    void printsATableWithTotals() {
        GraphSummary s = GraphSummary.of(scaleNet(), Map.of("x", Shape.of(1, 1000)));
        String t = SummaryCommand.table("scale.onnx", s);
        assertThat(t).isEqualTo("""
                model scale.onnx (graph 'scale'), input 'x' [1, 1000]

                node     op         output shape  params   MACs
                scale_1  TestScale  [1, 1000]      1,000  1,000
                relu     Relu       [1, 1000]          0      0

                total: 1,000 parameters (0.0 MB as float32), 1,000 MACs (1.00 K), 2 nodes (0 folded), 0.0 MB of activation buffers
                """);
    }

    @Test
    void jsonHoldsTheSameFigures() throws Exception {
        GraphSummary s = GraphSummary.of(scaleNet(), Map.of("x", Shape.of(4, 1000)));
        String text = JsonWriter.write(SummaryCommand.json("scale.onnx", s));
        Map<String, Object> j = MiniJson.parseObject(text);
        assertThat(j.get("params")).isEqualTo(1000.0);
        assertThat(j.get("macs")).isEqualTo(4000.0);
        assertThat(j.get("inputs")).isEqualTo(Map.of("x", List.of(4.0, 1000.0)));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) j.get("nodes");
        assertThat(nodes).hasSize(2);
        assertThat(nodes.get(0)).containsEntry("name", "scale_1").containsEntry("op", "TestScale")
                .containsEntry("output_shape", List.of(4.0, 1000.0)).containsEntry("params", 1000.0)
                .containsEntry("macs", 4000.0).containsEntry("folded", false);
        assertThat(MiniJson.pythonAccepts(text)).isNotEqualTo(Boolean.FALSE);
    }

    @Test
    void scalesLargeCounts() {
        assertThat(SummaryCommand.scaled(1_814_083_648L)).isEqualTo("1.81 G");
        assertThat(SummaryCommand.scaled(3_500_000L)).isEqualTo("3.50 M");
        assertThat(SummaryCommand.scaled(999)).isEqualTo("999");
        assertThat(SummaryCommand.grouped(11_689_512L)).isEqualTo("11,689,512");
    }
}
