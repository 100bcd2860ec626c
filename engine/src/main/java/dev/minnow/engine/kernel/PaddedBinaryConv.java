package dev.minnow.engine.kernel;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The fast path of {@link BinaryConv}: the same XNOR-popcount convolution, organised so that the
 * inner loop is one long run of words shared by four windows, which {@link BinaryKernels} computes
 * (a carry-save adder tree on 256-bit vectors, or scalar POPCNTs). Results are identical to
 * {@link BinaryConv#forwardRowsOneFilter}; the tests check it on odd shapes with both kernels.
 *
 * <p><b>Padded image.</b> The image's sign bits are packed once per run into a zero-bordered
 * plane {@code [Hp, Wp, cw]} ({@link #packActivations}), {@code Hp = padH + H + (rows the last
 * window needs below)}, likewise {@code Wp}, so every window lies wholly inside it.
 *
 * <p><b>Windows, four at a time.</b> {@link #gatherWindows} copies each output position's window
 * ({@code kh * kw * cw} words, padded with zero words to a multiple of eight: {@link #windowWords})
 * into groups of four positions whose words are interleaved, {@code [groups, words, 4]}: a 256-bit
 * load then holds word {@code k} of four windows. The filters' words are repeated four times to
 * match ({@link #repeatWeights}, once per plan). At 3x3x256 and 14x14 this is 62 KB of windows,
 * about what the image would be read as anyway, and each window is then reused by every filter.
 *
 * <p><b>Padding, exactly.</b> A padded tap holds 0 bits, which a +1/-1 tensor does not have: XOR
 * with the filter counts {@code popcount(w_tap)} disagreements where the real-valued convolution
 * (zero padding) counts nothing. The kernel subtracts exactly that:
 * <pre>
 *   D        = sum over all kh*kw taps of popcount(X_tap xor W_tap)          (padded taps included)
 *   D_valid  = D - sum over padded taps of popcount(W_tap)
 *   dot      = v * C - 2 * D_valid                                           v = number of valid taps
 * </pre>
 * Which taps are padded depends only on the rectangle of valid taps, and a layer has few of those
 * (eight at 3x3 with padding 1: four edges, four corners). {@link Border} lists the positions whose
 * window meets the padding with their rectangle's number, and {@link Border#corrections} sums each
 * filter's padded-tap popcounts once per rectangle when the weights are prepared. A run writes every
 * output as an interior one (a plain loop the JIT vectorises), then rewrites the edge positions
 * with their correction (52 of 196 at 14x14).
 *
 * <p>Threads take ranges of filters ({@link #forwardFilters}); positions go in tiles of
 * {@value #TILE_GROUPS} groups so that a tile's windows stay in the L1 cache while every filter of
 * the range passes over them.
 */
public final class PaddedBinaryConv {
    /** Groups of four windows per tile: 64 positions, 20 KB of windows at 3x3x256. */
    public static final int TILE_GROUPS = 16;

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

    /**
     * Sign bits of one image {@code x[C, H, W]} into the zero-bordered plane {@code bits [Hp, Wp, cw]}
     * (bit set when {@code x >= 0}, as {@link BinaryConv#packActivations}); every word of
     * {@code bits} is written, the border with zeros. Returns {@code sum |x|} (XNOR-Net's
     * activation scale needs it), summed in double over eight running sums.
     */
    public static double packActivations(float[] x, int xOff, BinaryConv.Shape s, long[] bits) {
        int cw = s.channelWords();
        int wp = paddedWidth(s);
        int width = s.width();
        int plane = s.height() * width;
        Arrays.fill(bits, 0, paddedLongs(s), 0L);
        // each word is built in a register from its 64 channels, four pixels at a time
        for (int word = 0; word < cw; word++) {
            int c0 = word * 64;
            int n = Math.min(s.channels(), c0 + 64) - c0;
            for (int iy = 0; iy < s.height(); iy++) {
                int at = ((iy + s.padH()) * wp + s.padW()) * cw + word;
                int xr = xOff + c0 * plane + iy * width;
                int ix = 0;
                for (; ix + 4 <= width; ix += 4, at += 4 * cw) {
                    long w0 = 0;
                    long w1 = 0;
                    long w2 = 0;
                    long w3 = 0;
                    for (int c = 0, xi = xr + ix; c < n; c++, xi += plane) {
                        w0 |= (x[xi] >= 0f ? 1L : 0L) << c;
                        w1 |= (x[xi + 1] >= 0f ? 1L : 0L) << c;
                        w2 |= (x[xi + 2] >= 0f ? 1L : 0L) << c;
                        w3 |= (x[xi + 3] >= 0f ? 1L : 0L) << c;
                    }
                    bits[at] = w0;
                    bits[at + cw] = w1;
                    bits[at + 2 * cw] = w2;
                    bits[at + 3 * cw] = w3;
                }
                for (; ix < width; ix++, at += cw) {
                    long w = 0;
                    for (int c = 0, xi = xr + ix; c < n; c++, xi += plane) {
                        w |= (x[xi] >= 0f ? 1L : 0L) << c;
                    }
                    bits[at] = w;
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

    /** Words per window: {@code kh * kw * cw}, rounded up to a multiple of eight. */
    public static int windowWords(BinaryConv.Shape s) {
        int words = s.kernelH() * s.kernelW() * s.channelWords();
        return (words + BinaryKernels.WORD_MULTIPLE - 1) / BinaryKernels.WORD_MULTIPLE * BinaryKernels.WORD_MULTIPLE;
    }

    /** Groups of four output positions: {@code ceil(outH * outW / 4)}. */
    public static int groups(BinaryConv.Shape s) {
        return (s.outH() * s.outW() + BinaryKernels.LANES - 1) / BinaryKernels.LANES;
    }

    /** Longs of the gathered windows {@code [groups, windowWords, 4]}. */
    public static int windowLongs(BinaryConv.Shape s) {
        return groups(s) * windowWords(s) * BinaryKernels.LANES;
    }

    /** Longs of the repeated weights {@code [C_out, windowWords, 4]}. */
    public static int repeatedLongs(BinaryConv.Shape s) {
        return s.outChannels() * windowWords(s) * BinaryKernels.LANES;
    }

    /** Ints of the scratch counts {@link #forwardFilters} needs: {@code C_out * TILE_GROUPS * 4}. */
    public static int countInts(BinaryConv.Shape s) {
        return s.outChannels() * TILE_GROUPS * BinaryKernels.LANES;
    }

    /**
     * Packed weights {@code w [C_out, kh, kw, cw]} (from {@code wOff}, {@link BinaryConv#packWeights})
     * into {@code dst [C_out, windowWords, 4]}: each word four times, then zero words up to
     * {@link #windowWords}.
     */
    public static void repeatWeights(long[] w, int wOff, BinaryConv.Shape s, long[] dst) {
        int run = s.kernelH() * s.kernelW() * s.channelWords();
        int words = windowWords(s);
        Arrays.fill(dst, 0, repeatedLongs(s), 0L);
        for (int oc = 0; oc < s.outChannels(); oc++) {
            for (int i = 0; i < run; i++) {
                Arrays.fill(dst, (oc * words + i) * BinaryKernels.LANES, (oc * words + i + 1) * BinaryKernels.LANES,
                        w[wOff + oc * run + i]);
            }
        }
    }

    /**
     * The windows of every output position, from the padded image {@code padded} of
     * {@link #packActivations}, into {@code lanes [groups, windowWords, 4]}: position {@code p} is
     * lane {@code p % 4} of group {@code p / 4}, its words in tap order {@code (ky, kx, channel word)}
     * as the weights. The padding words and the lanes past the last position are zero.
     */
    public static void gatherWindows(BinaryConv.Shape s, long[] padded, long[] lanes) {
        int cw = s.channelWords();
        int wp = paddedWidth(s);
        int words = windowWords(s);
        int positions = s.outH() * s.outW();
        Arrays.fill(lanes, 0, windowLongs(s), 0L);
        for (int p = 0; p < positions; p++) {
            int oy = p / s.outW();
            int ox = p % s.outW();
            int at = (p / BinaryKernels.LANES * words) * BinaryKernels.LANES + p % BinaryKernels.LANES;
            for (int ky = 0; ky < s.kernelH(); ky++) {
                int row = (oy * s.strideH() + ky * s.dilationH()) * wp;
                for (int kx = 0; kx < s.kernelW(); kx++) {
                    int src = (row + ox * s.strideW() + kx * s.dilationW()) * cw;
                    for (int i = 0; i < cw; i++, at += BinaryKernels.LANES) {
                        lanes[at] = padded[src + i];
                    }
                }
            }
        }
    }

    /**
     * Filters {@code [filterFrom, filterTo)} of one image:
     * {@code y[oc, oy, ox] = beta * alpha[oc] * dot + bias[oc]} ({@code bias} may be null), with
     * {@code lanes} the windows of {@link #gatherWindows}, {@code repeated} the weights of
     * {@link #repeatWeights}, {@code corrections} from {@link Border#corrections}; {@code y} laid out
     * {@code [C_out, outH, outW]} from {@code yOff}; {@code counts} scratch of {@link #countInts}
     * ints, of which this call uses the part of its own filters (so threads may share it).
     */
    public static void forwardFilters(BinaryConv.Shape s, BinaryKernels kernels, long[] lanes, long[] repeated,
                                      Border border, int[] corrections, float[] alpha, int alphaOff, float beta,
                                      float[] bias, int biasOff, float[] y, int yOff, int[] counts, int filterFrom,
                                      int filterTo) {
        int words = windowWords(s);
        int positions = s.outH() * s.outW();
        int groups = groups(s);
        int tileInts = TILE_GROUPS * BinaryKernels.LANES;
        for (int g0 = 0; g0 < groups; g0 += TILE_GROUPS) {
            int g1 = Math.min(groups, g0 + TILE_GROUPS);
            int p0 = g0 * BinaryKernels.LANES;
            int p1 = Math.min(positions, g1 * BinaryKernels.LANES);
            for (int oc = filterFrom; oc < filterTo; oc++) {
                int c = oc * tileInts;
                kernels.disagreements(lanes, words, repeated, oc * words * BinaryKernels.LANES, g0, g1, counts, c);
                float scale = beta * alpha[alphaOff + oc];
                int yRow = yOff + oc * positions;
                // interior positions first (no correction; a loop the JIT vectorises), then the border ones
                int full = border.fullBits;
                if (bias == null) {
                    for (int p = p0; p < p1; p++) {
                        y[yRow + p] = scale * (full - 2 * counts[c + p - p0]);
                    }
                } else {
                    float b = bias[biasOff + oc];
                    for (int p = p0; p < p1; p++) {
                        y[yRow + p] = scale * (full - 2 * counts[c + p - p0]) + b;
                    }
                }
                for (int i = border.firstEdge(p0), end = border.firstEdge(p1); i < end; i++) {
                    int p = border.edge[i];
                    int d = counts[c + p - p0] - corrections[border.rectangle[i] * s.outChannels() + oc];
                    float v = scale * (border.validBits[i] - 2 * d);
                    y[yRow + p] = bias == null ? v : v + bias[biasOff + oc];
                }
            }
        }
    }

    /**
     * The buffers of one layer shape, allocated once, and the three steps over them: lay out the
     * weights ({@link #prepareWeights}, once per plan while they are constant), pack and gather one
     * image ({@link #packImage}), and compute ranges of filters ({@link #forwardFilters}, from several
     * threads at once if need be). What {@code XnorConv} runs, and what the benchmark times.
     */
    public static final class Layer {
        private final BinaryConv.Shape shape;
        private final long[] bits;
        private final long[] windows;
        private final long[] repeated;
        private final int[] tapPopcounts;
        private final Border border;
        private final int[] corrections;
        private final int[] counts;

        public Layer(BinaryConv.Shape s) {
            shape = s;
            bits = new long[paddedLongs(s)];
            windows = new long[windowLongs(s)];
            repeated = new long[repeatedLongs(s)];
            tapPopcounts = new int[s.outChannels() * s.kernelH() * s.kernelW()];
            border = Border.of(s);
            corrections = new int[border.correctionInts()];
            counts = new int[countInts(s)];
        }

        public BinaryConv.Shape shape() {
            return shape;
        }

        /** The packed weights {@code w [C_out, kh, kw, cw]} from {@code wOff}: repeated, with their border corrections. */
        public void prepareWeights(long[] w, int wOff) {
            repeatWeights(w, wOff, shape, repeated);
            tapPopcounts(w, wOff, shape, tapPopcounts);
            border.corrections(tapPopcounts, corrections);
        }

        /** Packs one image {@code x[C, H, W]} from {@code xOff} and gathers its windows; returns {@code sum |x|}. */
        public double packImage(float[] x, int xOff) {
            double absSum = packActivations(x, xOff, shape, bits);
            gatherWindows(shape, bits, windows);
            return absSum;
        }

        /** Filters {@code [filterFrom, filterTo)} of the packed image, as {@link PaddedBinaryConv#forwardFilters}. */
        public void forwardFilters(BinaryKernels kernels, float[] alpha, int alphaOff, float beta, float[] bias,
                                   int biasOff, float[] y, int yOff, int filterFrom, int filterTo) {
            PaddedBinaryConv.forwardFilters(shape, kernels, windows, repeated, border, corrections, alpha, alphaOff,
                    beta, bias, biasOff, y, yOff, counts, filterFrom, filterTo);
        }
    }

    /**
     * Where each output position's window meets the padding: the rectangle of its valid taps
     * {@code [kyLo, kyHi) x [kxLo, kxHi)}, numbered per distinct rectangle, and its count of valid
     * bits {@code v * C}. Depends on the shape only; made once per plan.
     */
    public static final class Border {
        /** The valid bits of an interior window: {@code kh * kw * C}. */
        final int fullBits;
        /** The positions whose window meets the padding, ascending. */
        final int[] edge;
        /** Per edge position: its rectangle's number. */
        final int[] rectangle;
        /** Per edge position: its valid bits {@code v * C}. */
        final int[] validBits;
        private final int[][] rectangles;
        private final BinaryConv.Shape shape;

        private Border(BinaryConv.Shape s, int[] edge, int[] rectangle, int[] validBits, int[][] rectangles) {
            this.shape = s;
            this.fullBits = s.kernelH() * s.kernelW() * s.channels();
            this.edge = edge;
            this.rectangle = rectangle;
            this.validBits = validBits;
            this.rectangles = rectangles;
        }

        /** The border of a layer shape. */
        public static Border of(BinaryConv.Shape s) {
            int positions = s.outH() * s.outW();
            int[] edge = new int[positions];
            int[] rectangle = new int[positions];
            int[] validBits = new int[positions];
            int edges = 0;
            Map<Long, Integer> ids = new HashMap<>();
            int[][] found = new int[positions][];
            for (int p = 0; p < positions; p++) {
                int iy0 = p / s.outW() * s.strideH() - s.padH();
                int ix0 = p % s.outW() * s.strideW() - s.padW();
                int kyLo = BinaryConv.firstTap(iy0, s.dilationH());
                int kyHi = Math.max(kyLo, BinaryConv.endTap(iy0, s.dilationH(), s.kernelH(), s.height()));
                int kxLo = BinaryConv.firstTap(ix0, s.dilationW());
                int kxHi = Math.max(kxLo, BinaryConv.endTap(ix0, s.dilationW(), s.kernelW(), s.width()));
                if (kyLo == 0 && kyHi == s.kernelH() && kxLo == 0 && kxHi == s.kernelW()) {
                    continue;   // an interior window: every tap valid, nothing to correct
                }
                long key = (((long) kyLo * 4096 + kyHi) * 4096 + kxLo) * 4096 + kxHi;
                Integer id = ids.get(key);
                if (id == null) {
                    id = ids.size();
                    ids.put(key, id);
                    found[id] = new int[] {kyLo, kyHi, kxLo, kxHi};
                }
                edge[edges] = p;
                rectangle[edges] = id;
                validBits[edges] = (kyHi - kyLo) * (kxHi - kxLo) * s.channels();
                edges++;
            }
            return new Border(s, Arrays.copyOf(edge, edges), Arrays.copyOf(rectangle, edges),
                    Arrays.copyOf(validBits, edges), Arrays.copyOf(found, ids.size()));
        }

        /** Distinct rectangles of valid taps at the edge positions. */
        public int rectangles() {
            return rectangles.length;
        }

        /** Positions whose window meets the padding. */
        public int edgePositions() {
            return edge.length;
        }

        /** The index in {@link #edge} of the first edge position {@code >= p}. */
        int firstEdge(int p) {
            int i = Arrays.binarySearch(edge, p);
            return i >= 0 ? i : -i - 1;
        }

        /** Ints of the corrections: {@code rectangles() * C_out}. */
        public int correctionInts() {
            return rectangles.length * shape.outChannels();
        }

        /**
         * {@code out[r * C_out + oc]}: the sum of filter {@code oc}'s tap popcounts
         * ({@link #tapPopcounts}) over the taps outside rectangle {@code r}.
         */
        public void corrections(int[] pop, int[] out) {
            int taps = shape.kernelH() * shape.kernelW();
            for (int r = 0; r < rectangles.length; r++) {
                int[] b = rectangles[r];
                for (int oc = 0; oc < shape.outChannels(); oc++) {
                    int n = 0;
                    for (int t = 0; t < taps; t++) {
                        int ky = t / shape.kernelW();
                        int kx = t % shape.kernelW();
                        if (ky < b[0] || ky >= b[1] || kx < b[2] || kx >= b[3]) {
                            n += pop[oc * taps + t];
                        }
                    }
                    out[r * shape.outChannels() + oc] = n;
                }
            }
        }
    }
}
