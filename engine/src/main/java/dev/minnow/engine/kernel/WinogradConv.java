package dev.minnow.engine.kernel;

/**
 * 3x3 stride-1 convolution by Winograd's minimal filtering algorithm F(2x2, 3x3) (Lavin &amp; Gray
 * 2016, "Fast Algorithms for Convolutional Neural Networks"), for inference with constant weights.
 *
 * <p><b>The idea.</b> A 2x2 block of outputs of a 3x3 filter reads a 4x4 patch {@code d} of the
 * input, and direct convolution spends 36 multiplies on it. Winograd computes the same block as
 * <pre>
 *   Y = A^T [ (G g G^T) . (B^T d B) ] A          (. is the element-wise product of two 4x4 tiles)
 *
 *         | 1  0 -1  0 |          | 1    0    0  |
 *   B^T = | 0  1  1  0 |     G =  | 1/2  1/2  1/2|     A^T = | 1  1  1  0 |
 *         | 0 -1  1  0 |          | 1/2 -1/2  1/2|           | 0  1 -1 -1 |
 *         | 0  1  0 -1 |          | 0    0    1  |
 * </pre>
 * with 16 multiplies instead of 36; the transforms only add and subtract. Across channels the
 * element-wise products become 16 independent matrix products: with {@code U[xi] = (G g G^T)[xi]}
 * for every (output, input) channel pair and {@code V[xi] = (B^T d B)[xi]} for every (input
 * channel, tile),
 * <pre>
 *   M[xi] [C_out x tiles] = U[xi] [C_out x C_in] * V[xi] [C_in x tiles]      for xi = 0 .. 15
 * </pre>
 * and the outputs are {@code A^T M A} per tile. The GEMMs carry 16/36 = 1/2.25 of the direct
 * convolution's multiply-adds; the transforms are linear in the data (O(C) per tile, not O(C^2)).
 * {@code U} is computed and packed once per plan ({@link #prepare}); F(2x2, 3x3)'s coefficients
 * are 0, 1 and 1/2, so its rounding error stays at the level of float32 summation (the larger
 * F(4x4, 3x3) tiles would cut the multiplies to 1/4 but amplify rounding by their larger
 * coefficients).
 *
 * <p><b>Dilation.</b> With dilation {@code d} along an axis, the outputs {@code p, p+d, p+2d, ...} of
 * each phase {@code p < d} read the inputs {@code p - pad + d*k} only: every phase is an undilated
 * convolution of a subsampled input, so tiles are cut per phase and the same transforms apply.
 *
 * <p><b>Layout and vectorisation.</b> Tiles are numbered row of tiles by row of tiles, each row's
 * tiles phase by phase, each phase followed by one spare column. The four input rows of a row of
 * tiles are first split into even and odd samples ({@link Workspace#split}), after which each of
 * the 16 transformed values of all the tiles of a block is one unit-stride loop over its columns
 * ({@link WinogradTransforms}: C2 does not vectorise these loops, so the vector kernels come with a
 * Vector API version); the spare columns compute values nobody reads and keep the loop unbroken.
 * The output transform is the same in reverse. Work is cut into <em>blocks</em> of whole rows of
 * tiles, about {@link #BLOCK_COLUMNS} columns each, so that a block's {@code V} and {@code M} stay
 * in cache between the transform, the GEMMs and the output transform: each thread takes whole
 * blocks when there are enough of them, otherwise each block's three stages are shared among the
 * threads. See docs/winograd.md for the measurements behind these choices.
 */
public final class WinogradConv {
    /** Transformed points per tile (4 x 4). */
    static final int POINTS = 16;
    /** Floats a block's {@code V} and {@code M} together stay under (2 MB). */
    private static final int BLOCK_FLOATS = 1 << 19;
    /**
     * Columns (tiles) a block aims for: the GEMMs of 16-wide register tiles ran at 40-47 GFLOP/s on
     * 29 or 58 columns but 54-58 on 232 (64 x 64 weights, one core); beyond a few hundred nothing gains.
     */
    private static final int BLOCK_COLUMNS = 192;

    private WinogradConv() {
    }

