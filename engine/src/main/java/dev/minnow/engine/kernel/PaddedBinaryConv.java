package dev.minnow.engine.kernel;

/**
 * The fast path of {@link BinaryConv}: the same XNOR-popcount convolution, with the padding moved
 * out of the inner loop and the weights laid out for reuse. Results are identical to
 * {@link BinaryConv#forwardRowsOneFilter} (the tests check it on odd shapes).
 *
 * <p><b>Padded image.</b> The image's sign bits are packed once per run into a zero-bordered
 * plane {@code [Hp, Wp, cw]} ({@link #packActivations}), {@code Hp = padH + H + (rows the last
 * window needs below)}, likewise {@code Wp}. Every window then lies wholly inside the array, so the
 * inner loop has fixed bounds and no per-tap tests. A padded tap holds 0 bits, which a +1/-1
 * tensor does not have: XOR with the filter's word counts {@code popcount(w_tap)} disagreements
 * where the real-valued convolution (zero padding) counts nothing. The kernel subtracts exactly
 * that, per filter and border position:
 * <pre>
 *   D        = sum over all kh*kw taps of popcount(X_tap xor W_tap)          (padded taps included)
 *   D_valid  = D - sum over padded taps of popcount(W_tap)                   ({@link #tapPopcounts})
 *   dot      = v * C - 2 * D_valid                                           v = number of valid taps
 * </pre>
 * which is {@link BinaryConv}'s formula; interior positions (no padded tap) skip the correction.
 *
 * <p><b>Interleaved weights.</b> Filters go in blocks of {@value #BLOCK}, and within a block the
 * four filters' words for the same tap and channel word are adjacent ({@link #interleaveWeights}):
 * {@code [ceil(C_out / 4), kh, kw, cw, 4]}. The inner loop loads one activation word and XORs it
 * with four consecutive weight words, so every loaded word serves four popcounts and the four
 * weight loads share one index (constant displacements). A block's weights (4 x 36 words at
 * 3x3x256) and the padded image (8 KB at 14x14x256) stay in the L1 cache. Missing filters of the
 * last block are zero words whose results are not written.
 *
 * <p>Threads take ranges of filter blocks ({@link #forwardBlocks}): with 256 filters that is 64
 * equal pieces of work, where output rows (14) split unevenly and the border rows cost less.
 */
public final class PaddedBinaryConv {
    /** Filters computed together. */
    public static final int BLOCK = 4;

    private PaddedBinaryConv() {
    }

    /** Rows of the zero-bordered image: {@code padH + H} plus what the last window reaches below. */
    public static int paddedHeight(BinaryConv.Shape s) {
        return s.padH() + Math.max(s.height(), (s.outH() - 1) * s.strideH() + (s.kernelH() - 1) * s.dilationH() + 1
                - s.padH());
    }

    /** Columns of the zero-bordered image. */
    public static int paddedWidth(BinaryConv.Shape s) {
        return s.padW() + Math.max(s.width(), (s.outW() - 1) * s.strideW() + (s.kernelW() - 1) * s.dilationW() + 1
                - s.padW());
    }

    /** Longs of one padded packed image. */
    public static int paddedLongs(BinaryConv.Shape s) {
        return paddedHeight(s) * paddedWidth(s) * s.channelWords();
    }

    /** Filter blocks: {@code ceil(C_out / 4)}. */
    public static int blocks(BinaryConv.Shape s) {
        return (s.outChannels() + BLOCK - 1) / BLOCK;
    }

    /** Longs of the interleaved weights. */
    public static int interleavedLongs(BinaryConv.Shape s) {
        return blocks(s) * BLOCK * s.kernelH() * s.kernelW() * s.channelWords();
    }

    /**
     * Sign bits of one image {@code x[C, H, W]} into the zero-bordered plane {@code bits [Hp, Wp, cw]}
     * (bit set when {@code x >= 0}, as {@link BinaryConv#packActivations}); every word of
     * {@code bits} is written, the border with zeros. Returns {@code sum |x|} (XNOR-Net's
     * activation scale needs it), summed in double over eight running sums.
     */
    public static double packActivations(float[] x, int xOff, BinaryConv.Shape s, long[] bits) {
        int cw = s.channelWords();
        int hp = paddedHeight(s);
        int wp = paddedWidth(s);
        int plane = s.height() * s.width();
        java.util.Arrays.fill(bits, 0, hp * wp * cw, 0L);
        for (int c = 0; c < s.channels(); c++) {
            int word = c >>> 6;
            int shift = c & 63;
            int xs = xOff + c * plane;
            for (int iy = 0; iy < s.height(); iy++) {
                int at = ((iy + s.padH()) * wp + s.padW()) * cw + word;
                int xr = xs + iy * s.width();
                for (int ix = 0; ix < s.width(); ix++, at += cw) {
                    bits[at] |= (x[xr + ix] >= 0f ? 1L : 0L) << shift;
                }
            }
        }
        return absoluteSum(x, xOff, s.channels() * plane);
    }

