package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The run command's computation on hand-built graphs (no ONNX file needed). */
class RunCommandTest {

    static Graph reluNet() {
        return Graph.builder("relu").input("x", Shape.UNKNOWN, 10)
                .node("relu", new Relu(), List.of("x"), List.of("y"))
                .output("y").build();
    }

    @Test
    void aRandomInputIsSeededUniformOfTheDeclaredShapeWithUnknownDimsAsOne() {
        RunCommand.Result r = RunCommand.run(reluNet(), Map.of(), Map.of(), 1, 42);
        assertThat(r.inputShapes()).containsExactly(Map.entry("x", Shape.of(1, 10)));
        assertThat(r.inputSources().get("x")).isEqualTo("random uniform [0, 1), seed 42");
        assertThat(r.output().shape()).isEqualTo(Shape.of(1, 10));

        // ReLU leaves [0, 1) unchanged: the top-5 are the five largest of the same seeded draws
        Random random = new Random(42);
        float[] draws = new float[10];
        for (int i = 0; i < 10; i++) {
            draws[i] = random.nextFloat();
        }
        float[] sorted = draws.clone();
        Arrays.sort(sorted);
        assertThat(r.top5()).hasSize(5);
        for (int k = 0; k < 5; k++) {
            TopK t = r.top5().get(k);
            assertThat(t.value()).isEqualTo(sorted[9 - k]);
            assertThat(draws[t.index()]).isEqualTo(t.value());
        }
        assertThat(r.ms()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aGivenInputSetsTheShapeAndTheTopFiveComeFromTheFirstRow() {
        Tensor x = Tensor.of(Shape.of(2, 10), -1, 5, 3, 9, -2, 7, 0, 1, 8, 2, /* row 1 */ 100, 100, 100, 100, 100,
                100, 100, 100, 100, 100);
        RunCommand.Result r = RunCommand.run(reluNet(), Map.of("x", x), Map.of("x", "x.npy"), 2, 0);
        assertThat(r.inputShapes().get("x")).isEqualTo(Shape.of(2, 10));
        assertThat(r.inputSources().get("x")).isEqualTo("x.npy");
        assertThat(r.output().shape()).isEqualTo(Shape.of(2, 10));
        assertThat(r.top5()).containsExactly(new TopK(3, 9), new TopK(8, 8), new TopK(5, 7), new TopK(1, 5),
                new TopK(2, 3));
    }

    @Test
    void topKOrdersByValueThenIndexAndPutsNanLast() {
        assertThat(TopK.of(new float[] {1, Float.NaN, 3, 3, -1}, 4))
                .containsExactly(new TopK(2, 3), new TopK(3, 3), new TopK(0, 1), new TopK(4, -1));
        assertThat(TopK.of(new float[] {Float.NaN, 2}, 5)).extracting(TopK::index).containsExactly(1, 0);
        assertThat(TopK.of(new float[0], 5)).isEmpty();
    }

    @Test
    void theFirstRowIsTheFirstSliceAlongAxisZero() {
        assertThat(RunCommand.firstRow(Tensor.of(Shape.of(2, 1, 3), 1, 2, 3, 4, 5, 6))).containsExactly(1, 2, 3);
        assertThat(RunCommand.firstRow(Tensor.of(Shape.of(3), 1, 2, 3))).containsExactly(1, 2, 3);
        assertThat(RunCommand.firstRow(Tensor.scalar(4))).containsExactly(4);
        assertThat(RunCommand.firstRow(Tensor.ofLongs(Shape.of(1, 2), 7, 8))).containsExactly(7, 8);
        assertThat(RunCommand.firstRow(Tensor.zeros(0, 5))).isEmpty();
    }
}
