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

class GemmTest {

    static List<OpFixtures.Case> cases() {
        return OpFixtures.load("gemm.bin");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchAndOnnxNodeTests(OpFixtures.Case c) {
        OpFixtures.check(c);
    }

    @Test
    void fixturesCoverTranspositionsAndEveryBroadcastOfC() {
        assertThat(cases()).extracting(OpFixtures.Case::name).contains("transA 1 transB 1 C [M,N]",
                "transA 0 transB 0 C scalar", "transA 0 transB 0 C [M,1]", "transA 0 transB 0 C none",
                "onnx:test_gemm_all_attributes", "onnx:test_gemm_default_single_elem_vector_bias");
    }

    private static final Tensor A = Tensor.of(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
    private static final Tensor B = Tensor.of(Shape.of(3, 2), 1, 0, 0, 1, 1, 1);

    @Test
    void multipliesByHand() {
        // A*B = [[1+3, 2+3], [4+6, 5+6]] = [[4, 5], [10, 11]]
        assertThat(run(new Gemm(), A, B)[0].toFloatArray()).containsExactly(4, 5, 10, 11);
        // alpha 2, beta -1, C [M, 1] = [[1], [2]] broadcast along each row
        Tensor c = Tensor.of(Shape.of(2, 1), 1, 2);
        assertThat(run(new Gemm(2f, -1f, false, false), A, B, c)[0].toFloatArray()).containsExactly(7, 9, 18, 20);
        // transA and transB: A^T (3x2) * B^T (2x3)
        Tensor y = run(new Gemm(1f, 1f, true, true), A, B)[0];
        assertThat(y.shape()).isEqualTo(Shape.of(3, 3));
        assertThat(y.toFloatArray()).containsExactly(1, 4, 5, 2, 5, 7, 3, 6, 9);
    }

    @Test
    void linearIsTransposedWeights() {
        // y = x W^T + b with W [out=2, in=3]
        Tensor x = Tensor.of(Shape.of(1, 3), 1, 2, 3);
        Tensor w = Tensor.of(Shape.of(2, 3), 1, 1, 1, 0, 0, 1);
        Tensor b = Tensor.of(Shape.of(2), 10, 20);
        assertThat(run(Gemm.linear(), x, w, b)[0].toFloatArray()).containsExactly(16, 23);
    }

    @Test
    void infersShapesAndMacs() {
        Gemm g = Gemm.linear();
        List<ValueInfo> ins = floats(Shape.of(8, 4096), Shape.of(1000, 4096), Shape.of(1000));
        List<ValueInfo> outs = g.inferOutputs(ins);
        assertThat(outs.get(0).shape()).isEqualTo(Shape.of(8, 1000));
        assertThat(g.macs(ins, outs)).isEqualTo(8L * 1000 * 4096);
    }

    @Test
    void explainsShapeErrors() {
        Gemm g = new Gemm();
        assertThatThrownBy(() -> g.inferOutputs(floats(Shape.of(3, 5), Shape.of(4, 6))))
                .hasMessage("A [3, 5] with transA = 0 is M x K = 3 x 5 but B [4, 6] with transB = 0 is K x N = 4 x 6 (K differs)");
        assertThatThrownBy(() -> g.inferOutputs(floats(Shape.of(3, 5), Shape.of(5, 6), Shape.of(2, 6))))
                .hasMessage("C [2, 6] cannot be broadcast to Y [3, 6] (expected a scalar, [N], [1, N], [M, 1] or [M, N])");
        assertThatThrownBy(() -> g.inferOutputs(floats(Shape.of(3, 5), Shape.of(5, 6), Shape.of(1, 3, 6))))
                .hasMessageContaining("cannot be broadcast");
        assertThatThrownBy(() -> g.inferOutputs(floats(Shape.of(3, 5, 1), Shape.of(5, 6))))
                .hasMessageContaining("A must have rank 2, found shape [3, 5, 1]");
    }

    @Test
    void readsAttributesOfOldAndNewOpsets() {
        Gemm g = new Gemm(0.5f, 2f, true, false);
        assertThat(Gemm.fromOnnx(g.attributes(), 13)).isEqualTo(g).hasSameHashCodeAs(g);
        assertThat(new Gemm().attributes().isEmpty()).isTrue();
        Attributes opset6 = Attributes.builder().set("broadcast", 1L).set("transB", 1L).build();
        assertThat(Gemm.fromOnnx(opset6, 6)).isEqualTo(Gemm.linear());
        assertThatThrownBy(() -> Gemm.fromOnnx(opset6, 13)).hasMessageContaining("does not support attribute(s) [broadcast]");
        assertThat(g.toString()).isEqualTo("Gemm{alpha=0.5, beta=2.0, transA=1}");
    }
}
