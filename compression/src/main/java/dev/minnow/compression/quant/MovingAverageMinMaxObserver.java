package dev.minnow.compression.quant;

import dev.minnow.engine.tensor.Tensor;

/**
 * An exponential moving average of each batch's extremes,
 * {@code min = (1 - c) min + c min_batch} (and the same for max), the first batch setting them:
 * PyTorch's {@code MovingAverageMinMaxObserver} with {@code averaging_constant c}, and the rule
 * {@link dev.minnow.engine.op.FakeQuantize} applies during quantization-aware training.
 */
public final class MovingAverageMinMaxObserver implements Observer {
    private final float c;
    private float min = Float.NaN;
    private float max = Float.NaN;

    /** @param averagingConstant the weight {@code c} of a new batch, in (0, 1] */
    public MovingAverageMinMaxObserver(float averagingConstant) {
        if (!(averagingConstant > 0 && averagingConstant <= 1)) {
            throw new IllegalArgumentException("averaging constant must lie in (0, 1], got " + averagingConstant);
        }
        this.c = averagingConstant;
    }

    @Override
    public void observe(Tensor t) {
        float[] e = Observer.extremes(t);
        if (Float.isNaN(min)) {
            min = e[0];
            max = e[1];
        } else {
            min += c * (e[0] - min);
            max += c * (e[1] - max);
        }
    }

    @Override
    public Range range() {
        if (Float.isNaN(min)) {
            throw new IllegalStateException("the observer has seen no values");
        }
        return new Range(min, max);
    }
}
