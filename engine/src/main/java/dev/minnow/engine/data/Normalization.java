package dev.minnow.engine.data;

/**
 * How raw 8-bit pixels become network inputs: {@code x = (p / 255 - mean) / std}.
 *
 * @param mean subtracted after scaling to [0, 1]
 * @param std  divided by afterwards
 */
public record Normalization(float mean, float std) {

    /** Pixels scaled to [0, 1] and nothing else (the PyTorch {@code ToTensor()} convention). */
    public static final Normalization UNIT = new Normalization(0f, 1f);

    /** Fashion-MNIST's training-set mean and standard deviation: inputs of zero mean and unit variance. */
    public static final Normalization FASHION_MNIST = new Normalization(0.2860f, 0.3530f);

    public Normalization {
        if (!(std > 0f) || !Float.isFinite(mean)) {
            throw new IllegalArgumentException("normalisation needs a finite mean and a positive std, got " + mean + ", " + std);
        }
    }

    /** Applies the mapping to every byte of {@code raw} (unsigned). */
    public float[] apply(byte[] raw) {
        float[] out = new float[raw.length];
        float scale = 1f / (255f * std);
        float shift = mean / std;
        for (int i = 0; i < raw.length; i++) {
            out[i] = (raw[i] & 0xFF) * scale - shift;
        }
        return out;
    }
}
