package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReluBackwardTest {

    @Test
    void matchesFiniteDifferencesAwayFromTheKink() {
        // inputs at least 0.05 from 0, the step 0.01
        GradientCheck.of(new Relu()).check(GradientCheck.awayFromZero(new Random(3), 0.05, 3, 4, 5));
    }

    @Test
    void passesGradientOnlyWherePositiveAndTakesZeroAtZero() {
        Relu relu = new Relu();
        Tensor x = Tensor.of(Shape.of(4), -1, 0, 2, 0.5f);
        Tensor dx = Tensor.of(Shape.of(4), 10, 10, 10, 10);
        Tensor[] y = OpFixtures.run(relu, x);
        relu.backward(new Tensor[] {x}, y, new Tensor[] {Tensor.of(Shape.of(4), 1, 2, 3, 4)}, new Tensor[] {dx},
                ExecutionContext.standalone(1));
        assertThat(dx.toFloatArray()).containsExactly(10, 10, 13, 14);
    }
}
