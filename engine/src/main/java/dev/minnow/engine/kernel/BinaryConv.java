package dev.minnow.engine.kernel;

import java.util.Arrays;

/**
 * Binary convolution by XOR and popcount (Rastegari et al. 2016, "XNOR-Net", sec. 3.2): when both
 * the input and the weights are signs ({@code -1, +1}), a dot product of length {@code n} is
 * <pre>
 *   a . b = (agreements) - (disagreements) = n - 2 * popcount(A xor B)
 *         = 2 * popcount(A xnor B) - n
 * </pre>
 * where {@code A}, {@code B} hold one bit per element (1 for +1, 0 for -1). Sixty-four
 * multiply-adds become one XOR and one {@link Long#bitCount} (the POPCNT instruction).
 * Example: a = (+1, -1, -1, +1), b = (+1, +1, -1, -1): A = 1001, B = 1100 (element 0 first),
 * A xor B = 0101, popcount 2, so a . b = 4 - 2 * 2 = 0 (= 1 - 1 + 1 - 1).
 *
 * <p><b>Layouts.</b> Activations of one image {@code [C, H, W]} are packed channel-innermost,
 * {@code [H, W, cw]} words with {@code cw = ceil(C / 64)} ({@link #packActivations}): channel
 * {@code c} of pixel {@code (h, w)} at bit {@code c mod 64} of word {@code (h * W + w) * cw + c / 64}.
 * Weights {@code [C_out, C, kh, kw]} become {@code [C_out, kh, kw, cw]} words in the same way
 * ({@link #packWeights}). A window row of {@code kw} taps is then {@code kw * cw} consecutive words
 * in both, so the inner loop is a plain run of XOR + popcount. Bits past channel {@code C} are 0 in
 * both operands, so their XOR is 0 and they count nothing.
 *
 * <p><b>Padding, exactly.</b> A padded position is a 0 of the real-valued input, neither -1 nor
 * +1, so it must contribute nothing. The kernel therefore skips the taps that fall outside the
 * image and counts only the valid ones: with {@code v} valid taps,
 * <pre>
 *   dot = v * C - 2 * popcount over valid taps (X xor W)
 * </pre>
 * which is exactly the float convolution of the sign tensors with zero padding. (Counting padded
 * taps as -1 bits would add a wrong term near the borders.)
 *
 * <p><b>Output</b>: {@code y[oc, oy, ox] = beta * alpha[oc] * dot + bias[oc]} with the weight scale
 * {@code alpha} of filter {@code oc} and the activation scale {@code beta} of the image.
 *
 * <p>The reference is the float convolution of the sign tensors ({@link ConvKernels#convolutionNaive}),
 * which the tests compare against. There is only a scalar path: Java 17's Vector API has no lane-wise
 * bit count (it arrives in JDK 19), and {@code Long.bitCount} is already one instruction.
 */
public final class BinaryConv {
    private BinaryConv() {
    }

    /**
     * The geometry of one binary convolution (2-D, one group).
     *
     * @param channels input channels C; {@code height, width} the input plane
     * @param outChannels filters; {@code kernelH, kernelW} their size
     */
    public record Shape(int channels, int height, int width, int outChannels, int kernelH, int kernelW,
                        int strideH, int strideW, int padH, int padW, int dilationH, int dilationW,
                        int outH, int outW) {
        /** Words per pixel: {@code ceil(C / 64)}. */
        public int channelWords() {
            return words(channels);
        }

        /** Longs of one packed image. */
        public int activationLongs() {
            return height * width * channelWords();
        }

        /** Longs of the packed weights. */
        public int weightLongs() {
            return outChannels * kernelH * kernelW * channelWords();
        }
    }

    /** 64-bit words for {@code channels} one-bit channels. */
    public static int words(int channels) {
        return (channels + 63) >>> 6;
    }

    /**
     * Sign bits of one image {@code x[C, H, W]} into {@code bits [H, W, cw]}: bit set when
     * {@code x >= 0} (sign(0) = +1, as the training's binarisation).
     */
    public static void packActivations(float[] x, int xOff, int channels, int height, int width, long[] bits,
                                       int bitsOff) {
        int cw = words(channels);
        int plane = height * width;
        Arrays.fill(bits, bitsOff, bitsOff + plane * cw, 0L);
        for (int c = 0; c < channels; c++) {
            int word = bitsOff + (c >>> 6);
            long bit = 1L << (c & 63);
            int xs = xOff + c * plane;
            for (int p = 0; p < plane; p++) {
                if (x[xs + p] >= 0f) {
                    bits[word + p * cw] |= bit;
                }
            }
        }
    }

