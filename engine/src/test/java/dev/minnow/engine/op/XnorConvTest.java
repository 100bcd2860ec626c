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

/**
 * XnorConv against Minnow's float Conv run on what it stands for: {@code beta_n * sign(X)}
 * convolved with {@code alpha * sign(W)} plus the bias, with beta_n = mean |X[n]| recomputed here.
 */
class XnorConvTest {

    @Test
    void equalsTheFloatConvolutionOfScaledSigns() {
        check(2, 5, 9, 7, 4, SlidingWindow.of2d(3, 1, 1), true);
        check(1, 70, 6, 5, 3, SlidingWindow.of2d(3, 2, 2), true);
        check(3, 3, 8, 8, 2, SlidingWindow.of2d(3, 1, 1).withDilations(2, 2), false);
        check(1, 129, 4, 4, 2, new SlidingWindow(new int[] {2, 3}, new int[] {1, 2}, new int[] {1, 0, 0, 2}, null,
                null, false), true);
    }

    private static void check(int batch, int c, int h, int w, int oc, SlidingWindow window, boolean scale) {
        Random r = new Random(c * 31L + h);
        Tensor x = random(r, Shape.of(batch, c, h, w));
        int kh = window.kernel()[0];
        int kw = window.kernel()[1];
        Tensor wt = random(r, Shape.of(oc, c, kh, kw));
        Tensor alpha = Tensor.zeros(oc);
        Tensor bias = random(r, Shape.of(oc));
        for (int o = 0; o < oc; o++) {
            alpha.data()[o] = 0.05f + r.nextFloat();
        }

        Tensor xs = Tensor.zeros(x.shape());
        int per = c * h * w;
        for (int n = 0; n < batch; n++) {
            double sum = 0;
            for (int i = 0; i < per; i++) {
                sum += Math.abs(x.get(n * per + i));
            }
            float beta = scale ? (float) (sum / per) : 1f;
            for (int i = 0; i < per; i++) {
                xs.data()[n * per + i] = x.get(n * per + i) >= 0 ? beta : -beta;
            }
        }
        Tensor ws = Tensor.zeros(wt.shape());
        int taps = c * kh * kw;
        for (int i = 0; i < wt.size(); i++) {
            ws.data()[i] = (wt.get(i) >= 0 ? 1 : -1) * alpha.get(i / taps);
        }
        Tensor expected = RunOp.withRuntimeData(new Conv(window, 1), xs, ws, bias)[0];

        long[] bits = new long[oc * kh * kw * BinaryConv.words(c)];
        BinaryConv.packWeights(wt.data(), wt.offset(), oc, c, kh, kw, bits, 0);
        Tensor packed = Tensor.ofLongs(Shape.of(oc, kh, kw, BinaryConv.words(c)), bits);
        XnorConv op = new XnorConv(window, scale);
        Tensor actual = RunOp.withRuntimeData(op, x, packed, alpha, bias)[0];

        assertThat(actual.shape()).isEqualTo(expected.shape());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("%s, element %d", window, i)
                    .isCloseTo(expected.get(i), offset(1e-4f * (1 + Math.abs(expected.get(i)))));
        }
        assertThat(op.macs(List.of(ValueInfo.of(x.shape()), ValueInfo.constant(packed), ValueInfo.constant(alpha)),
                List.of(ValueInfo.of(expected.shape())))).isEqualTo((long) expected.size() * c * kh * kw);
    }

    @Test
    void roundTripsThroughTheRegistry() {
        XnorConv op = new XnorConv(SlidingWindow.of2d(3, 2, 1), false);
        Op back = OpRegistry.create(OpRegistry.NATIVE_DOMAIN, "XnorConv", op.attributes(), 13);
        assertThat(back).isEqualTo(op);
        assertThat(OpRegistry.nativeOps()).contains("XnorConv", "DequantizeLowBit");
    }

    @Test
    void wrongWordCountIsExplained() {
        XnorConv op = new XnorConv(SlidingWindow.of2d(3, 1, 1), true);
        List<ValueInfo> in = List.of(ValueInfo.of(Shape.of(1, 65, 5, 5)),
                ValueInfo.constant(Tensor.ofLongs(Shape.of(4, 3, 3, 1), new long[36])),
                ValueInfo.constant(Tensor.zeros(4)));
        assertThatThrownBy(() -> op.inferOutputs(in)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ceil(C/64)").hasMessageContaining("2 words for X's 65 channels");
    }

    private static Tensor random(Random r, Shape s) {
        Tensor t = Tensor.zeros(s);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }
}
