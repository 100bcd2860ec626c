package dev.minnow.compression.lowrank;

/**
 * The Tucker-2 decomposition of a convolution kernel {@code W [C_out, C_in, kh, kw]} by the
 * truncated higher-order SVD (De Lathauwer, De Moor &amp; Vandewalle 2000), as Kim et al. use it
 * ("Compression of Deep Convolutional Neural Networks for Fast and Low Power Mobile
 * Applications", ICLR 2016):
 * <pre>
 *   W[o, i, y, x]  ~  sum_{a &lt; R_out, b &lt; R_in}  G[a, b, y, x] * U_out[o, a] * U_in[i, b]
 * </pre>
 * Only the two channel modes are reduced (the kernel's 3x3 or 5x5 is small already).
 * {@code U_out} holds the {@code R_out} leading left singular vectors of the mode-0 unfolding
 * {@code W_(0) [C_out, C_in kh kw]} (W itself, read as a matrix), {@code U_in} those of the mode-1
 * unfolding {@code W_(1) [C_in, C_out kh kw]}, and the core is W projected onto them:
 * <pre>
 *   G[a, b, y, x] = sum_{o, i} U_out[o, a] U_in[i, b] W[o, i, y, x]
 * </pre>
 * With full ranks ({@code R_out = C_out}, {@code R_in = C_in}) the factors are square orthogonal
 * matrices and the decomposition is exact. Truncated, the error obeys De Lathauwer's bound
 * {@code |W - W^|^2 <= sum of the discarded sigma^2 of both unfoldings}; HOSVD is not the best
 * rank-(R_out, R_in) approximation (HOOI iterations would improve it slightly), but fine-tuning
 * recovers far more than that difference.
 *
 * @param cOut       C_out
 * @param cIn        C_in
 * @param kh         kernel height
 * @param kw         kernel width
 * @param rOut       R_out
 * @param rIn        R_in
 * @param core       G, row-major {@code [R_out, R_in, kh, kw]}
 * @param outFactor  U_out, row-major {@code [C_out, R_out]}
 * @param inFactor   U_in, row-major {@code [C_in, R_in]}
 * @param outSigma   singular values of the mode-0 unfolding
 * @param inSigma    singular values of the mode-1 unfolding
 */
public record Tucker2(int cOut, int cIn, int kh, int kw, int rOut, int rIn, double[] core, double[] outFactor,
                      double[] inFactor, double[] outSigma, double[] inSigma) {

    /**
     * Decomposes {@code w} (row-major {@code [cOut, cIn, kh, kw]}), the ranks chosen by the rules
     * from each unfolding's singular values.
     */
    public static Tucker2 decompose(double[] w, int cOut, int cIn, int kh, int kw, RankRule outRule, RankRule inRule) {
        int k = kh * kw;
        if (w.length != cOut * cIn * k) {
            throw new IllegalArgumentException("a [" + cOut + ", " + cIn + ", " + kh + ", " + kw + "] kernel needs "
                    + cOut * cIn * k + " elements, got " + w.length);
        }
        JacobiSvd.Result mode0 = JacobiSvd.decompose(w, cOut, cIn * k);
        double[] unfold1 = new double[w.length];
        for (int o = 0; o < cOut; o++) {
            for (int i = 0; i < cIn; i++) {
                System.arraycopy(w, (o * cIn + i) * k, unfold1, i * cOut * k + o * k, k);
            }
        }
        JacobiSvd.Result mode1 = JacobiSvd.decompose(unfold1, cIn, cOut * k);
        int rOut = outRule.choose(mode0.s(), cOut, cIn * k);
        int rIn = inRule.choose(mode1.s(), cIn, cOut * k);
        return fromFactors(w, cOut, cIn, kh, kw, leading(mode0, rOut), rOut, leading(mode1, rIn), rIn, mode0.s(),
                mode1.s());
    }

    /** The decomposition with the given ranks (each at most its unfolding's rank). */
    public static Tucker2 decompose(double[] w, int cOut, int cIn, int kh, int kw, int rOut, int rIn) {
        return decompose(w, cOut, cIn, kh, kw, RankRule.rank(rOut), RankRule.rank(rIn));
    }

    /** U's first {@code r} columns, row-major {@code [rows, r]}. */
    private static double[] leading(JacobiSvd.Result svd, int r) {
        int rows = svd.rows();
        double[] f = new double[rows * r];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < r; j++) {
                f[i * r + j] = svd.u(i, j);
            }
        }
        return f;
    }

    private static Tucker2 fromFactors(double[] w, int cOut, int cIn, int kh, int kw, double[] uOut, int rOut,
                                       double[] uIn, int rIn, double[] outSigma, double[] inSigma) {
        int k = kh * kw;
        // T[a, i, s] = sum_o U_out[o, a] W[o, i, s]
        double[] t = new double[rOut * cIn * k];
        for (int o = 0; o < cOut; o++) {
            for (int a = 0; a < rOut; a++) {
                double f = uOut[o * rOut + a];
                int tBase = a * cIn * k;
                int wBase = o * cIn * k;
                for (int j = 0; j < cIn * k; j++) {
                    t[tBase + j] += f * w[wBase + j];
                }
            }
        }
        // G[a, b, s] = sum_i U_in[i, b] T[a, i, s]
        double[] g = new double[rOut * rIn * k];
        for (int a = 0; a < rOut; a++) {
            for (int i = 0; i < cIn; i++) {
                for (int b = 0; b < rIn; b++) {
                    double f = uIn[i * rIn + b];
                    int gBase = (a * rIn + b) * k;
                    int tBase = (a * cIn + i) * k;
                    for (int s = 0; s < k; s++) {
                        g[gBase + s] += f * t[tBase + s];
                    }
                }
            }
        }
        return new Tucker2(cOut, cIn, kh, kw, rOut, rIn, g, uOut, uIn, outSigma, inSigma);
    }

    /** {@code W^ = G x_0 U_out x_1 U_in}, row-major {@code [C_out, C_in, kh, kw]}. */
    public double[] reconstruct() {
        int k = kh * kw;
        // H[o, b, s] = sum_a U_out[o, a] G[a, b, s]
        double[] h = new double[cOut * rIn * k];
        for (int o = 0; o < cOut; o++) {
            for (int a = 0; a < rOut; a++) {
                double f = outFactor[o * rOut + a];
                for (int j = 0; j < rIn * k; j++) {
                    h[o * rIn * k + j] += f * core[a * rIn * k + j];
                }
            }
        }
        double[] w = new double[cOut * cIn * k];
        for (int o = 0; o < cOut; o++) {
            for (int i = 0; i < cIn; i++) {
                for (int b = 0; b < rIn; b++) {
                    double f = inFactor[i * rIn + b];
                    for (int s = 0; s < k; s++) {
                        w[(o * cIn + i) * k + s] += f * h[(o * rIn + b) * k + s];
                    }
                }
            }
        }
        return w;
    }

    /** The share of each unfolding's energy the kept singular vectors hold: {@code [mode 0, mode 1]}. */
    public double[] keptEnergy() {
        return new double[] {RankRule.keptEnergy(outSigma, rOut), RankRule.keptEnergy(inSigma, rIn)};
    }

    /** {@code |W - W^|_F / |W|_F} for the kernel it was computed from. */
    public double relativeError(double[] w) {
        return Frobenius.relativeError(w, reconstruct());
    }
}