    /** Sign bits of weights {@code w[C_out, C, kh, kw]} into {@code bits [C_out, kh, kw, cw]} (set when w >= 0). */
    public static void packWeights(float[] w, int wOff, int outChannels, int channels, int kernelH, int kernelW,
                                   long[] bits, int bitsOff) {
        int cw = words(channels);
        int taps = kernelH * kernelW;
        Arrays.fill(bits, bitsOff, bitsOff + outChannels * taps * cw, 0L);
        for (int oc = 0; oc < outChannels; oc++) {
            for (int c = 0; c < channels; c++) {
                long bit = 1L << (c & 63);
                for (int t = 0; t < taps; t++) {
                    if (w[wOff + (oc * channels + c) * taps + t] >= 0f) {
                        bits[bitsOff + (oc * taps + t) * cw + (c >>> 6)] |= bit;
                    }
                }
            }
        }
    }

    /** Filters computed together: each activation word loaded once serves this many XORs. */
    static final int FILTER_BLOCK = 4;

    /**
     * Output rows {@code [oyFrom, oyTo)} of one image: {@code y[oc, oy, ox] = beta * alpha[oc] * dot + bias[oc]}
     * ({@code bias} may be null), {@code y} laid out {@code [C_out, outH, outW]} from {@code yOff}.
     *
     * <p>Loop order: blocks of {@value #FILTER_BLOCK} filters outside, output positions inside, so a
     * block's weights (4 x 36 words for a 3x3x256 filter) and the packed image (6 KB at 14x14x256)
     * stay in the L1 cache, and each activation word is loaded once for four XOR + popcounts.
     */
    public static void forwardRows(Shape s, long[] x, int xOff, long[] w, int wOff, float[] alpha, int alphaOff,
                                   float beta, float[] bias, int biasOff, float[] y, int yOff, int oyFrom, int oyTo) {
        int cw = s.channelWords();
        int outPlane = s.outH * s.outW;
        int filterLongs = s.kernelH * s.kernelW * cw;
        int rowLongs = s.kernelW * cw;
        for (int oc = 0; oc < s.outChannels; oc += FILTER_BLOCK) {
            int block = Math.min(FILTER_BLOCK, s.outChannels - oc);
            int f0 = wOff + oc * filterLongs;
            for (int oy = oyFrom; oy < oyTo; oy++) {
                int iy0 = oy * s.strideH - s.padH;
                int kyLo = firstTap(iy0, s.dilationH);
                int kyHi = endTap(iy0, s.dilationH, s.kernelH, s.height);
                for (int ox = 0; ox < s.outW; ox++) {
                    int ix0 = ox * s.strideW - s.padW;
                    int kxLo = firstTap(ix0, s.dilationW);
                    int kxHi = endTap(ix0, s.dilationW, s.kernelW, s.width);
                    int taps = Math.max(0, kxHi - kxLo);
                    int valid = Math.max(0, kyHi - kyLo) * taps * s.channels;
                    // dilation 1: a window row is one run of taps * cw words; else one run of cw per tap
                    int segments = s.dilationW == 1 ? Math.min(1, taps) : taps;
                    int segment = s.dilationW == 1 ? taps * cw : cw;
                    int yPos = yOff + oc * outPlane + oy * s.outW + ox;
                    if (block == FILTER_BLOCK) {
                        int d0 = 0;
                        int d1 = 0;
                        int d2 = 0;
                        int d3 = 0;
                        for (int ky = kyLo; ky < kyHi; ky++) {
                            int xRow = xOff + (iy0 + ky * s.dilationH) * s.width * cw;
                            for (int sg = 0; sg < segments; sg++) {
                                int kx = kxLo + sg;
                                int xs = xRow + (ix0 + kx * s.dilationW) * cw;
                                int ws = f0 + ky * rowLongs + kx * cw;
                                for (int i = 0; i < segment; i++) {
                                    long v = x[xs + i];
                                    d0 += Long.bitCount(v ^ w[ws + i]);
                                    d1 += Long.bitCount(v ^ w[ws + filterLongs + i]);
                                    d2 += Long.bitCount(v ^ w[ws + 2 * filterLongs + i]);
                                    d3 += Long.bitCount(v ^ w[ws + 3 * filterLongs + i]);
                                }
                            }
                        }
                        write(y, yPos, beta, alpha, alphaOff + oc, bias, biasOff + oc, valid - 2 * d0);
                        write(y, yPos + outPlane, beta, alpha, alphaOff + oc + 1, bias, biasOff + oc + 1, valid - 2 * d1);
                        write(y, yPos + 2 * outPlane, beta, alpha, alphaOff + oc + 2, bias, biasOff + oc + 2,
                                valid - 2 * d2);
                        write(y, yPos + 3 * outPlane, beta, alpha, alphaOff + oc + 3, bias, biasOff + oc + 3,
                                valid - 2 * d3);
                        continue;
                    }
                    for (int b = 0; b < block; b++) {
                        int d = 0;
                        int fb = f0 + b * filterLongs;
                        for (int ky = kyLo; ky < kyHi; ky++) {
                            int xRow = xOff + (iy0 + ky * s.dilationH) * s.width * cw;
                            for (int sg = 0; sg < segments; sg++) {
                                int kx = kxLo + sg;
                                int xs = xRow + (ix0 + kx * s.dilationW) * cw;
                                int ws = fb + ky * rowLongs + kx * cw;
                                for (int i = 0; i < segment; i++) {
                                    d += Long.bitCount(x[xs + i] ^ w[ws + i]);
                                }
                            }
                        }
                        write(y, yPos + b * outPlane, beta, alpha, alphaOff + oc + b, bias, biasOff + oc + b,
                                valid - 2 * d);
                    }
                }
            }
        }
    }

