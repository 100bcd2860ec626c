package dev.minnow.compression.quant;

import dev.minnow.engine.tensor.Tensor;

/** The range of everything seen: {@code [min over batches of min, max over batches of max]}. */
public final class MinMaxObserver implements Observer {
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;

    @Override
    public void observe(Tensor t) {
        float[] e = Observer.extremes(t);
        min = Math.min(min, e[0]);
        max = Math.max(max, e[1]);
    }

    @Override
    public Range range() {
        if (min > max) {
            throw new IllegalStateException("the observer has seen no values");
        }
        return new Range(min, max);
    }
}
