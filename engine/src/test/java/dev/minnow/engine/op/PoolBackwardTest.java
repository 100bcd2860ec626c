package dev.minnow.engine.op;

import static dev.minnow.engine.op.GradientCheck.distinct;
import static dev.minnow.engine.op.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Backward passes of MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool against finite
 * differences. Max pooling inputs are distinct and 0.05 apart, so the step 0.01 never changes a
 * window's winner (no ties, no kinks).
 */
class PoolBackwardTest {
    private static final double GAP = 0.05;
    private final Random r = new Random(17);

    @Test
    void maxPoolOverlappingStridedDilatedCeilModeWithAsymmetricPads() {
        MaxPool pool = new MaxPool(SlidingWindow.of(3, 2).withStrides(2, 1).withPads(1, 0, 0, 1).withDilations(1, 2)
                .withCeilMode(true));
        GradientCheck.of(pool).check(distinct(r, GAP, 2, 3, 7, 6));
    }

    @Test
    void maxPoolWithColumnMajorIndicesOutput() {
        // the Indices output (int64) carries no gradient; Y's still flows
        MaxPool pool = new MaxPool(SlidingWindow.of(2, 2).withStrides(2, 2), 1);
        GradientCheck.of(pool).check(distinct(r, GAP, 1, 2, 5, 5));
    }

    @Test
    void maxPool1dAnd3d() {
        GradientCheck.of(new MaxPool(SlidingWindow.of(3).withStrides(2).withPads(1, 1))).check(distinct(r, GAP, 2, 2, 9));
        GradientCheck.of(new MaxPool(SlidingWindow.of(2, 2, 3).withStrides(1, 2, 2).withCeilMode(true)))
                .check(distinct(r, GAP, 1, 2, 3, 5, 6));
    }

    @Test
    void maxPoolSameUpperAutoPad() {
        MaxPool pool = new MaxPool(SlidingWindow.of(3, 3).withStrides(2, 2).withAutoPad(SlidingWindow.AutoPad.SAME_UPPER));
        GradientCheck.of(pool).check(distinct(r, GAP, 1, 2, 6, 7));
    }

    @Test
    void maxPoolSendsTheGradientOfATieToTheFirstMaximum() {
        MaxPool pool = new MaxPool(SlidingWindow.of(2, 2).withStrides(2, 2));
        Tensor x = Tensor.of(Shape.of(1, 1, 2, 2), 1, 3, 3, 0);
        Tensor dx = Tensor.zeros(x.shape());
        ExecutionContext ctx = ExecutionContext.standalone(1);
        Tensor[] y = OpFixtures.run(pool, x);
        pool.forward(new Tensor[] {x}, y, ctx);
        pool.backward(new Tensor[] {x}, y, new Tensor[] {Tensor.of(Shape.of(1, 1, 1, 1), 5), null}, new Tensor[] {dx}, ctx);
        assertThat(dx.toFloatArray()).containsExactly(0, 5, 0, 0);
    }

    @Test
    void averagePoolExcludingPadding() {
        AveragePool pool = new AveragePool(SlidingWindow.of(3, 2).withStrides(2, 1).withPads(2, 0, 1, 1), false);
        GradientCheck.of(pool).check(gaussian(r, 2, 3, 7, 5));
    }

    @Test
    void averagePoolIncludingPaddingInCeilMode() {
        // the last window hangs over the end padding: its divisor stops at the padding (PyTorch)
        AveragePool pool = new AveragePool(SlidingWindow.of(3, 3).withStrides(2, 2).withPads(1, 0, 1, 1)
                .withCeilMode(true), true);
        GradientCheck.of(pool).check(gaussian(r, 1, 2, 8, 7));
        AveragePool excluding = new AveragePool(SlidingWindow.of(3, 3).withStrides(2, 2).withPads(1, 0, 1, 1)
                .withCeilMode(true), false);
        GradientCheck.of(excluding).check(gaussian(r, 1, 2, 8, 7));
    }

    @Test
    void averagePool1dAnd3d() {
        GradientCheck.of(new AveragePool(SlidingWindow.of(4).withStrides(3).withPads(1, 2), true))
                .check(gaussian(r, 2, 3, 10));
        GradientCheck.of(new AveragePool(SlidingWindow.of(2, 3, 2).withStrides(2, 1, 2).withCeilMode(true), false))
                .check(gaussian(r, 1, 2, 5, 4, 5));
    }

    @Test
    void averagePoolSameLowerAutoPad() {
        AveragePool pool = new AveragePool(SlidingWindow.of(2, 3).withStrides(2, 2)
                .withAutoPad(SlidingWindow.AutoPad.SAME_LOWER), true);
        GradientCheck.of(pool).check(gaussian(r, 1, 2, 5, 7));
    }

    @Test
    void globalAveragePool() {
        GradientCheck.of(new GlobalAveragePool()).check(gaussian(r, 2, 3, 5, 3));
        GradientCheck.of(new GlobalAveragePool()).check(gaussian(r, 3, 2, 7));
    }

    @Test
    void globalMaxPool() {
        GradientCheck.of(new GlobalMaxPool()).check(distinct(r, GAP, 2, 3, 4, 5));
        GradientCheck.of(new GlobalMaxPool()).check(distinct(r, GAP, 2, 2, 2, 3, 2));
    }
}
