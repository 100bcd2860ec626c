package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checker itself: it passes a right gradient and catches wrong, overwriting or missing ones. */
class GradientCheckTest {

    /** {@code y = x^2} element-wise, with a backward that can be made wrong in three ways. */
    private static final class Square implements Op {
        private final String fault;

        Square(String fault) {
            this.fault = fault;
        }

        @Override
        public String opType() {
            return "Square(" + fault + ")";
        }

        @Override
        public Attributes attributes() {
            return Attributes.empty();
        }

        @Override
        public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
            return List.of(ValueInfo.of(inputs.get(0).shape()));
        }

        @Override
        public void forward(Tensor[] in, Tensor[] out, ExecutionContext ctx) {
            for (int i = 0; i < in[0].size(); i++) {
                float v = in[0].get(i);
                out[0].data()[out[0].offset() + i] = v * v;
            }
        }

        @Override
        public void backward(Tensor[] in, Tensor[] out, Tensor[] dOut, Tensor[] dIn, ExecutionContext ctx) {
            for (int i = 0; i < in[0].size(); i++) {
                float g = 2 * in[0].get(i) * dOut[0].get(i);
                float[] d = dIn[0].data();
                int at = dIn[0].offset() + i;
                switch (fault) {
                    case "none" -> d[at] += g;
                    case "scaled" -> d[at] += 1.1f * g;
                    case "overwrites" -> d[at] = g;
                    case "one element" -> d[at] += i == 3 ? 0 : g;
                    default -> throw new IllegalStateException(fault);
                }
            }
        }

        @Override
        public boolean hasBackward() {
            return true;
        }

        @Override
        public String toString() {
            return opType();
        }
    }

    private static Tensor x() {
        return GradientCheck.gaussian(new Random(5), 2, 3);
    }

    @Test
    void passesTheRightGradientAndCountsTheElements() {
        Tensor x = x();
        Tensor before = x.copy();
        assertThat(GradientCheck.of(new Square("none")).check(x)).isEqualTo(6);
        assertThat(x.contentEquals(before)).as("inputs restored").isTrue();
    }

    @Test
    void catchesAGradientTenPercentOff() {
        assertThatThrownBy(() -> GradientCheck.of(new Square("scaled")).check(x()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("gradient check of Square(scaled) failed");
    }

    @Test
    void catchesABackwardThatOverwritesInsteadOfAdding() {
        assertThatThrownBy(() -> GradientCheck.of(new Square("overwrites")).check(x()))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void catchesASingleMissingElement() {
        assertThatThrownBy(() -> GradientCheck.of(new Square("one element")).check(x()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("element 3:");
    }

    @Test
    void refusesToCheckNothing() {
        assertThatThrownBy(() -> GradientCheck.of(new Square("none")).skip(0).check(x()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("would compare nothing");
    }

    @Test
    void distinctValuesAreSpacedAndAwayFromZeroValuesKeepTheirMargin() {
        Random r = new Random(1);
        float[] d = GradientCheck.distinct(r, 0.05, 3, 7).toFloatArray();
        java.util.Arrays.sort(d);
        for (int i = 1; i < d.length; i++) {
            assertThat(d[i] - d[i - 1]).isGreaterThan(0.049f);
        }
        for (float v : GradientCheck.awayFromZero(r, 0.1, 50).toFloatArray()) {
            assertThat(Math.abs(v)).isGreaterThanOrEqualTo(0.1f);
        }
    }
}
