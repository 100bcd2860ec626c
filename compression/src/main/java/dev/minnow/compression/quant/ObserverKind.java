package dev.minnow.compression.quant;

import java.util.Locale;

/** The observers by name, as the command line takes them ({@code --observer minmax}). */
public enum ObserverKind {
    MINMAX, MOVING_AVERAGE, PERCENTILE, ENTROPY, MSE;

    /** The averaging constant of the moving-average observer (PyTorch's default). */
    public static final float AVERAGING_CONSTANT = 0.01f;
    /** The percentile the percentile observer clips at. */
    public static final double PERCENTILE_CLIP = 99.99;

    /** A fresh observer of this kind. */
    public Observer create() {
        return switch (this) {
            case MINMAX -> new MinMaxObserver();
            case MOVING_AVERAGE -> new MovingAverageMinMaxObserver(AVERAGING_CONSTANT);
            case PERCENTILE -> HistogramObserver.percentile(PERCENTILE_CLIP);
            case ENTROPY -> HistogramObserver.entropy();
            case MSE -> HistogramObserver.mse();
        };
    }

    /** {@code minmax}, {@code ema}, {@code percentile}, {@code entropy}, {@code mse}. */
    public String cliName() {
        return this == MOVING_AVERAGE ? "ema" : name().toLowerCase(Locale.ROOT);
    }

    /** The kind for a command-line name. */
    public static ObserverKind fromCliName(String name) {
        for (ObserverKind k : values()) {
            if (k.cliName().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown observer '" + name + "' (one of minmax, ema, percentile, entropy, mse)");
    }
}
