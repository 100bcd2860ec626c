package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LeakyRelu, Sigmoid, Tanh and Clip. */
class ActivationsTest {

    private static Tensor vec(float... v) {
        return Tensor.of(Shape.of(v.length), v);
    }

    @Test
    void leakyReluScalesNegativesOnly() {
        Tensor y = RunOp.output(new LeakyRelu(0.1f), vec(-1, 0, 1, -20));
        assertThat(y.toFloatArray()).containsExactly(-0.1f, 0, 1, -2f);
        assertThat(RunOp.output(new LeakyRelu(), vec(-3)).get(0)).isEqualTo(-0.03f);
        assertThat(LeakyRelu.fromOnnx(Attributes.empty()).alpha()).isEqualTo(0.01f);
        assertThat(LeakyRelu.fromOnnx(Attributes.builder().set("alpha", 0.5f).build())).isEqualTo(new LeakyRelu(0.5f));
        assertThatThrownBy(() -> LeakyRelu.fromOnnx(Attributes.builder().set("beta", 1f).build()))
                .hasMessageContaining("does not support attribute(s) [beta]");
    }

    @Test
    void sigmoidAndTanhMatchPyTorchIncludingTheTails() {
        Tensor x = ReferenceFixtures.get("act.x");
        float[] sig = RunOp.output(new Sigmoid(), x).toFloatArray();
        float[] expectedSig = ReferenceFixtures.get("act.sigmoid").toFloatArray();
        float[] tanh = RunOp.output(new Tanh(), x).toFloatArray();
        float[] expectedTanh = ReferenceFixtures.get("act.tanh").toFloatArray();
        for (int i = 0; i < sig.length; i++) {
            assertThat(sig[i]).as("sigmoid(%s)", x.get(i)).isCloseTo(expectedSig[i], within(1e-7f + 1e-6f * expectedSig[i]));
            assertThat(tanh[i]).as("tanh(%s)", x.get(i)).isCloseTo(expectedTanh[i], within(1e-6f));
        }
    }

    @Test
    void sigmoidHasNoInfinitiesOrNaNsAtExtremes() {
        float[] y = RunOp.output(new Sigmoid(), vec(-1000, -200, 89, 1000, Float.NEGATIVE_INFINITY)).toFloatArray();
        assertThat(y).containsExactly(0, 0, 1, 1, 0);
        // exact symmetry: sigmoid(-x) = 1 - sigmoid(x)
        assertThat(Sigmoid.sigmoid(-2f)).isCloseTo(1 - Sigmoid.sigmoid(2f), within(1e-7f));
        assertThat(Sigmoid.sigmoid(-89f)).isCloseTo(2.227364e-39f, within(1e-44f)); // a subnormal, not 0
        assertThat(Sigmoid.sigmoid(-30f)).isCloseTo((float) (1 / (1 + Math.exp(30))), within(1e-20f));
    }

    @Test
    void clipWithBothBoundsIsRelu6() {
        Tensor x = vec(-2, 0, 3, 6, 9);
        Tensor y = RunOp.output(new Clip(), x, Tensor.scalar(0), Tensor.scalar(6));
        assertThat(y.toFloatArray()).containsExactly(0, 0, 3, 6, 6);
    }

    @Test
    void clipWithAbsentBounds() {
        Tensor x = vec(-2, 0, 3);
        assertThat(RunOp.output(new Clip(), x).toFloatArray()).containsExactly(-2, 0, 3);
        assertThat(RunOp.output(new Clip(), x, null, Tensor.scalar(1)).toFloatArray()).containsExactly(-2, 0, 1);
        assertThat(RunOp.output(new Clip(), x, Tensor.scalar(-1)).toFloatArray()).containsExactly(-1, 0, 3);
        // min > max: everything becomes max (numpy's order of operations)
        assertThat(RunOp.output(new Clip(), x, Tensor.scalar(5), Tensor.scalar(1)).toFloatArray())
                .containsExactly(1, 1, 1);
    }

    @Test
    void clipIntegers() {
        Tensor x = Tensor.ofBytes(Shape.of(3), DataType.INT8, (byte) -5, (byte) 0, (byte) 7);
        Tensor lo = Tensor.ofBytes(Shape.scalar(), DataType.INT8, (byte) -1);
        Tensor y = RunOp.output(new Clip(), x, lo, null);
        assertThat(y.type()).isEqualTo(DataType.INT8);
        assertThat(y.toLongArray()).containsExactly(-1, 0, 7);
        Tensor big = Tensor.ofLongs(Shape.of(2), Long.MAX_VALUE, -3);
        Tensor hi = Tensor.ofLongs(Shape.scalar(), (1L << 60) + 1);
        assertThat(RunOp.output(new Clip(), big, null, hi).toLongArray()).containsExactly((1L << 60) + 1, -3);
        Tensor u = Tensor.ofBytes(Shape.of(2), DataType.UINT8, (byte) 200, (byte) 10);
        Tensor uMax = Tensor.ofBytes(Shape.scalar(), DataType.UINT8, (byte) 150);
        assertThat(RunOp.output(new Clip(), u, null, uMax).toLongArray()).containsExactly(150, 10);
    }

    @Test
    void clipRefusesBoundsOfAnotherTypeOrShape() {
        ValueInfo x = ValueInfo.of(Shape.of(3));
        assertThatThrownBy(() -> new Clip().inferOutputs(List.of(x, ValueInfo.of(DataType.INT64, Shape.scalar()))))
                .hasMessageContaining("min must have the input's type FLOAT, found INT64");
        assertThatThrownBy(() -> new Clip().inferOutputs(List.of(x, ValueInfo.of(Shape.scalar()), ValueInfo.of(Shape.of(2)))))
                .hasMessageContaining("max must be a scalar, found shape [2]");
        assertThatThrownBy(() -> Clip.fromOnnx(Attributes.builder().set("min", 0f).build()))
                .hasMessageContaining("does not support attribute(s) [min]");
    }

    @Test
    void floatOnlyActivationsRefuseIntegers() {
        List<ValueInfo> ints = List.of(ValueInfo.of(DataType.INT64, Shape.of(2)));
        assertThatThrownBy(() -> new Sigmoid().inferOutputs(ints)).hasMessageContaining("X must be FLOAT, found INT64");
        assertThatThrownBy(() -> new Tanh().inferOutputs(ints)).hasMessageContaining("must be FLOAT");
        assertThatThrownBy(() -> new LeakyRelu().inferOutputs(ints)).hasMessageContaining("must be FLOAT");
    }
}
