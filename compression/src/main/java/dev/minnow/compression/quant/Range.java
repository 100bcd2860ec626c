package dev.minnow.compression.quant;

import dev.minnow.engine.tensor.AffineQuantization;

/**
 * The real interval an activation tensor is quantized over, as an observer chose it; the affine
 * parameters follow from it ({@link #uint8()}).
 */
public record Range(float min, float max) {

    public Range {
        if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
            throw new IllegalArgumentException("invalid range [" + min + ", " + max + "]");
        }
    }

    /** Affine uint8 parameters over this range (widened to contain 0). */
    public AffineQuantization uint8() {
        return AffineQuantization.uint8(min, max);
    }

    /** Affine parameters over this range for an 8-bit activation type: uint8 {@code [0, 255]} or int8 {@code [-128, 127]}. */
    public AffineQuantization parameters(boolean signed) {
        return signed ? AffineQuantization.fromRange(min, max, -128, 127) : uint8();
    }

    @Override
    public String toString() {
        return "[" + min + ", " + max + "]";
    }
}
