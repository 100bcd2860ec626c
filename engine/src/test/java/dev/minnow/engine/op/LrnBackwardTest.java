package dev.minnow.engine.op;

import static dev.minnow.engine.op.GradientCheck.gaussian;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * LRN's backward pass against finite differences. A large alpha makes the cross-channel term
 * (the sum over the mirrored window) a sizeable part of the gradient, so getting that window wrong
 * for even sizes fails the check.
 */
class LrnBackwardTest {
    private final Random r = new Random(23);

    @Test
    void oddSize() {
        GradientCheck.of(new Lrn(3, 0.8f, 0.75f, 1f)).check(gaussian(r, 2, 5, 3, 2));
    }

    @Test
    void evenSizesReachFurtherAfterTheChannelThanBefore() {
        GradientCheck.of(new Lrn(2, 0.9f, 0.75f, 1.5f)).check(gaussian(r, 2, 5, 2, 3));
        GradientCheck.of(new Lrn(4, 1.2f, 0.6f, 1f)).check(gaussian(r, 1, 7, 3, 3));
    }

    @Test
    void windowWiderThanTheChannelsAndAlexNetSettings() {
        GradientCheck.of(new Lrn(7, 0.5f, 1.3f, 2f)).check(gaussian(r, 2, 3, 4));
        GradientCheck.of(new Lrn(5, 1e-4f, 0.75f, 2f)).check(gaussian(r, 1, 6, 3, 3));
    }

    @Test
    void sizeOneAndNoSpatialAxes() {
        GradientCheck.of(new Lrn(1, 0.7f, 0.75f, 1f)).check(gaussian(r, 3, 4));
    }
}