    /** {@code sum |x[off .. off + n)|} in double, eight independent running sums (no add waits on the previous one). */
    static double absoluteSum(float[] x, int off, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            s0 += Math.abs(x[off + i]);
            s1 += Math.abs(x[off + i + 1]);
            s2 += Math.abs(x[off + i + 2]);
            s3 += Math.abs(x[off + i + 3]);
            s4 += Math.abs(x[off + i + 4]);
            s5 += Math.abs(x[off + i + 5]);
            s6 += Math.abs(x[off + i + 6]);
            s7 += Math.abs(x[off + i + 7]);
        }
        for (; i < n; i++) {
            s0 += Math.abs(x[off + i]);
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /**
     * Packed weights {@code w [C_out, kh, kw, cw]} (from {@code wOff}, {@link BinaryConv#packWeights})
     * into the interleaved layout {@code [ceil(C_out/4), kh, kw, cw, 4]}: word {@code i} of filter
     * {@code oc}'s run at {@code (oc / 4) * 4 * run + i * 4 + oc % 4}.
     */
    public static void interleaveWeights(long[] w, int wOff, BinaryConv.Shape s, long[] dst) {
        int run = s.kernelH() * s.kernelW() * s.channelWords();
        java.util.Arrays.fill(dst, 0, interleavedLongs(s), 0L);
        for (int oc = 0; oc < s.outChannels(); oc++) {
            int base = (oc / BLOCK) * BLOCK * run + oc % BLOCK;
            for (int i = 0; i < run; i++) {
                dst[base + i * BLOCK] = w[wOff + oc * run + i];
            }
        }
    }

    /** {@code pop[oc * kh*kw + tap] = popcount of filter oc's words at that tap}: the padding corrections. */
    public static void tapPopcounts(long[] w, int wOff, BinaryConv.Shape s, int[] pop) {
        int cw = s.channelWords();
        int taps = s.kernelH() * s.kernelW();
        for (int oc = 0; oc < s.outChannels(); oc++) {
            for (int t = 0; t < taps; t++) {
                int n = 0;
                for (int i = 0, at = wOff + (oc * taps + t) * cw; i < cw; i++) {
                    n += Long.bitCount(w[at + i]);
                }
                pop[oc * taps + t] = n;
            }
        }
    }

    /**
     * Filter blocks {@code [blockFrom, blockTo)} of one image:
     * {@code y[oc, oy, ox] = beta * alpha[oc] * dot + bias[oc]} ({@code bias} may be null), with
     * {@code x} the padded image of {@link #packActivations}, {@code w} the interleaved weights,
     * {@code pop} the tap popcounts; {@code y} laid out {@code [C_out, outH, outW]} from {@code yOff}.
     */
    public static void forwardBlocks(BinaryConv.Shape s, long[] x, long[] w, int[] pop, float[] alpha, int alphaOff,
                                     float beta, float[] bias, int biasOff, float[] y, int yOff, int blockFrom,
                                     int blockTo) {
        int cw = s.channelWords();
        int wp = paddedWidth(s);
        int taps = s.kernelH() * s.kernelW();
        int run = taps * cw;
        int outPlane = s.outH() * s.outW();
        // dilation 1: a window row is one run of kw * cw words; otherwise kw runs of cw words
        int segments = s.dilationW() == 1 ? 1 : s.kernelW();
        int segment = s.dilationW() == 1 ? s.kernelW() * cw : cw;
        int xRowStep = s.dilationH() * wp * cw;
        int xSegStep = s.dilationW() * cw;
        int wRowStep = s.kernelW() * cw * BLOCK;
        int wSegStep = cw * BLOCK;
        for (int blk = blockFrom; blk < blockTo; blk++) {
            int oc0 = blk * BLOCK;
            int filters = Math.min(BLOCK, s.outChannels() - oc0);
            int wBlock = blk * BLOCK * run;
            for (int oy = 0; oy < s.outH(); oy++) {
                int xRow0 = oy * s.strideH() * wp * cw;
                for (int ox = 0; ox < s.outW(); ox++) {
                    int d0 = 0;
                    int d1 = 0;
                    int d2 = 0;
                    int d3 = 0;
                    int xa = xRow0 + ox * s.strideW() * cw;
                    for (int ky = 0; ky < s.kernelH(); ky++) {
                        for (int sg = 0; sg < segments; sg++) {
                            int xs = xa + ky * xRowStep + sg * xSegStep;
                            int ws = wBlock + ky * wRowStep + sg * wSegStep;
                            for (int i = 0; i < segment; i++) {
                                long v = x[xs + i];
                                int wi = ws + BLOCK * i;
                                d0 += Long.bitCount(v ^ w[wi]);
                                d1 += Long.bitCount(v ^ w[wi + 1]);
                                d2 += Long.bitCount(v ^ w[wi + 2]);
                                d3 += Long.bitCount(v ^ w[wi + 3]);
                            }
                        }
                    }
                    int yPos = yOff + oc0 * outPlane + oy * s.outW() + ox;
                    int iy0 = oy * s.strideH() - s.padH();
                    int ix0 = ox * s.strideW() - s.padW();
                    int kyLo = firstTap(iy0, s.dilationH());
                    int kyHi = endTap(iy0, s.dilationH(), s.kernelH(), s.height());
                    int kxLo = firstTap(ix0, s.dilationW());
                    int kxHi = endTap(ix0, s.dilationW(), s.kernelW(), s.width());
                    int validTaps = Math.max(0, kyHi - kyLo) * Math.max(0, kxHi - kxLo);
                    int valid = validTaps * s.channels();
                    if (validTaps != taps) {
                        int at = oc0 * taps;
                        d0 -= paddedTapsPopcount(s, pop, at, kyLo, kyHi, kxLo, kxHi);
                        d1 -= filters > 1 ? paddedTapsPopcount(s, pop, at + taps, kyLo, kyHi, kxLo, kxHi) : 0;
                        d2 -= filters > 2 ? paddedTapsPopcount(s, pop, at + 2 * taps, kyLo, kyHi, kxLo, kxHi) : 0;
                        d3 -= filters > 3 ? paddedTapsPopcount(s, pop, at + 3 * taps, kyLo, kyHi, kxLo, kxHi) : 0;
                    }
                    write(y, yPos, beta, alpha, alphaOff + oc0, bias, biasOff + oc0, valid - 2 * d0);
                    if (filters > 1) {
                        write(y, yPos + outPlane, beta, alpha, alphaOff + oc0 + 1, bias, biasOff + oc0 + 1, valid - 2 * d1);
                    }
                    if (filters > 2) {
                        write(y, yPos + 2 * outPlane, beta, alpha, alphaOff + oc0 + 2, bias, biasOff + oc0 + 2,
                                valid - 2 * d2);
                    }
                    if (filters > 3) {
                        write(y, yPos + 3 * outPlane, beta, alpha, alphaOff + oc0 + 3, bias, biasOff + oc0 + 3,
                                valid - 2 * d3);
                    }
                }
            }
        }
    }

    /** The popcounts of one filter's taps that fall in the padding (outside {@code [kyLo, kyHi) x [kxLo, kxHi)}). */
    private static int paddedTapsPopcount(BinaryConv.Shape s, int[] pop, int at, int kyLo, int kyHi, int kxLo,
                                          int kxHi) {
        int n = 0;
        for (int ky = 0; ky < s.kernelH(); ky++) {
            boolean rowValid = ky >= kyLo && ky < kyHi;
            for (int kx = 0; kx < s.kernelW(); kx++) {
                if (!rowValid || kx < kxLo || kx >= kxHi) {
                    n += pop[at + ky * s.kernelW() + kx];
                }
            }
        }
        return n;
    }

    private static void write(float[] y, int at, float beta, float[] alpha, int a, float[] bias, int b, int dot) {
        float v = beta * alpha[a] * dot;
        y[at] = bias == null ? v : v + bias[b];
    }

    /** The first tap {@code k >= 0} with {@code i0 + k * d >= 0}. */
    private static int firstTap(int i0, int d) {
        return i0 >= 0 ? 0 : (-i0 + d - 1) / d;
    }

    /** One past the last tap {@code k < kernel} with {@code i0 + k * d < length}. */
    private static int endTap(int i0, int d, int kernel, int length) {
        return i0 >= length ? 0 : Math.min(kernel, (length - 1 - i0) / d + 1);
    }
}
