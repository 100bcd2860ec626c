package dev.minnow.engine.tensor;

/**
 * IEEE 754 binary16 ("half precision") to and from float, bit-exact: what Java 20's
 * {@code Float.floatToFloat16} / {@code Float.float16ToFloat} do, written out for Java 17.
 *
 * <p>A half is {@code s eeeee mmmmmmmmmm}: sign, 5 exponent bits (bias 15), 10 fraction bits.
 * <pre>
 *   e = 0            (-1)^s * 2^-14 * (m / 1024)        subnormal; 0x0001 = 2^-24, the smallest
 *   0 &lt; e &lt; 31       (-1)^s * 2^(e-15) * (1 + m / 1024)  normal; 0x7BFF = 65504, the largest
 *   e = 31, m = 0    infinity;   e = 31, m != 0: NaN
 * </pre>
 * Widening ({@link #toFloat}) is exact: every half is a float. Narrowing ({@link #fromFloat})
 * rounds to the nearest half, ties to the one with an even last fraction bit (IEEE's default
 * rounding), decided from three bits of the float's significand as in hardware: the last kept
 * bit (L), the first dropped bit (the round bit R) and whether any later bit is set (sticky S);
 * the kept part is incremented when {@code R and (L or S)}. A carry out of the fraction bumps
 * the exponent, which is how 65520 (exactly halfway between 65504 and 65536) becomes infinity
 * and how the largest subnormal rounds up to the smallest normal. Magnitudes at or below
 * {@code 2^-25} (half of the smallest subnormal, a tie rounding to the even 0) become a signed
 * zero; NaN stays NaN, keeping the sign and the high payload bits, with the quiet bit set so that
 * it cannot turn into infinity.
 */
public final class Float16 {
    /** The largest finite half, 65504. */
    public static final float MAX_VALUE = 65504f;
    /** The smallest positive (subnormal) half, 2^-24. */
    public static final float MIN_VALUE = 0x1.0p-24f;
    /** The smallest positive normal half, 2^-14. */
    public static final float MIN_NORMAL = 0x1.0p-14f;
    /** Positive infinity as half bits. */
    public static final short POSITIVE_INFINITY = (short) 0x7C00;

    private Float16() {
    }

    /** The float equal to the half with these bits. */
    public static float toFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int fraction = h & 0x3FF;
        if (exponent == 0) {
            // subnormal (or zero): fraction * 2^-24, exact in float
            float magnitude = fraction * 0x1.0p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 0x1F) {
            // infinity or NaN: float exponent all ones, the fraction moved to the top of float's 23 bits
            return Float.intBitsToFloat(sign | 0x7F80_0000 | fraction << 13);
        }
        // normal: rebias the exponent (15 -> 127) and widen the fraction (10 -> 23 bits)
        return Float.intBitsToFloat(sign | (exponent - 15 + 127) << 23 | fraction << 13);
    }

    /** The half nearest to {@code f} (ties to even), as bits. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            // quiet NaN; keep the top 9 payload bits
            return (short) (sign | 0x7E00 | (bits >>> 13) & 0x1FF);
        }
        float abs = Math.abs(f);
        if (abs >= 65520f) {
            // 65520 = 65504 + half an ulp (16): the tie goes to the even neighbour, 2^16, out of range
            return (short) (sign | 0x7C00);
        }
        if (abs <= 0x1.0p-25f) {
            // half of the smallest subnormal or less (float subnormals included): rounds to zero
            return (short) sign;
        }
        int exponent = Math.getExponent(abs); // -25 .. 15 here
        int significand = bits & 0x007F_FFFF;
        int shift = 13; // float has 23 fraction bits, half 10
        int halfExponent;
        if (exponent < -14) {
            // a subnormal half: the implicit 1 becomes explicit and moves right with the rest
            significand |= 0x0080_0000;
            shift += -14 - exponent;
            halfExponent = 0;
        } else {
            halfExponent = exponent + 15;
        }
        int kept = significand >>> shift;
        int last = (significand >>> shift) & 1;
        int round = (significand >>> (shift - 1)) & 1;
        boolean sticky = (significand & ((1 << (shift - 1)) - 1)) != 0;
        if (round == 1 && (last == 1 || sticky)) {
            kept++;
        }
        // for a normal half, kept still carries the implicit 1 only if we put it there (subnormal case);
        // adding the exponent field lets a carry out of the fraction move into the exponent
        return (short) (sign | ((halfExponent << 10) + kept));
    }

    /** Rounds every element to half precision and back: what storing in float16 does to a weight. */
    public static float roundTrip(float f) {
        return toFloat(fromFloat(f));
    }

    /** A FLOAT16 tensor of {@code t}'s elements rounded to half precision. */
    public static Tensor narrow(Tensor t) {
        int n = t.size();
        float[] d = t.data();
        short[] h = new short[n];
        for (int i = 0; i < n; i++) {
            h[i] = fromFloat(d[t.offset() + i]);
        }
        return Tensor.ofShorts(t.shape(), DataType.FLOAT16, h);
    }

    /** A float tensor of a FLOAT16 tensor's values (exact). */
    public static Tensor widen(Tensor t) {
        int n = t.size();
        short[] h = t.shortData();
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = toFloat(h[t.offset() + i]);
        }
        return Tensor.of(t.shape(), d);
    }
}
