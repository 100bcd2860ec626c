package dev.minnow.compression.quant;

import dev.minnow.engine.tensor.Tensor;

/**
 * Chooses the range an activation tensor is quantized over by watching its values on a few
 * calibration batches (post-training quantization), the role PyTorch's observers and TensorRT's
 * calibrators play. Which one to pick:
 * <ul>
 *   <li>{@link MinMaxObserver}: the extremes seen; nothing is clipped, so one outlier can
 *       stretch the grid and waste resolution on empty space.</li>
 *   <li>{@link MovingAverageMinMaxObserver}: an exponential average of each batch's extremes
 *       (what quantization-aware training tracks); less sensitive to a single extreme batch.</li>
 *   <li>{@link HistogramObserver}: a second pass builds a histogram of {@code |x|} and picks a
 *       clipping threshold: a percentile, the one minimising the KL divergence between the
 *       original and the quantized distribution (TensorRT's entropy calibration), or the one
 *       minimising the expected squared error (rounding plus clipping). Clipping a few outliers
 *       buys resolution for everything else.</li>
 * </ul>
 * Observers see tensors batch by batch: {@link #observe} on a first pass over the calibration
 * data, then {@link #observeAgain} on a second pass when {@link #needsSecondPass()} (histograms
 * need the first pass's extremes to place their bins).
 */
public sealed interface Observer permits MinMaxObserver, MovingAverageMinMaxObserver, HistogramObserver {

    /** Takes one batch's values (first pass). */
    void observe(Tensor t);

    /** Whether a second pass over the same batches is needed. */
    default boolean needsSecondPass() {
        return false;
    }

    /** Takes one batch's values again (second pass). */
    default void observeAgain(Tensor t) {
    }

    /** The chosen range; throws if nothing was observed. */
    Range range();

    /** The smallest and largest element of a float tensor, as {@code {min, max}}. */
    static float[] extremes(Tensor t) {
        float[] d = t.data();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = t.offset(), end = t.offset() + t.size(); i < end; i++) {
            float v = d[i];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        return new float[] {min, max};
    }
}