    /**
     * Whether a convolution with this geometry (three spatial axes, outermost first, the first
     * trivial for a 2-D convolution) is one this class computes: a 3x3 kernel with stride 1 in 2-D,
     * any padding and dilation.
     */
    public static boolean supports(int[] in, int[] kernel, int[] strides, int[] padBegin, int[] dilations) {
        return in[0] == 1 && kernel[0] == 1 && padBegin[0] == 0 && strides[0] == 1
                && kernel[1] == 3 && kernel[2] == 3 && strides[1] == 1 && strides[2] == 1
                && dilations[1] >= 1 && dilations[2] >= 1;
    }

    /** False when the system property {@code minnow.winograd} is {@code false}: every convolution then runs im2col + GEMM. */
    static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("minnow.winograd"));
    /**
     * Fewer input or output channels per group than this leave the transforms (linear in the
     * channels, where the GEMMs are quadratic) too large a share: im2col + GEMM is as fast or faster.
     */
    static final int MIN_CHANNELS = 32;
    /** Fewer tiles per image than this make GEMMs too narrow for their register tiles (ResNet's 7x7 maps: 16). */
    static final int MIN_TILES = 32;
    /**
     * Winograd's transforms are linear in the channels where its GEMMs are quadratic, so it pays only
     * when {@code C_in C_out / (C_in + C_out)} (the GEMMs' work per transformed value, up to a
     * constant) is large enough: at least {@link #MIN_CHANNEL_RATIO}, and on maps under
     * {@link #SMALL_MAP_TILES} tiles (under about 20 x 20), where the transforms weigh more, at least
     * {@link #SMALL_MAP_MIN_CHANNELS}. Measured on AVX-512 (Zen 5), 2 threads, im2col / Winograd time
     * (medians of 7 interleaved rounds, docs/avx512.md section 11): 32 -> 128 on 27x27 0.83 (ratio
     * 25.6), 32 -> 96 on 28x28 0.92 (24), 64 -> 64 on 56x56 1.15 (32); on 13x13 and 14x14, 64 -> 256
     * 0.87 (51.2), 96 -> 208 1.54 (65.7).
     */
    static final int MIN_CHANNEL_RATIO = 32;
    static final int SMALL_MAP_TILES = 100;
    static final int SMALL_MAP_MIN_CHANNELS = 60;

    /**
     * Whether inference runs this convolution with Winograd: it is enabled, it {@link #supports} the
     * geometry, both channel counts per group reach {@link #MIN_CHANNELS}, an image has at least
     * {@link #MIN_TILES} tiles and the channels are many enough for the map's size
     * ({@link #MIN_CHANNEL_RATIO}, {@link #SMALL_MAP_MIN_CHANNELS}).
     */
    public static boolean chosen(int inPerGroup, int outPerGroup, int[] in, int[] out, int[] kernel, int[] strides,
                                 int[] padBegin, int[] dilations) {
        if (!ENABLED || inPerGroup < MIN_CHANNELS || outPerGroup < MIN_CHANNELS
                || !supports(in, kernel, strides, padBegin, dilations)) {
            return false;
        }
        long tiles = (long) Axis.tiles(out[1], dilations[1]) * Axis.tiles(out[2], dilations[2]);
        long ratio = tiles >= SMALL_MAP_TILES ? MIN_CHANNEL_RATIO : SMALL_MAP_MIN_CHANNELS;
        return tiles >= MIN_TILES && (long) inPerGroup * outPerGroup >= ratio * (inPerGroup + outPerGroup);
    }

    /** The tiles along one axis: per tile, the first of its two outputs and whether the second exists. */
    record Axis(int length, int dilation, int pad, int[] first, boolean[] pair, int[] phaseStart) {

        /** Tiles of phase {@code p}: its outputs {@code p, p + dilation, ...} in pairs. */
        private static int phaseTiles(int outLength, int dilation, int p) {
            int outputs = (outLength - p + dilation - 1) / dilation;
            return (outputs + 1) / 2;
        }

        /** How many tiles {@link #of} cuts (without allocating). */
        static int tiles(int outLength, int dilation) {
            int tiles = 0;
            for (int p = 0; p < Math.min(dilation, outLength); p++) {
                tiles += phaseTiles(outLength, dilation, p);
            }
            return tiles;
        }

        /** Cuts {@code outLength} outputs into tiles of two outputs {@code dilation} apart, phase by phase. */
        static Axis of(int outLength, int dilation, int pad) {
            int phases = Math.min(dilation, outLength);
            int[] phaseStart = new int[phases + 1];
            int tiles = 0;
            for (int p = 0; p < phases; p++) {
                phaseStart[p] = tiles;
                tiles += phaseTiles(outLength, dilation, p);
            }
            phaseStart[phases] = tiles;
            int[] first = new int[tiles];
            boolean[] pair = new boolean[tiles];
            for (int p = 0, t = 0; p < phases; p++) {
                int outputs = (outLength - p + dilation - 1) / dilation;
                for (int k = 0; k < outputs; k += 2, t++) {
                    first[t] = p + k * dilation;
                    pair[t] = k + 1 < outputs;
                }
            }
            return new Axis(outLength, dilation, pad, first, pair, phaseStart);
        }

        int tiles() {
            return first.length;
        }

        int phases() {
            return phaseStart.length - 1;
        }
    }

    /**
     * A convolution prepared for {@link #forward}: its geometry and its transformed filters
     * {@code U[g * 16 + xi]}, packed for the GEMM by the kernels in use.
     */
    public static final class Prepared {
        final int batch;
        final int inChannels;
        final int outChannels;
        final int group;
        final int inH;
        final int inW;
        final Axis rows;
        final Axis cols;
        final PackedLeft[] u;
        /** The data transforms matching the kernels that packed {@link #u} (scalar with scalar). */
        final WinogradTransforms transforms;
        /** Rows of tiles per block. */
        final int blockRows;
        /** Where each row of a block's {@code V[xi]} starts (rows {@link #ld} apart). */
        final int[] rowOffsets;

        Prepared(int batch, int inChannels, int outChannels, int group, int inH, int inW, Axis rows, Axis cols,
                 PackedLeft[] u, WinogradTransforms transforms) {
            this.batch = batch;
            this.transforms = transforms;
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.group = group;
            this.inH = inH;
            this.inW = inW;
            this.rows = rows;
            this.cols = cols;
            this.u = u;
            // about BLOCK_COLUMNS columns per block, as few as the memory bound allows, all of one size
            int perRow = POINTS * (inChannels + outChannels) / group * slotsPerRow();
            int wanted = Math.max(1, Math.min((BLOCK_COLUMNS + slotsPerRow() - 1) / slotsPerRow(), BLOCK_FLOATS / perRow));
            int blocks = (rows.tiles() + wanted - 1) / wanted;
            this.blockRows = (rows.tiles() + blocks - 1) / blocks;
            this.rowOffsets = new int[inChannels / group];
            for (int r = 0; r < rowOffsets.length; r++) {
                rowOffsets[r] = r * ld();
            }
        }

        /**
         * Columns of {@code V} and {@code M} per row of tiles: its tiles, phase by phase, each phase
         * followed by one spare column (see {@link Workspace#split}).
         */
        int slotsPerRow() {
            return cols.tiles() + cols.phases();
        }

        /** Floats between a block's rows of {@code V} and of {@code M}: the columns of a whole block. */
        int ld() {
            return blockRows * slotsPerRow();
        }

        /** The column of tile {@code j} of phase {@code phase} in row of tiles {@code r} of its block. */
        int slot(int r, int phase, int j) {
            return r * slotsPerRow() + cols.phaseStart[phase] + phase + j;
        }

        int blocksPerImage() {
            return (rows.tiles() + blockRows - 1) / blockRows;
        }

        /** Floats of {@code V} (then {@code M}) for one block: 16 points x channels x tiles. */
        int vFloats() {
            return POINTS * inChannels / group * ld();
        }

        int mFloats() {
            return POINTS * outChannels / group * ld();
        }
    }

    /**
     * Transforms and packs the filters {@code w [outChannels, inChannels/group, 3, 3]} (at
     * {@code wOff}) of a convolution that {@link #supports} accepts, for inputs of {@code batch}
     * images of {@code inH x inW} and outputs of {@code outH x outW}.
     */
    public static Prepared prepare(SimdKernels kernels, int batch, int inChannels, int outChannels, int group,
                                   int inH, int inW, int outH, int outW, int[] padBegin, int[] dilations,
                                   float[] w, int wOff) {
        if (batch < 1 || group < 1 || inChannels < group || inChannels % group != 0 || outChannels < group
                || outChannels % group != 0 || inH < 1 || inW < 1 || outH < 1 || outW < 1
                || dilations[1] < 1 || dilations[2] < 1 || padBegin[1] < 0 || padBegin[2] < 0) {
            throw new IllegalArgumentException("Winograd convolution: batch " + batch + ", " + inChannels + " -> "
                    + outChannels + " channels in " + group + " groups, input " + inH + "x" + inW + ", output " + outH
                    + "x" + outW + ", padding " + padBegin[1] + "," + padBegin[2] + ", dilation " + dilations[1] + ","
                    + dilations[2] + ": not a valid 3x3 stride-1 geometry");
        }
        long filters = (long) outChannels * (inChannels / group) * 9;
        if (wOff < 0 || wOff + filters > w.length) {
            throw new IllegalArgumentException("Winograd convolution: filters [" + outChannels + ", "
                    + inChannels / group + ", 3, 3] at offset " + wOff + " do not fit in an array of " + w.length);
        }
        int cin = inChannels / group;
        int m = outChannels / group;
        float[] u = new float[POINTS * outChannels * cin];
        float[] gg = new float[12];
        for (int oc = 0; oc < outChannels; oc++) {
            for (int ic = 0; ic < cin; ic++) {
                int f = wOff + (oc * cin + ic) * 9;
                for (int c = 0; c < 3; c++) {          // G g: rows 0..3 of a 4 x 3 matrix
                    float g0 = w[f + c], g1 = w[f + 3 + c], g2 = w[f + 6 + c];
                    gg[c] = g0;
                    gg[3 + c] = 0.5f * (g0 + g1 + g2);
                    gg[6 + c] = 0.5f * (g0 - g1 + g2);
                    gg[9 + c] = g2;
                }
                int g = oc / m;
                int at = g * POINTS * m * cin + (oc % m) * cin + ic;
                for (int r = 0; r < 4; r++) {          // (G g) G^T
                    float g0 = gg[3 * r], g1 = gg[3 * r + 1], g2 = gg[3 * r + 2];
                    u[at + (4 * r) * m * cin] = g0;
                    u[at + (4 * r + 1) * m * cin] = 0.5f * (g0 + g1 + g2);
                    u[at + (4 * r + 2) * m * cin] = 0.5f * (g0 - g1 + g2);
                    u[at + (4 * r + 3) * m * cin] = g2;
                }
            }
        }
        PackedLeft[] packed = new PackedLeft[group * POINTS];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = kernels.packLeft(u, i * m * cin, cin, m, cin);
        }
        return new Prepared(batch, inChannels, outChannels, group, inH, inW,
                Axis.of(outH, dilations[1], padBegin[1]), Axis.of(outW, dilations[2], padBegin[2]), packed,
                kernels == ScalarKernels.INSTANCE ? WinogradTransforms.Scalar.INSTANCE : KernelProvider.winograd());
    }

    /**
     * {@code y = clamp(conv(x, w) + b, lo, hi)} for NCHW {@code x} and {@code y}; {@code b} may be
     * null, and infinities mean no clamp.
     */
    public static void forward(Prepared p, float[] x, int xOff, float[] b, int bOff, float[] y, int yOff,
                               float lo, float hi, int threads) {
        long in = (long) p.batch * p.inChannels * p.inH * p.inW;
        long out = (long) p.batch * p.outChannels * p.rows.length * p.cols.length;
        if (xOff < 0 || xOff + in > x.length || yOff < 0 || yOff + out > y.length
                || (b != null && (bOff < 0 || bOff + p.outChannels > b.length))) {
            throw new IllegalArgumentException("Winograd convolution: input of " + in + " floats at " + xOff
                    + " (array of " + x.length + "), output of " + out + " at " + yOff + " (array of " + y.length + ")"
                    + (b == null ? "" : ", bias of " + p.outChannels + " at " + bOff + " (array of " + b.length + ")")
                    + ": does not fit");
        }
        Job job = JOBS.get();
        job.p = p;
        job.setOperands(x, xOff, b, bOff, y, yOff, lo, hi);
        try {
            int blocks = p.batch * p.blocksPerImage();
            if (threads <= 1 || blocks >= 2 * threads || blocks % threads == 0) {
                job.stage = Stage.WHOLE_BLOCKS;
                Parallel.forRange(threads, blocks, Gemm.CHUNKS_PER_THREAD, job);
                return;
            }
            Workspace ws = Workspace.get(p);
            for (int block = 0; block < blocks; block++) {
                job.block = block;
                job.v = ws.v;
                job.mm = ws.m;
                for (int g = 0; g < p.group; g++) {
                    job.g = g;
                    job.stage = Stage.INPUT;
                    Parallel.forRange(threads, p.inChannels / p.group, job);
                    job.stage = Stage.PRODUCTS;
                    Parallel.forRange(threads, POINTS, job);
                    job.stage = Stage.OUTPUT;
                    Parallel.forRange(threads, p.outChannels / p.group, job);
                }
            }
        } finally {
            job.clear();
        }
    }

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    private enum Stage { WHOLE_BLOCKS, INPUT, PRODUCTS, OUTPUT }

    /** One {@link #forward} call, reused by its calling thread. */
    private static final class Job extends ConvJob {
        Prepared p;
        Stage stage;
        int block;
        int g;
        float[] v;
        float[] mm;

        @Override
        void clear() {
            super.clear();
            p = null;
            v = null;
            mm = null;
        }

        @Override
        public void run(int from, int to) {
            Workspace ws = Workspace.get(p);
            switch (stage) {
                case WHOLE_BLOCKS -> {
                    for (int blk = from; blk < to; blk++) {
                        for (int grp = 0; grp < p.group; grp++) {
                            input(ws, ws.v, blk, grp, 0, p.inChannels / p.group);
                            products(ws, ws.v, ws.m, blk, grp, 0, POINTS);
                            output(ws, ws.m, blk, grp, 0, p.outChannels / p.group);
                        }
                    }
                }
                case INPUT -> input(ws, v, block, g, from, to);
                case PRODUCTS -> products(ws, v, mm, block, g, from, to);
                case OUTPUT -> output(ws, mm, block, g, from, to);
            }
        }

        /** The first row of tiles of block {@code blk} (blocks are numbered image by image). */
        private int rowFrom(int blk) {
            return blk % p.blocksPerImage() * p.blockRows;
        }

        /** One past its last row of tiles. */
        private int rowTo(int blk) {
            return Math.min(p.rows.tiles(), rowFrom(blk) + p.blockRows);
        }

        /** Columns of {@code V} and {@code M} block {@code blk} uses. */
        private int blockColumns(int blk) {
            return (rowTo(blk) - rowFrom(blk)) * p.slotsPerRow();
        }

        /** {@code V[xi][c][column]} for the input channels {@code [c0, c1)} of group {@code grp}. */
        private void input(Workspace ws, float[] vv, int blk, int grp, int c0, int c1) {
            int cin = p.inChannels / p.group;
            int n = blk / p.blocksPerImage();
            int ld = p.ld();
            int r0 = rowFrom(blk);
            int r1 = rowTo(blk);
            for (int c = c0; c < c1; c++) {
                int plane = xOff + (n * p.inChannels + grp * cin + c) * p.inH * p.inW;
                for (int r = r0; r < r1; r++) {
                    int iy0 = p.rows.first[r] - p.rows.pad;
                    // the last two input rows of a row of tiles are the first two of the next one in
                    // its phase: copied rather than split again
                    int kFrom = 0;
                    if (r > r0 && p.rows.first[r] == p.rows.first[r - 1] + 2 * p.rows.dilation) {
                        ws.reuseRows((r - 1 - r0) * p.slotsPerRow(), (r - r0) * p.slotsPerRow(), p.slotsPerRow());
                        kFrom = 2;
                    }
                    for (int phase = 0; phase < p.cols.phases(); phase++) {
                        int nt = p.cols.phaseStart[phase + 1] - p.cols.phaseStart[phase];
                        ws.split(p.u[0].owner(), x, plane, p.inH, p.inW, iy0, p.rows.dilation, phase - p.cols.pad,
                                p.cols.dilation, nt, p.slot(r - r0, phase, 0), kFrom);
                    }
                }
                int count = blockColumns(blk);
                for (int i = 0; i < 8; i++) {   // the spare column past the block's last is read, not written by split
                    ws.rows[i * ws.stride + count] = 0f;
                }
                p.transforms.input(ws.rows, ws.stride, vv, c * ld, cin * ld, count);
            }
        }

        /** {@code M[xi] = U[xi] * V[xi]} for the points {@code [xi0, xi1)}. */
        private void products(Workspace ws, float[] vv, float[] mOut, int blk, int grp, int xi0, int xi1) {
            int cin = p.inChannels / p.group;
            int m = p.outChannels / p.group;
            int ld = p.ld();
            int tiles = blockColumns(blk);
            for (int xi = xi0; xi < xi1; xi++) {
                PackedLeft a = p.u[grp * POINTS + xi];
                MatrixColumns src = ws.source.set(vv, xi * cin * ld, ld, cin, tiles).readInPlace(p.rowOffsets);
                a.owner().gemmPacked(a, 0, a.rows(), src, 0, tiles, mOut, xi * m * ld, ld, null, 0,
                        Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
            }
            ws.source.clear();
        }

        /** {@code y = clamp(A^T M A + b)} for the output channels {@code [o0, o1)} of group {@code grp}. */
        private void output(Workspace ws, float[] mIn, int blk, int grp, int o0, int o1) {
            int m = p.outChannels / p.group;
            int n = blk / p.blocksPerImage();
            int ld = p.ld();
            int r0 = rowFrom(blk);
            int r1 = rowTo(blk);
            int outH = p.rows.length;
            int outW = p.cols.length;
            for (int o = o0; o < o1; o++) {
                int oc = grp * m + o;
                float bias = b == null ? 0f : b[bOff + oc];
                int plane = yOff + (n * p.outChannels + oc) * outH * outW;
                p.transforms.output(mIn, o * ld, m * ld, blockColumns(blk), ws.rows, ws.stride);
                for (int r = r0; r < r1; r++) {
                    int row0 = plane + p.rows.first[r] * outW;
                    int row1 = p.rows.pair[r] ? row0 + p.rows.dilation * outW : -1;
                    for (int phase = 0; phase < p.cols.phases(); phase++) {
                        int t0 = p.cols.phaseStart[phase];
                        int nt = p.cols.phaseStart[phase + 1] - t0;
                        ws.store(y, row0, row1, phase, p.cols.dilation, p.slot(r - r0, phase, 0), nt,
                                p.cols.pair[t0 + nt - 1], bias, lo, hi);
                    }
                }
            }
        }
    }

    /**
     * Per-thread buffers: a block's V and M, and eight rows of {@code ld + 1} floats that a block is
     * transformed through (the even and odd samples of four input rows, or four output rows).
     */
    static final class Workspace {
        private static final ThreadLocal<Workspace> WORKSPACES = ThreadLocal.withInitial(Workspace::new);

        float[] v = new float[0];
        float[] m = new float[0];
        float[] rows = new float[0];
        int stride;
        final MatrixColumns source = new MatrixColumns();

        static Workspace get(Prepared p) {
            Workspace ws = WORKSPACES.get();
            if (ws.v.length < p.vFloats()) {
                ws.v = new float[p.vFloats()];
            }
            if (ws.m.length < p.mFloats()) {
                ws.m = new float[p.mFloats()];
            }
            if (ws.stride < p.ld() + 1) {
                ws.stride = p.ld() + 1;
                ws.rows = new float[8 * ws.stride];
            }
            return ws;
        }

        /**
         * Splits the input rows {@code iy0 + k*dy} ({@code k = kFrom .. 3}) read by {@code nt} tiles into even
         * and odd samples along the row, at columns {@code at .. at + nt} of {@link #rows}:
         * {@code e_k[at + j] = x[.., ix0 + 2j*dx]}, {@code o_k[at + j] = x[.., ix0 + (2j+1)*dx]} for
         * {@code j <= nt}, zero outside the image. Tile {@code j} then reads {@code e_k[at + j],
         * o_k[at + j], e_k[at + j + 1], o_k[at + j + 1]}; the extra column {@code at + nt} is the
         * spare column that follows each phase's tiles, where the transforms compute a value nobody
         * reads, so that they can run over a whole block in one loop.
         */
        void split(SimdKernels kernels, float[] x, int plane, int inH, int inW, int iy0, int dy, int ix0, int dx,
                   int nt, int at, int kFrom) {
            float[] s = rows;
            int st = stride;
            int samples = 2 * nt + 2;
            // samples ix0 + q*dx for q in [qFrom, qTo) lie inside the row
            int qFrom = Math.min(samples, ix0 >= 0 ? 0 : (-ix0 + dx - 1) / dx);
            int qTo = Math.max(qFrom, Math.min(samples, ix0 >= inW ? 0 : (inW - 1 - ix0) / dx + 1));
            for (int k = kFrom; k < 4; k++) {
                int e = 2 * k * st + at;
                int o = e + st;
                int iy = iy0 + k * dy;
                if (iy < 0 || iy >= inH || qFrom >= qTo) {
                    java.util.Arrays.fill(s, e, e + nt + 1, 0f);
                    java.util.Arrays.fill(s, o, o + nt + 1, 0f);
                    continue;
                }
                int src = plane + iy * inW + ix0;
                for (int q = 0; q < qFrom; q++) {
                    s[(q & 1) == 0 ? e + (q >> 1) : o + (q >> 1)] = 0f;
                }
                int q = qFrom;
                if ((q & 1) == 1) {
                    s[o + (q >> 1)] = x[src + q * dx];
                    q++;
                }
                int pairs = (qTo - q) / 2;                                            // even and odd in pairs
                if (dx == 1) {
                    kernels.splitPairs(x, src + q, s, e + (q >> 1), o + (q >> 1), pairs);
                } else {
                    PhasePlanes.splitPairs(x, src + q * dx, dx, s, e + (q >> 1), o + (q >> 1), pairs);
                }
                q += 2 * pairs;
                if (q < qTo) {
                    s[e + (q >> 1)] = x[src + q * dx];
                    q++;
                }
                for (; q < samples; q++) {
                    s[(q & 1) == 0 ? e + (q >> 1) : o + (q >> 1)] = 0f;
                }
            }
        }

        /**
         * Copies the split input rows 2 and 3 ({@link #split}'s {@code k}) of the {@code width} columns at
         * {@code from} to rows 0 and 1 at {@code to}: one row of tiles' last two input rows are the next
         * one's first two.
         */
        void reuseRows(int from, int to, int width) {
            for (int row = 0; row < 4; row++) {
                System.arraycopy(rows, (4 + row) * stride + from, rows, row * stride + to, width);
            }
        }

        /**
         * Writes the {@code nt} tiles that {@link WinogradTransforms#output} left at columns {@code at ..} of
         * {@link #rows}, plus {@code bias} and clamped, to the outputs {@code first + (2j [+1]) * dx}
         * of output rows {@code row0} and {@code row1} (absent when negative); the last tile's second
         * column only when {@code lastPair}.
         */
        void store(float[] y, int row0, int row1, int first, int dx, int at, int nt, boolean lastPair, float bias,
                   float lo, float hi) {
            float[] s = rows;
            int st = stride;
            int full = lastPair ? nt : nt - 1;
            for (int line = 0; line < 2; line++) {
                int row = line == 0 ? row0 : row1;
                if (row < 0) {
                    continue;
                }
                int e = 2 * line * st + at;
                int o = e + st;
                int out = row + first;
                for (int j = 0; j < full; j++, out += 2 * dx) {
                    y[out] = Math.min(hi, Math.max(lo, s[e + j] + bias));
                    y[out + dx] = Math.min(hi, Math.max(lo, s[o + j] + bias));
                }
                if (full < nt) {
                    y[out] = Math.min(hi, Math.max(lo, s[e + full] + bias));
                }
            }
        }
    }
}
