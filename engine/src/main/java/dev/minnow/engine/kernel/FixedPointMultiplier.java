package dev.minnow.engine.kernel;

/**
 * A real multiplier {@code M} held as integers, so that an int32 accumulator can be rescaled with
 * integer arithmetic only (Jacob et al. 2018, section 2.2):
 * <pre>
 *   M = M0 * 2^-(31 + shift),    M0 an int32 in [2^30, 2^31)   (i.e. M0 / 2^31 in [0.5, 1))
 * </pre>
 * For a quantized layer {@code M = S_x * S_w / S_y}, typically in (0, 1): the integer result of
 * {@code int8 x int8 -> int32} products, multiplied by M, is the output in units of {@code S_y}.
 *
 * <p><b>The multiplication</b> ({@link #multiply}) is one 64-bit product and one rounding shift:
 * <pre>
 *   acc * M  =  (acc * M0) / 2^(31 + shift)      rounded to nearest, ties to even
 * </pre>
 * {@code |acc * M0| < 2^62}, so the product never overflows a long. The paper (and gemmlowp)
 * computes it in two roundings, {@link #saturatingRoundingDoublingHighMul} (the high 32 bits of
 * {@code 2 * acc * M0}, i.e. {@code acc * M0 / 2^31}) followed by {@link #roundingDivideByPowerOfTwo};
 * this is what a 32-bit SIMD unit does. With 64-bit scalar arithmetic one rounding is both simpler
 * and exact: the result is the correctly rounded {@code acc * M0 / 2^(31+shift)}, and it agrees
 * with ONNX's float reference ({@code round_half_even(acc * M)}) except when the 31-bit {@code M0}
 * moves a value across a rounding tie. Both are kept here; tests check they differ by at most one.
 *
 * @param m0    the significand, in {@code [2^30, 2^31)}, or 0 for {@code M = 0}
 * @param shift the extra right shift: {@code M = m0 / 2^31 / 2^shift}; negative for {@code M >= 1}
 */
public record FixedPointMultiplier(int m0, int shift) {

    /** Largest total right shift applied; beyond it every int32 accumulator rounds to 0. */
    private static final int MAX_TOTAL_SHIFT = 62;

    public FixedPointMultiplier {
        if (m0 != 0 && (m0 < (1 << 30))) {
            throw new IllegalArgumentException("M0 must lie in [2^30, 2^31) (or be 0), got " + m0);
        }
        if (31 + shift < 0) {
            throw new IllegalArgumentException("multiplier too large: shift " + shift);
        }
    }

    /**
     * The fixed-point form of {@code real >= 0}: {@code real = f * 2^e} with {@code f} in
     * {@code [0.5, 1)} ({@link Math#getExponent}), {@code M0 = round(f * 2^31)}, {@code shift = -e}.
     * When rounding carries {@code M0} to {@code 2^31}, it is halved and the exponent grows by one.
     */
    public static FixedPointMultiplier of(double real) {
        if (!(real >= 0) || Double.isInfinite(real)) {
            throw new IllegalArgumentException("a requantization multiplier must be finite and >= 0, got " + real);
        }
        if (real == 0 || real < 0x1p-60) {
            return new FixedPointMultiplier(0, 0);
        }
        int e = Math.getExponent(real) + 1;              // real = f * 2^e, f in [0.5, 1)
        double f = Math.scalb(real, -e);
        long q = Math.round(f * (1L << 31));
        if (q == (1L << 31)) {
            q >>= 1;
            e++;
        }
        if (e > 31) {
            throw new IllegalArgumentException("requantization multiplier " + real + " is too large (>= 2^31)");
        }
        return new FixedPointMultiplier((int) q, -e);
    }

    /** The real multiplier this represents. */
    public double real() {
        return m0 / (double) (1L << 31) * Math.pow(2, -shift);
    }

    /** {@code round_half_even(acc * M)} with {@link #m0()} and {@link #shift()}. */
    public int apply(int acc) {
        return multiply(acc, m0, shift);
    }

    /**
     * {@code round_half_even(acc * m0 / 2^(31 + shift))}, saturated to int32: the requantization
     * of one accumulator, integer-only.
     */
    public static int multiply(int acc, int m0, int shift) {
        long p = (long) acc * m0;
        int total = 31 + shift;
        if (total > MAX_TOTAL_SHIFT) {
            return 0;
        }
        long half = 1L << (total - 1);
        long q = p >> total;                 // floor
        long rem = p & ((1L << total) - 1);  // in [0, 2^total)
        if (rem > half || (rem == half && (q & 1) != 0)) {
            q++;
        }
        return q > Integer.MAX_VALUE ? Integer.MAX_VALUE : q < Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) q;
    }

    /**
     * gemmlowp's {@code SaturatingRoundingDoublingHighMul(a, b)}: the high 32 bits of
     * {@code 2 * a * b}, rounded to nearest (a tie rounds up, toward +infinity: -1.5 gives -1), with the
     * one overflowing case
     * {@code a = b = -2^31} saturated to {@code 2^31 - 1}.
     */
    public static int saturatingRoundingDoublingHighMul(int a, int b) {
        if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        long ab = (long) a * b;
        long nudge = ab >= 0 ? 1L << 30 : 1 - (1L << 30);
        return (int) ((ab + nudge) / (1L << 31));
    }

    /** gemmlowp's {@code RoundingDivideByPOT(x, exponent)}: {@code x / 2^exponent}, rounded to nearest, ties away from zero. */
    public static int roundingDivideByPowerOfTwo(int x, int exponent) {
        if (exponent <= 0) {
            return x;
        }
        int e = Math.min(exponent, 62);
        long mask = (1L << e) - 1;
        long remainder = x & mask;
        long threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (int) (((long) x >> e) + (remainder > threshold ? 1 : 0));
    }

    /**
     * The paper's (and TFLite's) two-rounding requantization: a left shift for {@code shift < 0}
     * (a multiplier above 1), {@code SRDHM(acc, M0)}, then {@code RoundingDivideByPOT(., shift)}.
     */
    public static int multiplyTwoRoundings(int acc, int m0, int shift) {
        int x = acc;
        if (shift < 0) {
            long left = (long) acc << -shift;
            x = left > Integer.MAX_VALUE ? Integer.MAX_VALUE : left < Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) left;
        }
        return roundingDivideByPowerOfTwo(saturatingRoundingDoublingHighMul(x, m0), Math.max(0, shift));
    }

    @Override
    public String toString() {
        return "FixedPointMultiplier(M0 " + m0 + " = " + m0 / (double) (1L << 31) + ", shift " + shift + ", M = " + real() + ")";
    }
}
