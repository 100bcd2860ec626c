package dev.minnow.engine.kernel;

/**
 * Integer-only element-wise arithmetic between tensors with different quantization parameters:
 * the rescaling that QLinearAdd, QLinearConcat and the quantized pooling ops need. Each real value
 * is {@code S * (q - Z)}, so changing the scale is a multiplication by a ratio of scales,
 * done as a {@link FixedPointMultiplier}.
 */
public final class QuantizedElementwise {
    /**
     * Inputs of an addition are shifted left by this many bits before they are rescaled, so that
     * the rescaling keeps 20 fractional bits (TFLite's quantized Add; Jacob et al. 2018, sec. 2.3
     * note that "addition needs rescaling" since the two inputs have different scales).
     */
    public static final int ADD_LEFT_SHIFT = 20;

    private QuantizedElementwise() {
    }

    /**
     * The three fixed-point multipliers of {@link #add}: with {@code t = 2 max(Sa, Sb)},
     * {@code Ma = Sa / t}, {@code Mb = Sb / t} (both at most 1/2) and
     * {@code Mc = t / (2^20 Sc)}.
     */
    public static FixedPointMultiplier[] addMultipliers(float sa, float sb, float sc) {
        double twiceMax = 2.0 * Math.max(sa, sb);
        return new FixedPointMultiplier[] {FixedPointMultiplier.of(sa / twiceMax), FixedPointMultiplier.of(sb / twiceMax),
            FixedPointMultiplier.of(twiceMax / ((double) (1 << ADD_LEFT_SHIFT) * sc))};
    }

    /**
     * {@code c[i] = clamp(zc + Mc * (Ma * ((a[i] - za) << 20) + Mb * ((b[i] - zb) << 20)), qmin, qmax)}:
     * the sum of two quantized tensors in the output's scale, integer-only. Values are read as
     * int8 ({@code aSigned}) or uint8, and written as bytes.
     */
    public static void add(byte[] a, int aOff, boolean aSigned, int za, byte[] b, int bOff, boolean bSigned, int zb,
                           byte[] c, int cOff, int zc, int qmin, int qmax, int n, FixedPointMultiplier[] m) {
        int ma = m[0].m0(), sa = m[0].shift();
        int mb = m[1].m0(), sb = m[1].shift();
        int mc = m[2].m0(), sc = m[2].shift();
        for (int i = 0; i < n; i++) {
            int av = (QuantizedGemm.value(a[aOff + i], aSigned) - za) << ADD_LEFT_SHIFT;
            int bv = (QuantizedGemm.value(b[bOff + i], bSigned) - zb) << ADD_LEFT_SHIFT;
            int sum = FixedPointMultiplier.multiply(av, ma, sa) + FixedPointMultiplier.multiply(bv, mb, sb);
            int q = zc + FixedPointMultiplier.multiply(sum, mc, sc);
            c[cOff + i] = (byte) (q < qmin ? qmin : q > qmax ? qmax : q);
        }
    }

    /**
     * {@code y[i] = clamp(zy + M * (x[i] - zx), qmin, qmax)} with {@code M = Sx / Sy}: a tensor
     * moved to other quantization parameters (QLinearConcat's inputs). A plain copy when the
     * parameters are equal.
     */
    public static void rescale(byte[] x, int xOff, boolean xSigned, int zx, byte[] y, int yOff, int zy, int qmin,
                               int qmax, int n, FixedPointMultiplier m, boolean identity) {
        if (identity) {
            System.arraycopy(x, xOff, y, yOff, n);
            return;
        }
        int m0 = m.m0();
        int shift = m.shift();
        for (int i = 0; i < n; i++) {
            int q = zy + FixedPointMultiplier.multiply(QuantizedGemm.value(x[xOff + i], xSigned) - zx, m0, shift);
            y[yOff + i] = (byte) (q < qmin ? qmin : q > qmax ? qmax : q);
        }
    }
}