    private static void write(float[] y, int at, float beta, float[] alpha, int a, float[] bias, int b, int dot) {
        float v = beta * alpha[a] * dot;
        y[at] = bias == null ? v : v + bias[b];
    }

    /**
     * The straightforward loop order, one filter at a time for each output position, kept as the
     * reference for {@link #forwardRows} (same arguments, same results): every position streams all
     * the filters' words, which for 256 filters of 3x3x256 (72 KB) do not stay in the L1 cache.
     */
    public static void forwardRowsOneFilter(Shape s, long[] x, int xOff, long[] w, int wOff, float[] alpha, int alphaOff,
                                   float beta, float[] bias, int biasOff, float[] y, int yOff, int oyFrom, int oyTo) {
        int cw = s.channelWords();
        int outPlane = s.outH * s.outW;
        int filterLongs = s.kernelH * s.kernelW * cw;
        int rowLongs = s.kernelW * cw;
        for (int oy = oyFrom; oy < oyTo; oy++) {
            int iy0 = oy * s.strideH - s.padH;
            int kyLo = firstTap(iy0, s.dilationH);
            int kyHi = endTap(iy0, s.dilationH, s.kernelH, s.height);
            for (int ox = 0; ox < s.outW; ox++) {
                int ix0 = ox * s.strideW - s.padW;
                int kxLo = firstTap(ix0, s.dilationW);
                int kxHi = endTap(ix0, s.dilationW, s.kernelW, s.width);
                int valid = Math.max(0, kyHi - kyLo) * Math.max(0, kxHi - kxLo) * s.channels;
                int run = (kxHi - kxLo) * cw;
                int yPos = yOff + oy * s.outW + ox;
                for (int oc = 0; oc < s.outChannels; oc++) {
                    int diff = 0;
                    int wFilter = wOff + oc * filterLongs;
                    for (int ky = kyLo; ky < kyHi; ky++) {
                        int xRow = xOff + (iy0 + ky * s.dilationH) * s.width * cw;
                        int wRow = wFilter + ky * rowLongs;
                        if (s.dilationW == 1) {
                            int xs = xRow + (ix0 + kxLo) * cw;
                            int ws = wRow + kxLo * cw;
                            for (int i = 0; i < run; i++) {
                                diff += Long.bitCount(x[xs + i] ^ w[ws + i]);
                            }
                        } else {
                            for (int kx = kxLo; kx < kxHi; kx++) {
                                int xs = xRow + (ix0 + kx * s.dilationW) * cw;
                                int ws = wRow + kx * cw;
                                for (int i = 0; i < cw; i++) {
                                    diff += Long.bitCount(x[xs + i] ^ w[ws + i]);
                                }
                            }
                        }
                    }
                    float v = beta * alpha[alphaOff + oc] * (valid - 2 * diff);
                    y[yPos + oc * outPlane] = bias == null ? v : v + bias[biasOff + oc];
                }
            }
        }
    }

    /** The first tap {@code k >= 0} with {@code i0 + k * d >= 0}. */
    static int firstTap(int i0, int d) {
        return i0 >= 0 ? 0 : (-i0 + d - 1) / d;
    }

    /** One past the last tap {@code k < kernel} with {@code i0 + k * d < length}. */
    static int endTap(int i0, int d, int kernel, int length) {
        return i0 >= length ? 0 : Math.min(kernel, (length - 1 - i0) / d + 1);
    }
}
