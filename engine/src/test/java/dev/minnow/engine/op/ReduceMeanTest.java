package dev.minnow.engine.op;

import static dev.minnow.engine.op.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ReduceMean against means worked out by hand on a 2x3x2 tensor holding 0..11. */
class ReduceMeanTest {
    // x[i][j][k] = 6i + 2j + k
    private static final Tensor X = Tensor.of(Shape.of(2, 3, 2), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);

    @Test
    void meansOverOneAxisWithAndWithoutKeepdims() {
        Tensor y = RunOp.output(new ReduceMean(new int[] {1}, true), X);
        assertThat(y.shape()).isEqualTo(Shape.of(2, 1, 2));
        assertThat(y.toFloatArray()).containsExactly(2, 3, 8, 9);
        Tensor z = RunOp.output(new ReduceMean(new int[] {-1}, false), X);
        assertThat(z.shape()).isEqualTo(Shape.of(2, 3));
        assertThat(z.toFloatArray()).containsExactly(0.5f, 2.5f, 4.5f, 6.5f, 8.5f, 10.5f);
    }

    @Test
    void nonAdjacentAxesAndAllAxes() {
        Tensor y = RunOp.output(new ReduceMean(new int[] {0, 2}, false), X);
        assertThat(y.shape()).isEqualTo(Shape.of(3));
        assertThat(y.toFloatArray()).containsExactly(3.5f, 5.5f, 7.5f);
        Tensor all = RunOp.output(new ReduceMean(new int[0], true), X);
        assertThat(all.shape()).isEqualTo(Shape.of(1, 1, 1));
        assertThat(all.toFloatArray()).containsExactly(5.5f);
    }

    @Test
    void spatialMeanIsGlobalAveragePoolFlattened() {
        Tensor x = gaussian(new Random(3), 2, 4, 5, 5);
        float[] mean = RunOp.output(new ReduceMean(new int[] {2, 3}, false), x).toFloatArray();
        float[] pooled = RunOp.output(new GlobalAveragePool(), x).toFloatArray();
        assertThat(mean).hasSize(8);
        for (int i = 0; i < mean.length; i++) {
            assertThat(mean[i]).isCloseTo(pooled[i], within(1e-6f));
        }
    }

    @Test
    void gradientIsSharedEqually() {
        Random r = new Random(11);
        GradientCheck.of(new ReduceMean(new int[] {0, 2}, true)).check(gaussian(r, 3, 4, 5));
        GradientCheck.of(new ReduceMean(new int[0], false)).check(gaussian(r, 2, 3));
    }

    @Test
    void attributesRoundTripAndErrors() {
        ReduceMean op = ReduceMean.fromOnnx(Attributes.builder().set("axes", new long[] {2, 3}).set("keepdims", 0L).build());
        assertThat(op).isEqualTo(new ReduceMean(new int[] {2, 3}, false));
        assertThat(ReduceMean.fromOnnx(op.attributes())).isEqualTo(op);
        assertThat(ReduceMean.fromOnnx(Attributes.empty())).isEqualTo(new ReduceMean(new int[0], true));
        assertThatThrownBy(() -> new ReduceMean(new int[] {3}, true).inferOutputs(List.of(ValueInfo.of(Shape.of(2, 3)))))
                .hasMessageContaining("axis 3 is out of range for data of rank 2");
        assertThatThrownBy(() -> new ReduceMean(new int[] {1, -1}, true).inferOutputs(List.of(ValueInfo.of(Shape.of(2, 3)))))
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> ReduceMean.fromOnnx(Attributes.builder().set("noop_with_empty_axes", 1L).build()))
                .hasMessageContaining("noop_with_empty_axes");
    }
}
