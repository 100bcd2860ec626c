package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.minnow.engine.kernel.BinaryConv;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** XnorGemm against Minnow's float Gemm ({@code X W^T + B}) on {@code beta_n sign(X)} and {@code alpha sign(W)}. */
class XnorGemmTest {

    @Test
    void equalsTheFloatProductOfScaledSigns() {
        check(3, 5, 4, true);
        check(2, 130, 7, true);     // three words per row
        check(1, 64, 3, false);
    }

    private static void check(int n, int k, int m, boolean scale) {
        Random r = new Random(k * 17L + m);
        Tensor x = random(r, Shape.of(n, k));
        Tensor w = random(r, Shape.of(m, k));
        Tensor bias = random(r, Shape.of(m));
        Tensor alpha = Tensor.zeros(m);
        for (int j = 0; j < m; j++) {
            alpha.data()[j] = 0.1f + r.nextFloat();
        }
        Tensor xs = Tensor.zeros(n, k);
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.abs(x.get(i * k + j));
            }
            float beta = scale ? (float) (sum / k) : 1f;
            for (int j = 0; j < k; j++) {
                xs.data()[i * k + j] = x.get(i * k + j) >= 0 ? beta : -beta;
            }
        }
        Tensor ws = Tensor.zeros(m, k);
        for (int i = 0; i < w.size(); i++) {
            ws.data()[i] = (w.get(i) >= 0 ? 1 : -1) * alpha.get(i / k);
        }
        Tensor expected = RunOp.withRuntimeData(Gemm.linear(), xs, ws, bias)[0];

        long[] bits = new long[m * BinaryConv.words(k)];
        BinaryConv.packWeights(w.data(), w.offset(), m, k, 1, 1, bits, 0);
        Tensor packed = Tensor.ofLongs(Shape.of(m, BinaryConv.words(k)), bits);
        Tensor actual = RunOp.withRuntimeData(new XnorGemm(scale), x, packed, alpha, bias)[0];
        assertThat(actual.shape()).isEqualTo(Shape.of(n, m));
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("n=%d k=%d m=%d, element %d", n, k, m, i)
                    .isCloseTo(expected.get(i), offset(1e-4f * (1 + Math.abs(expected.get(i)))));
        }
    }

    @Test
    void shapesAreCheckedAndTheOpRoundTrips() {
        XnorGemm op = new XnorGemm(false);
        assertThat(OpRegistry.create(OpRegistry.NATIVE_DOMAIN, "XnorGemm", op.attributes(), 13)).isEqualTo(op);
        List<ValueInfo> in = List.of(ValueInfo.of(Shape.of(2, 100)),
                ValueInfo.constant(Tensor.ofLongs(Shape.of(3, 1), new long[3])), ValueInfo.constant(Tensor.zeros(3)));
        assertThatThrownBy(() -> op.inferOutputs(in)).hasMessageContaining("M x 2 words for X's K = 100");
    }

    private static Tensor random(Random r, Shape s) {
        Tensor t = Tensor.zeros(s);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }
}
