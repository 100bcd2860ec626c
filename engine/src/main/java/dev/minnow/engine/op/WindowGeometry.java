package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Shape;

/**
 * A {@link SlidingWindow} resolved for one input shape, in the form the kernels take: three
 * spatial axes {@code (D, H, W)}, where 1-D and 2-D inputs get leading axes of length 1 (kernel 1,
 * stride 1, no padding), so one kernel serves 1-D, 2-D and 3-D inputs.
 *
 * <p>Ops keep the last geometry in their node's state slot ({@link SlidingWindow#geometry}) so that
 * steady-state runs allocate nothing; the arrays must not be modified once resolved.
 */
final class WindowGeometry {
    final SlidingWindow window;
    final Shape input;
    final Shape weights;
    final int[] in = {1, 1, 1};
    final int[] out = {1, 1, 1};
    final int[] kernel = {1, 1, 1};
    final int[] strides = {1, 1, 1};
    final int[] dilations = {1, 1, 1};
    final int[] padBegin = {0, 0, 0};
    final int[] padEnd = {0, 0, 0};
    /** What the op derives from constant inputs for this geometry (Conv: its prepacked weights). */
    Object opCache;

    WindowGeometry(SlidingWindow window, Shape input, Shape weights) {
        this.window = window;
        this.input = input;
        this.weights = weights;
    }

    /** {@code N x channels x out_1 x ... x out_r} for an input of the same batch and rank. */
    Shape outputShape(int channels) {
        int r = input.rank() - 2;
        int[] d = new int[r + 2];
        d[0] = input.dim(0);
        d[1] = channels;
        for (int i = 0; i < r; i++) {
            d[2 + i] = out[SlidingWindow.MAX_SPATIAL_AXES - r + i];
        }
        return Shape.of(d);
    }

    /** Elements of one output plane. */
    int outPlane() {
        return out[0] * out[1] * out[2];
    }
}
