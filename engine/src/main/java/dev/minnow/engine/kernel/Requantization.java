package dev.minnow.engine.kernel;

/**
 * The output stage of an integer layer, per output row (channel) {@code i}: from the raw product
 * of unsigned values to the quantized output (Jacob et al. 2018, eqs. 4 and 7):
 * <pre>
 *   acc = raw + bias'[i] - zw[i] * colSum[j]                   the exact sum_p (x - zx)(w - zw) + B[i]
 *   bias'[i] = B[i] + K * zx * zw[i] - zx * rowSum[i]           (folded once, when the layer is prepared)
 *   y   = clamp(zy + round(acc * M[i]), qmin, qmax)             M[i] = S_x * S_w[i] / S_y as M0 * 2^-(31+shift)
 * </pre>
 * {@code B} is the int32 bias at scale {@code S_x * S_w[i]} (zero point 0), zero points are those
 * of the unsigned values ({@code int8 + 128}), and {@code round(acc * M)} is
 * {@link FixedPointMultiplier#multiply}: no float anywhere. The clamp is where a fused ReLU or
 * ReLU6 lives: the output range starts at 0, so {@code zy = qmin} and the saturation is the ReLU.
 * Immutable; built once per layer.
 */
public final class Requantization {
    private final int[] bias;
    private final int[] weightZero;
    private final int[] m0;
    private final int[] shift;
    private final int outputZero;
    private final int qmin;
    private final int qmax;

    private Requantization(int[] bias, int[] weightZero, int[] m0, int[] shift, int outputZero, int qmin, int qmax) {
        this.bias = bias;
        this.weightZero = weightZero;
        this.m0 = m0;
        this.shift = shift;
        this.outputZero = outputZero;
        this.qmin = qmin;
        this.qmax = qmax;
    }

    /**
     * The output stage of {@code y = x * W^T} for packed weights {@code w} ({@code m} rows).
     *
     * @param weightZero  unsigned zero point of the weights, one or one per row
     * @param inputZero   unsigned zero point of the input
     * @param biasQ       int32 bias per row at scale {@code S_x * S_w[i]}, or null
     * @param multipliers {@code S_x * S_w[i] / S_y}, one or one per row
     */
    public static Requantization forProduct(PackedInt8 w, int[] weightZero, int inputZero, int[] biasQ,
                                            double[] multipliers, int outputZero, int qmin, int qmax) {
        int m = w.rows();
        long k = w.columns();
        int[] b = new int[m];
        int[] zw = new int[m];
        for (int i = 0; i < m; i++) {
            zw[i] = perRow(weightZero, i, "weight zero point");
            long v = (biasQ == null ? 0 : biasQ[i]) + k * inputZero * zw[i] - (long) inputZero * w.rowSums()[i];
            b[i] = (int) v;   // exact modulo 2^32, which is all the int32 sum needs
        }
        return withMultipliers(b, zw, multipliers, m, outputZero, qmin, qmax);
    }

    /** An output stage for accumulators that are already the centred sums (depthwise): {@code acc = raw + B[i]}. */
    public static Requantization forCentredSums(int rows, int[] biasQ, double[] multipliers, int outputZero,
                                                int qmin, int qmax) {
        int[] b = new int[rows];
        for (int i = 0; i < rows && biasQ != null; i++) {
            b[i] = biasQ[i];
        }
        return withMultipliers(b, new int[rows], multipliers, rows, outputZero, qmin, qmax);
    }

    private static Requantization withMultipliers(int[] bias, int[] zw, double[] multipliers, int rows, int outputZero,
                                                  int qmin, int qmax) {
        int[] m0 = new int[rows];
        int[] shift = new int[rows];
        for (int i = 0; i < rows; i++) {
            double real = multipliers.length == 1 ? multipliers[0] : multipliers[i];
            FixedPointMultiplier f = FixedPointMultiplier.of(real);
            m0[i] = f.m0();
            shift[i] = f.shift();
        }
        if (outputZero < qmin || outputZero > qmax) {
            throw new IllegalArgumentException("output zero point " + outputZero + " outside [" + qmin + ", " + qmax + "]");
        }
        return new Requantization(bias, zw, m0, shift, outputZero, qmin, qmax);
    }

    private static int perRow(int[] values, int i, String what) {
        if (values.length != 1 && i >= values.length) {
            throw new IllegalArgumentException(what + " has " + values.length + " values; expected 1 or one per row");
        }
        return values.length == 1 ? values[0] : values[i];
    }

    /** The quantized output for row {@code i}: raw product, and the column's sum of unsigned inputs. */
    public int apply(int i, int raw, int colSum) {
        int acc = raw + bias[i] - weightZero[i] * colSum;
        int q = outputZero + FixedPointMultiplier.multiply(acc, m0[i], shift[i]);
        return q < qmin ? qmin : q > qmax ? qmax : q;
    }

    /** For a centred accumulator (depthwise): {@code clamp(zy + round((acc + B[i]) * M[i]))}. */
    public int applyCentred(int i, int acc) {
        int q = outputZero + FixedPointMultiplier.multiply(acc + bias[i], m0[i], shift[i]);
        return q < qmin ? qmin : q > qmax ? qmax : q;
    }

    public int rows() {
        return bias.length;
    }

    /** The fixed-point multiplier of row {@code i}. */
    public FixedPointMultiplier multiplier(int i) {
        return new FixedPointMultiplier(m0[i], shift[i]);
    }

    /** The folded bias {@code bias'[i]} of row {@code i}. */
    public int foldedBias(int i) {
        return bias[i];
    }

    public int outputZero() {
        return outputZero;
    }
}
