package dev.minnow.engine.tensor;

/**
 * The affine map between real numbers and b-bit integers of Jacob et al. 2018 ("Quantization and
 * Training of Neural Networks for Efficient Integer-Arithmetic-Only Inference", eq. 1):
 * <pre>
 *   real = scale * (q - zero_point)             q in [qmin, qmax]
 *   q    = clamp(round(real / scale) + zero_point, qmin, qmax)     (round half to even, as ONNX)
 * </pre>
 * The zero point is an integer, so that the real value 0 (zero padding, a ReLU's floor) is
 * represented exactly. Two ways to choose the parameters from an observed range {@code [min, max]}:
 * <ul>
 *   <li><b>affine</b> ({@link #fromRange}): the range is first widened to contain 0, then
 *       {@code scale = (max - min) / (qmax - qmin)} and {@code zero_point = qmin - round(min / scale)}
 *       (clamped into {@code [qmin, qmax]}); all {@code 2^b} levels cover the data. Used for
 *       activations (uint8, Jacob's choice): after a ReLU, {@code min = 0} gives
 *       {@code zero_point = qmin}, so the saturation at qmin <em>is</em> the ReLU.</li>
 *   <li><b>symmetric</b> ({@link #symmetric}): {@code zero_point = 0}, {@code scale = max|x| / qmax};
 *       used for weights (int8 in {@code [-127, 127]}, the "narrow range" of TFLite and ONNX Runtime,
 *       which keeps {@code -q} representable), so that the zero-point cross terms of the integer
 *       product vanish.</li>
 * </ul>
 * An empty range (all zeros) gets scale 1 so that nothing divides by zero.
 *
 * @param scale     the real step between consecutive integers, {@code > 0}
 * @param zeroPoint the integer that represents real 0, within {@code [qmin, qmax]}
 * @param qmin      the smallest integer (0 for uint8, -128 or -127 for int8)
 * @param qmax      the largest integer (255 for uint8, 127 for int8)
 */
public record AffineQuantization(float scale, int zeroPoint, int qmin, int qmax) {

    /** {@code [0, 255]}: unsigned 8-bit activations. */
    public static final int UINT8_MIN = 0;
    public static final int UINT8_MAX = 255;

    public AffineQuantization {
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("a quantization scale must be positive and finite, got " + scale);
        }
        if (qmin >= qmax) {
            throw new IllegalArgumentException("integer range [" + qmin + ", " + qmax + "] is empty");
        }
        if (zeroPoint < qmin || zeroPoint > qmax) {
            throw new IllegalArgumentException("zero point " + zeroPoint + " lies outside [" + qmin + ", " + qmax + "]");
        }
    }

    /** Affine parameters covering {@code [min, max]} (widened to contain 0) with integers in {@code [qmin, qmax]}. */
    public static AffineQuantization fromRange(float min, float max, int qmin, int qmax) {
        if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
            throw new IllegalArgumentException("invalid range [" + min + ", " + max + "]");
        }
        double lo = Math.min(min, 0.0);
        double hi = Math.max(max, 0.0);
        double scale = (hi - lo) / (qmax - qmin);
        if (!(scale > 0) || (float) scale == 0f) {
            return new AffineQuantization(1f, qmin > 0 || qmax < 0 ? qmin : 0, qmin, qmax);
        }
        float s = (float) scale;
        long zp = qmin - Math.round(Math.rint(lo / s));
        return new AffineQuantization(s, (int) Math.max(qmin, Math.min(qmax, zp)), qmin, qmax);
    }

    /** Symmetric parameters: zero point 0, {@code scale = absMax / qmax}, integers in {@code [-qmax, qmax]}. */
    public static AffineQuantization symmetric(float absMax, int qmax) {
        if (Float.isNaN(absMax) || absMax < 0) {
            throw new IllegalArgumentException("invalid absolute maximum " + absMax);
        }
        float s = absMax / qmax;
        return new AffineQuantization(s > 0 && Float.isFinite(s) ? s : 1f, 0, -qmax, qmax);
    }

    /** Affine uint8 parameters for {@code [min, max]}. */
    public static AffineQuantization uint8(float min, float max) {
        return fromRange(min, max, UINT8_MIN, UINT8_MAX);
    }

    /** {@code clamp(round_half_even(x / scale) + zero_point, qmin, qmax)}. */
    public int quantize(float x) {
        return quantize(x, scale, zeroPoint, qmin, qmax);
    }

    /** {@code scale * (q - zero_point)}. */
    public float dequantize(int q) {
        return (q - zeroPoint) * scale;
    }

    /** The real value {@code x} after a round trip through the integers: what fake quantization computes. */
    public float fakeQuantize(float x) {
        return dequantize(quantize(x));
    }

    /** The smallest real number represented. */
    public float realMin() {
        return dequantize(qmin);
    }

    /** The largest real number represented. */
    public float realMax() {
        return dequantize(qmax);
    }

    /**
     * The quantization of ONNX's QuantizeLinear: {@code x / scale} in float, rounded half to even,
     * plus the zero point, saturated. NaN maps to the zero point.
     */
    public static int quantize(float x, float scale, int zeroPoint, int qmin, int qmax) {
        float r = (float) Math.rint(x / scale);
        if (r != r) {
            return Math.max(qmin, Math.min(qmax, zeroPoint));
        }
        double q = (double) r + zeroPoint;
        return q <= qmin ? qmin : q >= qmax ? qmax : (int) q;
    }

    /** The integer range of an 8-bit type: {@code [0, 255]} or {@code [-128, 127]}. */
    public static int typeMin(DataType type) {
        return switch (type) {
            case UINT8 -> 0;
            case INT8 -> -128;
            case INT32 -> Integer.MIN_VALUE;
            default -> throw new IllegalArgumentException("not a quantized integer type: " + type);
        };
    }

    /** The largest value of an 8-bit (or 32-bit) integer type. */
    public static int typeMax(DataType type) {
        return switch (type) {
            case UINT8 -> 255;
            case INT8 -> 127;
            case INT32 -> Integer.MAX_VALUE;
            default -> throw new IllegalArgumentException("not a quantized integer type: " + type);
        };
    }

    @Override
    public String toString() {
        return "AffineQuantization(scale " + scale + ", zero point " + zeroPoint + ", [" + qmin + ", " + qmax + "])";
    }
}
