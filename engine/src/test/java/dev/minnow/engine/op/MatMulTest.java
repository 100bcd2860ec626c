package dev.minnow.engine.op;

import static dev.minnow.engine.op.OpFixtures.floats;
import static dev.minnow.engine.op.OpFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MatMulTest {

    static List<OpFixtures.Case> cases() {
        return OpFixtures.load("matmul.bin");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchAndOnnxNodeTests(OpFixtures.Case c) {
        OpFixtures.check(c);
    }

    @Test
    void fixturesCoverVectorsAndBroadcasting() {
        assertThat(cases()).extracting(OpFixtures.Case::name).contains("(7,) x (7,)", "(2, 1, 5, 7) x (3, 7, 4)",
                "(1, 3, 1, 4) x (2, 1, 4, 5)", "onnx:test_matmul_4d");
    }

    @Test
    void multipliesByHand() {
        Tensor a = Tensor.of(Shape.of(2, 2), 1, 2, 3, 4);
        Tensor b = Tensor.of(Shape.of(2, 2), 0, 1, 1, 0);
        assertThat(run(new MatMul(), a, b)[0].toFloatArray()).containsExactly(2, 1, 4, 3);
        // vector . vector is a scalar
        Tensor v = Tensor.of(Shape.of(3), 1, 2, 3);
        Tensor dot = run(new MatMul(), v, v)[0];
        assertThat(dot.shape()).isEqualTo(Shape.scalar());
        assertThat(dot.toFloatArray()).containsExactly(14);
        // a batch of two matrices times one shared matrix
        Tensor batch = Tensor.of(Shape.of(2, 1, 2), 1, 0, 0, 1);
        assertThat(run(new MatMul(), batch, a)[0].toFloatArray()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void infersNumpyShapesAndMacs() {
        MatMul mm = new MatMul();
        assertThat(mm.inferOutputs(floats(Shape.of(7), Shape.of(2, 7, 3))).get(0).shape()).isEqualTo(Shape.of(2, 3));
        assertThat(mm.inferOutputs(floats(Shape.of(2, 3, 5, 7), Shape.of(7))).get(0).shape()).isEqualTo(Shape.of(2, 3, 5));
        List<ValueInfo> ins = floats(Shape.of(4, 1, 5, 7), Shape.of(3, 7, 2));
        List<ValueInfo> outs = mm.inferOutputs(ins);
        assertThat(outs.get(0).shape()).isEqualTo(Shape.of(4, 3, 5, 2));
        assertThat(mm.macs(ins, outs)).isEqualTo(4L * 3 * 5 * 2 * 7);
    }

    @Test
    void explainsShapeErrors() {
        MatMul mm = new MatMul();
        assertThatThrownBy(() -> mm.inferOutputs(floats(Shape.of(2, 3), Shape.of(4, 5))))
                .hasMessage("A [2, 3] has K = 3 (its last dimension) but B [4, 5] has K = 4 (its second-to-last dimension)");
        assertThatThrownBy(() -> mm.inferOutputs(floats(Shape.of(2, 2, 3), Shape.of(3, 3, 4))))
                .hasMessageContaining("batch dimensions of A [2, 2, 3] and B [3, 3, 4] do not broadcast: 2 vs 3");
        assertThatThrownBy(() -> mm.inferOutputs(floats(Shape.scalar(), Shape.of(3))))
                .hasMessageContaining("rank >= 1");
        assertThatThrownBy(() -> MatMul.fromOnnx(Attributes.builder().set("transA", 1L).build()))
                .hasMessageContaining("MatMul does not support attribute(s) [transA]");
        assertThat(MatMul.fromOnnx(Attributes.empty())).isEqualTo(new MatMul()).hasSameHashCodeAs(new MatMul());
    }
}
