package dev.minnow.compression.lowbit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The forward and straight-through backward passes of the two training ops, by hand. */
class StraightThroughOpsTest {

    @Test
    void ternaryWeightsPassTheGradientStraightThrough() {
        Tensor w = Tensor.of(Shape.of(4), 0.9f, -0.1f, 0.3f, -0.6f);
        LowBitFakeQuantize op = new LowBitFakeQuantize(LowBitWeights.Coding.TERNARY, LowBitWeights.PER_LAYER);
        Tensor y = Tensor.zeros(4);
        op.forward(new Tensor[] {w}, new Tensor[] {y}, ExecutionContext.standalone(1));
        assertThat(y.toFloatArray()).containsExactly(0.75f, 0f, 0f, -0.75f);

        Tensor dy = Tensor.of(Shape.of(4), 1f, 2f, 3f, 4f);
        Tensor dw = Tensor.of(Shape.of(4), 10f, 10f, 10f, 10f);     // gradients accumulate
        op.backward(new Tensor[] {w}, new Tensor[] {y}, new Tensor[] {dy}, new Tensor[] {dw},
                ExecutionContext.standalone(1));
        assertThat(dw.toFloatArray()).containsExactly(11f, 12f, 13f, 14f);
    }

    @Test
    void binaryWeightsStopTheGradientBeyondOne() {
        // filters (0.5, -1.5) and (2, 0): alpha = 1 and 1, sign(0) = +1
        Tensor w = Tensor.of(Shape.of(2, 2), 0.5f, -1.5f, 2f, 0f);
        LowBitFakeQuantize op = new LowBitFakeQuantize(LowBitWeights.Coding.BINARY, 0);
        Tensor y = Tensor.zeros(2, 2);
        op.forward(new Tensor[] {w}, new Tensor[] {y}, ExecutionContext.standalone(1));
        assertThat(y.toFloatArray()).containsExactly(1f, -1f, 1f, 1f);
        Tensor dy = Tensor.of(Shape.of(2, 2), 1f, 1f, 1f, 1f);
        Tensor dw = Tensor.zeros(2, 2);
        op.backward(new Tensor[] {w}, new Tensor[] {y}, new Tensor[] {dy}, new Tensor[] {dw},
                ExecutionContext.standalone(1));
        assertThat(dw.toFloatArray()).containsExactly(1f, 0f, 0f, 1f);
    }

    @Test
    void binaryActivationsAreScaledByTheImagesMeanMagnitude() {
        // image 0: |x| mean = (0.5 + 1.5 + 0 + 2) / 4 = 1; image 1: (0.2 + 0.2 + 0.2 + 0.2) / 4 = 0.2
        Tensor x = Tensor.of(Shape.of(2, 4), 0.5f, -1.5f, 0f, 2f, 0.2f, -0.2f, 0.2f, -0.2f);
        BinaryActivation op = new BinaryActivation(true);
        Tensor y = Tensor.zeros(2, 4);
        op.forward(new Tensor[] {x}, new Tensor[] {y}, ExecutionContext.standalone(1));
        float[] v = y.toFloatArray();
        float[] expected = {1f, -1f, 1f, 1f, 0.2f, -0.2f, 0.2f, -0.2f};
        for (int i = 0; i < v.length; i++) {
            assertThat(v[i]).as("element %d", i).isCloseTo(expected[i], offset(1e-6f));
        }
        Tensor dy = Tensor.of(Shape.of(2, 4), 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f);
        Tensor dx = Tensor.zeros(2, 4);
        op.backward(new Tensor[] {x}, new Tensor[] {y}, new Tensor[] {dy}, new Tensor[] {dx},
                ExecutionContext.standalone(1));
        float[] g = dx.toFloatArray();
        float[] expectedGrad = {1f, 0f, 1f, 0f, 0.2f, 0.2f, 0.2f, 0.2f};
        for (int i = 0; i < g.length; i++) {
            assertThat(g[i]).as("gradient %d", i).isCloseTo(expectedGrad[i], offset(1e-6f));
        }
    }

    @Test
    void clippingKeepsShadowWeightsInTheUnitInterval() {
        Tensor w = Tensor.of(Shape.of(3), -2f, 0.5f, 7f);
        LowBitQuantizer.clipToUnit(w);
        assertThat(w.toFloatArray()).containsExactly(-1f, 0.5f, 1f);
    }
}
