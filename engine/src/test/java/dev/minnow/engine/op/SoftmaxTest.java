package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoftmaxTest {

    private static void assertClose(float[] actual, float[] expected, float tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).as("element %s", i).isCloseTo(expected[i], within(tolerance));
        }
    }

    @Test
    void handComputedRow() {
        // e^0, e^1, e^2 = 1, 2.71828, 7.38906; sum 11.10734
        Tensor y = RunOp.output(new Softmax(), Tensor.of(Shape.of(1, 3), 0, 1, 2));
        assertClose(y.toFloatArray(), new float[] {0.09003057f, 0.24472847f, 0.66524096f}, 1e-7f);
        Tensor l = RunOp.output(new LogSoftmax(), Tensor.of(Shape.of(1, 3), 0, 1, 2));
        assertClose(l.toFloatArray(), new float[] {-2.4076059f, -1.4076059f, -0.4076059f}, 1e-6f);
    }

    @Test
    void largeInputsDoNotOverflow() {
        // e^1000 overflows a double; subtracting the max makes it e^-1, e^0
        Tensor x = Tensor.of(Shape.of(2), 1000, 1001);
        float[] p = RunOp.output(new Softmax(), x).toFloatArray();
        assertClose(p, new float[] {0.26894142f, 0.73105858f}, 1e-7f);
        float[] lp = RunOp.output(new LogSoftmax(), x).toFloatArray();
        assertClose(lp, new float[] {-1.3132616f, -0.31326169f}, 1e-6f);
        // a probability that underflows still has a finite log
        float[] far = RunOp.output(new LogSoftmax(), Tensor.of(Shape.of(2), 0, 200)).toFloatArray();
        assertThat(far[0]).isCloseTo(-200f, within(1e-4f));
        assertThat(RunOp.output(new Softmax(), Tensor.of(Shape.of(2), -1e4f, 1e4f)).toFloatArray()).containsExactly(0, 1);
    }

    @Test
    void everyAxisMatchesPyTorch() {
        Tensor x = ReferenceFixtures.get("softmax.x");
        for (int axis = 0; axis < 3; axis++) {
            assertClose(RunOp.output(new Softmax(axis), x).toFloatArray(),
                    ReferenceFixtures.get("softmax.axis" + axis).toFloatArray(), 1e-6f);
            assertClose(RunOp.output(new LogSoftmax(axis), x).toFloatArray(),
                    ReferenceFixtures.get("logsoftmax.axis" + axis).toFloatArray(), 1e-5f);
        }
        assertClose(RunOp.output(new Softmax(-2), x).toFloatArray(),
                ReferenceFixtures.get("softmax.axis1").toFloatArray(), 1e-6f);
    }

    @Test
    void opsetsBefore13NormaliseAllTrailingAxesTogether() {
        Tensor x = ReferenceFixtures.get("softmax.x");
        Softmax old = Softmax.fromOnnx(Attributes.empty(), 11);
        assertThat(old.axis()).isEqualTo(1);
        assertThat(old.coercesTo2d()).isTrue();
        assertClose(RunOp.output(old, x).toFloatArray(),
                ReferenceFixtures.get("softmax.coerced.axis1").toFloatArray(), 1e-6f);
        LogSoftmax oldLog = LogSoftmax.fromOnnx(Attributes.builder().set("axis", 1L).build(), 12);
        assertClose(RunOp.output(oldLog, x).toFloatArray(),
                ReferenceFixtures.get("logsoftmax.coerced.axis1").toFloatArray(), 1e-5f);
        Softmax current = Softmax.fromOnnx(Attributes.empty(), 13);
        assertThat(current).isEqualTo(new Softmax(-1)).isNotEqualTo(new Softmax(-1, true));
    }

    @Test
    void rowsSumToOne() {
        float[] p = RunOp.output(new Softmax(1), ReferenceFixtures.get("softmax.x")).toFloatArray();
        // axis 1 of [2, 3, 4]: slices (n, j) of 3 elements with stride 4
        for (int n = 0; n < 2; n++) {
            for (int j = 0; j < 4; j++) {
                float sum = 0;
                for (int c = 0; c < 3; c++) {
                    sum += p[n * 12 + c * 4 + j];
                }
                assertThat(sum).isCloseTo(1f, within(1e-6f));
            }
        }
    }

    @Test
    void errors() {
        assertThatThrownBy(() -> new Softmax(3).inferOutputs(List.of(ValueInfo.of(Shape.of(2, 3)))))
                .hasMessageContaining("axis 3 is out of range for rank 2");
        assertThatThrownBy(() -> new LogSoftmax().inferOutputs(List.of(ValueInfo.of(Shape.scalar()))))
                .hasMessageContaining("rank >= 1");
        assertThatThrownBy(() -> Softmax.fromOnnx(Attributes.builder().set("dim", 1L).build(), 13))
                .hasMessageContaining("does not support attribute(s) [dim]");
    }
}
