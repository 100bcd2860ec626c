package dev.minnow.engine.kernel;

/**
 * Convolution as matrix multiplication over <em>blocks of images</em>, forward and backward.
 *
 * <p>For one group, the filters {@code W_g} form an {@code [M, K]} matrix ({@code M = C_out/group}
 * filters of {@code K = C_in/group * kD*kH*kW} taps). Unfolding the inputs of {@code nb} images
 * side by side ({@link ConvKernels#im2col}, one block of {@code P = oD*oH*oW} columns per image)
 * gives a {@code [K, nb*P]} column matrix, and the whole block is then one GEMM:
 * <pre>
 *   Y_blk [M, nb*P]  = W_g * col_blk                     (forward)
 *   dW_g            += dY_blk * col_blk^T                (weight gradient: a reduction over nb*P)
 *   dcol_blk         = W_g^T * dY_blk,  dX += col2im(dcol_blk)   (input gradient)
 * </pre>
 * Multiplying image by image instead would repack {@code W_g} for every image and feed the GEMM
 * thin matrices ({@code P} is 64 for LeNet's second layer); blocking images makes the products
 * wide enough to run near the GEMM's peak, which is what makes training at batch 64 fast. The
 * block size keeps the column matrix within {@link #BLOCK_FLOATS}. With a single image the GEMM
 * writes straight into the output; a 1x1 stride-1 convolution skips the unfolding entirely.
 *
 * <p>Every pass that is not a GEMM (unfolding, folding back, gathering and scattering between the
 * block layout and NCHW, adding the bias) is split across threads over (image, channel) pairs.
 */
public final class ConvGemm {
    /**
     * A 1x1 convolution with at most this many filters (per group) lets the vector GEMM read its
     * input in place (MobileNet-V2's 144 -> 24 on 56x56: 0.79-0.84x; a 128 -> 256 on 28x28 was
     * 1.15x slower that way). The same bound chooses the wide layout of {@link ConvColumns#setWide}
     * for other stride-1 convolutions: it saves gathering panels that cross output rows, a cost
     * per column that many filters amortise (AVX-512, 2 threads: 16 -> 64 3x3 on 55x55 0.83x,
     * 64 -> 64 groups 4 on 56x56 0.52x; 32 -> 128 on 27x27 and 48 -> 192 on 13x13 1.01-1.02x).
     */
    static final int IN_PLACE_MAX_FILTERS = 64;
    /** The column matrix of one block of images holds at most this many floats (16 MB). */
    static final int BLOCK_FLOATS = 1 << 22;

    private ConvGemm() {
    }

    /**
     * The geometry of one convolution (arrays hold three spatial axes, outermost first), and the
     * most floats a block's column matrix may hold.
     */
    public record Shape(int batch, int inChannels, int outChannels, int group, int[] in, int[] out, int[] kernel,
                        int[] strides, int[] padBegin, int[] dilations, int blockFloats) {

        /** A geometry with the default block budget {@link #BLOCK_FLOATS}. */
        public static Shape of(int batch, int inChannels, int outChannels, int group, int[] in, int[] out,
                               int[] kernel, int[] strides, int[] padBegin, int[] dilations) {
            return new Shape(batch, inChannels, outChannels, group, in, out, kernel, strides, padBegin, dilations,
                    BLOCK_FLOATS);
        }

        int inPlane() {
            return in[0] * in[1] * in[2];
        }

        int outPlane() {
            return out[0] * out[1] * out[2];
        }

        int taps() {
            return inChannels / group * kernel[0] * kernel[1] * kernel[2];
        }

        boolean pointwise() {
            return ConvKernels.isPointwise(kernel, strides, padBegin, in, out);
        }

        /** Images per block. */
        int block() {
            long perImage = (long) Math.max(taps(), outChannels / group) * outPlane();
            return (int) Math.max(1, Math.min(batch, blockFloats / Math.max(1, perImage)));
        }
    }

    /** Floats of scratch the forward and backward passes need (column block + output block). */
    public static int workSize(Shape s) {
        int nb = s.block();
        int cols = s.pointwise() && nb == 1 ? 0 : s.taps() * nb * s.outPlane();
        int outs = nb == 1 ? 0 : s.outChannels() / s.group() * nb * s.outPlane();
        return cols + outs;
    }

    /** {@code y = conv(x, w) + b}; {@code work} has at least {@link #workSize} floats. */
    public static void forward(Shape s, float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
                               float[] y, int yOff, float[] work, int threads) {
        forward(s, x, xOff, w, wOff, b, bOff, y, yOff, work, null, threads);
    }

    /**
     * Floats a caller must provide to {@link #forward(Shape, float[], int, float[], int, float[], int,
     * float[], int, float[], float[], int)} to keep the column matrices for the backward pass, or 0
     * when they cannot be kept (the batch does not fit one block, or a 1x1 convolution needs none).
     */
    public static long keptColumnsSize(Shape s) {
        if (s.pointwise() || s.block() < s.batch()) {
            return 0;
        }
        return (long) s.group() * s.taps() * s.batch() * s.outPlane();
    }

    /**
     * As the forward pass above, and when {@code keep} is not null (of {@link #keptColumnsSize}
     * floats) the column matrices are unfolded into it and left there, so that
     * {@link #backward} can compute the weight gradient without unfolding the input again.
     */
    public static void forward(Shape s, float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
                               float[] y, int yOff, float[] work, float[] keep, int threads) {
        int m = s.outChannels() / s.group();
        int cin = s.inChannels() / s.group();
        int k = s.taps();
        int p = s.outPlane();
        int nb = s.block();
        boolean pointwise = s.pointwise();
        Job job = Job.get(s, threads);
        try {
            for (int n0 = 0; n0 < s.batch(); n0 += nb) {
                int nbb = Math.min(nb, s.batch() - n0);
                int width = nbb * p;
                for (int g = 0; g < s.group(); g++) {
                    int wg = wOff + g * m * k;
                    float[] cols;
                    int colsOff;
                    if (pointwise && nbb == 1) {
                        cols = x;
                        colsOff = xOff + (n0 * s.inChannels() + g * cin) * s.inPlane();
                    } else if (keep != null) {
                        job.unfold(x, xOff, keep, g * k * width, n0, nbb, g, pointwise);
                        cols = keep;
                        colsOff = g * k * width;
                    } else {
                        job.unfold(x, xOff, work, 0, n0, nbb, g, pointwise);
                        cols = work;
                        colsOff = 0;
                    }
                    if (nbb == 1) {
                        Gemm.sgemm(false, false, m, p, k, 1f, w, wg, k, cols, colsOff, p, 0f,
                                y, yOff + (n0 * s.outChannels() + g * m) * p, p, threads);
                    } else {
                        int buf = k * width;
                        Gemm.sgemm(false, false, m, width, k, 1f, w, wg, k, cols, colsOff, width, 0f,
                                work, buf, width, threads);
                        job.blockToImages(work, buf, y, yOff, n0, nbb, g);
                    }
                }
            }
            if (b != null) {
                job.addBias(b, bOff, y, yOff);
            }
        } finally {
            job.clear();
        }
    }

    /**
     * Inference with weights packed once ({@link #packWeights}): per image and group, one packed
     * GEMM whose right operand is the image's implicit im2col ({@link ConvColumns}, or the image
     * itself for a 1x1 convolution), with the bias and a clamp ({@code lo}, {@code hi}: a fused
     * ReLU or ReLU6, or infinities for none) applied as the result is written. No column matrix is
     * ever stored, and nothing is allocated.
     *
     * <p>Threads: one (image, group) product at a time, split by columns across the threads; or,
     * when there are enough such units to share out evenly ({@link #unitsInParallel}), the units
     * themselves in parallel, each on one thread. The second way is what a grouped convolution
     * needs: preparing a unit's columns (the zero-bordered copy of {@link ConvColumns#set}) runs on
     * the thread that multiplies it, instead of on the calling thread while the others wait.
     */
    public static void forwardPacked(Shape s, PackedLeft[] weights, float[] x, int xOff, float[] b, int bOff,
                                     float[] y, int yOff, float lo, float hi, Sources sources, int threads) {
        int units = s.batch() * s.group();
        if (unitsInParallel(s, threads)) {
            UnitJob job = UNIT_JOBS.get();
            job.set(s, weights, x, xOff, b, bOff, y, yOff, lo, hi);
            try {
                Parallel.forRange(threads, units, Gemm.CHUNKS_PER_THREAD, job);
            } finally {
                job.clear();
            }
            return;
        }
        try {
            for (int unit = 0; unit < units; unit++) {
                forwardUnit(s, weights, x, xOff, b, bOff, y, yOff, lo, hi, sources, unit, threads);
            }
        } finally {
            sources.clear();
        }
    }

    /**
     * Whether {@link #forwardPacked} runs its (image, group) units in parallel: there are at least
     * as many as threads, they share out evenly (or there are so many that the last round's
     * imbalance is small), and the whole is large enough to be worth a second thread.
     */
    static boolean unitsInParallel(Shape s, int threads) {
        int units = s.batch() * s.group();
        long work = (long) units * s.outChannels() / s.group() * s.taps() * s.outPlane();
        return threads > 1 && units >= threads && (units % threads == 0 || units >= 4 * threads)
                && work >= Gemm.PARALLEL_THRESHOLD;
    }

    /** One (image, group) product of {@link #forwardPacked}: {@code unit = image * group + g}. */
    private static void forwardUnit(Shape s, PackedLeft[] weights, float[] x, int xOff, float[] b, int bOff,
                                    float[] y, int yOff, float lo, float hi, Sources sources, int unit, int threads) {
        int m = s.outChannels() / s.group();
        int cin = s.inChannels() / s.group();
        int p = s.outPlane();
        int n = unit / s.group();
        int g = unit % s.group();
        int xg = xOff + (n * s.inChannels() + g * cin) * s.inPlane();
        // a 1x1 convolution with few filters reads its input in place: each packed float would be
        // used by only m multiply-adds (with many filters, packed panels are faster to stream)
        ColumnSource src;
        if (s.pointwise()) {
            MatrixColumns matrix = sources.matrix.set(x, xg, p, cin, p);
            src = m <= IN_PLACE_MAX_FILTERS ? matrix.readInPlace(sources.rowStarts(cin, p)) : matrix;
        } else if (m <= IN_PLACE_MAX_FILTERS && ConvColumns.widens(s.in(), s.out(), s.kernel(), s.strides(),
                s.padBegin(), s.dilations(), weights[g].owner().vectorWidth())) {
            // every panel in place: the product runs over the volume's whole rows, and each thread
            // copies the real columns of its blocks out as it goes
            ConvColumns wide = sources.conv.setWide(x, xg, cin, s.in(), s.out(), s.kernel(), s.strides(),
                    s.padBegin(), s.dilations(), threads);
            Gemm.sgemmPackedWide(weights[g], wide, y, yOff + (n * s.outChannels() + g * m) * p,
                    b, b == null ? 0 : bOff + g * m, lo, hi, threads);
            return;
        } else {
            src = sources.conv.set(x, xg, cin, s.in(), s.out(), s.kernel(), s.strides(), s.padBegin(), s.dilations(),
                    threads);
        }
        Gemm.sgemmPacked(weights[g], src, y, yOff + (n * s.outChannels() + g * m) * p, p,
                b, b == null ? 0 : bOff + g * m, lo, hi, threads);
    }

    private static final ThreadLocal<UnitJob> UNIT_JOBS = ThreadLocal.withInitial(UnitJob::new);

    /**
     * The units of one {@link #forwardPacked} call in parallel, reused by its calling thread; each
     * thread that runs units uses column sources of its own (their buffers are per thread too).
     */
    private static final class UnitJob extends ConvJob {
        private static final ThreadLocal<Sources> SOURCES = ThreadLocal.withInitial(Sources::new);

        Shape s;
        PackedLeft[] weights;

        void set(Shape shape, PackedLeft[] w, float[] in, int inOff, float[] bias, int biasOff, float[] out,
                 int outOff, float low, float high) {
            s = shape;
            weights = w;
            setOperands(in, inOff, bias, biasOff, out, outOff, low, high);
        }

        @Override
        void clear() {
            super.clear();
            s = null;
            weights = null;
        }

        @Override
        public void run(int from, int to) {
            Sources sources = SOURCES.get();
            try {
                for (int unit = from; unit < to; unit++) {
                    forwardUnit(s, weights, x, xOff, b, bOff, y, yOff, lo, hi, sources, unit, 1);
                }
            } finally {
                sources.clear();
            }
        }
    }

    /** The filters of each group, packed for {@link #forwardPacked} by {@code kernels}. */
    public static PackedLeft[] packWeights(SimdKernels kernels, Shape s, float[] w, int wOff) {
        int m = s.outChannels() / s.group();
        int k = s.taps();
        PackedLeft[] packed = new PackedLeft[s.group()];
        for (int g = 0; g < s.group(); g++) {
            packed[g] = kernels.packLeft(w, wOff + g * m * k, k, m, k);
        }
        return packed;
    }

    /** Reusable column sources for {@link #forwardPacked} (one per node, kept with its packed weights). */
    public static final class Sources {
        final ConvColumns conv = new ConvColumns();
        final MatrixColumns matrix = new MatrixColumns();
        private int[] starts = new int[0];
        private int startsLd = -1;

        /**
         * {@code r * ld} for {@code r < rows}: a 1x1 convolution's input is read by the GEMM where
         * it lies ({@link MatrixColumns#readInPlace}), each panel row being 16 consecutive floats
         * of one input channel, instead of being copied into packed panels first.
         */
        int[] rowStarts(int rows, int ld) {
            if (starts.length < rows || startsLd != ld) {
                if (starts.length < rows) {
                    starts = new int[rows];                 // grown once; refilled when ld changes
                }
                for (int r = 0; r < starts.length; r++) {
                    starts[r] = r * ld;
                }
                startsLd = ld;
            }
            return starts;
        }

        void clear() {
            matrix.clear();
            conv.clear();
        }
    }

    /**
     * Adds the gradients: {@code dx += dL/dx}, {@code dw += dL/dw}, {@code db += dL/db}; any of
     * them may be {@code null}.
     */
    public static void backward(Shape s, float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff,
                                float[] dx, int dxOff, float[] dw, int dwOff, float[] db, int dbOff,
                                float[] work, int threads) {
        backward(s, x, xOff, w, wOff, dy, dyOff, dx, dxOff, dw, dwOff, db, dbOff, work, null, threads);
    }

    /** As above, reusing the column matrices a forward pass kept ({@code kept}, or null to unfold again). */
    public static void backward(Shape s, float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff,
                                float[] dx, int dxOff, float[] dw, int dwOff, float[] db, int dbOff,
                                float[] work, float[] kept, int threads) {
        int m = s.outChannels() / s.group();
        int cin = s.inChannels() / s.group();
        int k = s.taps();
        int p = s.outPlane();
        int nb = s.block();
        boolean pointwise = s.pointwise();
        Job job = Job.get(s, threads);
        try {
            if (db != null) {
                job.biasGradient(dy, dyOff, db, dbOff);
            }
            for (int n0 = 0; n0 < s.batch(); n0 += nb) {
                int nbb = Math.min(nb, s.batch() - n0);
                int width = nbb * p;
                int buf = k * width;
                for (int g = 0; g < s.group(); g++) {
                    int wg = wOff + g * m * k;
                    float[] dyb;
                    int dybOff;
                    if (nbb == 1) {
                        dyb = dy;
                        dybOff = dyOff + (n0 * s.outChannels() + g * m) * p;
                    } else {
                        job.imagesToBlock(dy, dyOff, work, buf, n0, nbb, g);
                        dyb = work;
                        dybOff = buf;
                    }
                    if (dw != null) {
                        float[] cols;
                        int colsOff;
                        if (pointwise && nbb == 1) {
                            cols = x;
                            colsOff = xOff + (n0 * s.inChannels() + g * cin) * s.inPlane();
                        } else if (kept != null) {
                            cols = kept;
                            colsOff = g * k * width;
                        } else {
                            job.unfold(x, xOff, work, 0, n0, nbb, g, pointwise);
                            cols = work;
                            colsOff = 0;
                        }
                        Gemm.sgemm(false, true, m, k, width, 1f, dyb, dybOff, width, cols, colsOff, width, 1f,
                                dw, dwOff + g * m * k, k, threads);
                    }
                    if (dx != null) {
                        if (pointwise && nbb == 1) {
                            Gemm.sgemm(true, false, k, p, m, 1f, w, wg, k, dyb, dybOff, p, 1f,
                                    dx, dxOff + (n0 * s.inChannels() + g * cin) * s.inPlane(), p, threads);
                        } else {
                            Gemm.sgemm(true, false, k, width, m, 1f, w, wg, k, dyb, dybOff, width, 0f,
                                    work, 0, width, threads);
                            job.fold(work, 0, dx, dxOff, n0, nbb, g, pointwise);
                        }
                    }
                }
            }
        } finally {
            job.clear();
        }
    }

    /**
     * The passes around the GEMMs, each a parallel loop over (image, channel) pairs; one instance
     * per calling thread, reused, so a convolution allocates nothing.
     */
    private static final class Job implements Parallel.RangeBody {
        private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

        enum Pass { UNFOLD, FOLD, BLOCK_TO_IMAGES, IMAGES_TO_BLOCK, BIAS, BIAS_GRADIENT }

        Shape s;
        int threads;
        Pass pass;
        float[] src;
        int srcOff;
        float[] dst;
        int dstOff;
        int n0;
        int nbb;
        int g;
        boolean pointwise;

        static Job get(Shape s, int threads) {
            Job j = JOBS.get();
            j.s = s;
            j.threads = threads;
            return j;
        }

        void clear() {
            src = null;
            dst = null;
            s = null;
        }

        private void run(Pass which, float[] from, int fromOff, float[] to, int toOff, int first, int images,
                         int group, boolean pw, int items) {
            pass = which;
            src = from;
            srcOff = fromOff;
            dst = to;
            dstOff = toOff;
            n0 = first;
            nbb = images;
            g = group;
            pointwise = pw;
            long work = (long) items * Math.max(s.inPlane(), s.outPlane()) * (which == Pass.UNFOLD || which == Pass.FOLD
                    ? s.kernel()[0] * s.kernel()[1] * s.kernel()[2] : 1);
            Parallel.forRange(work < 1 << 14 ? 1 : threads, items, Gemm.CHUNKS_PER_THREAD, this);
        }

        void unfold(float[] x, int xOff, float[] col, int colOff, int first, int images, int group, boolean pw) {
            run(Pass.UNFOLD, x, xOff, col, colOff, first, images, group, pw, images * (s.inChannels() / s.group()));
        }

        void fold(float[] col, int colOff, float[] dx, int dxOff, int first, int images, int group, boolean pw) {
            // pairs sharing an input channel write the same dx plane: split by channel, not by image
            run(Pass.FOLD, col, colOff, dx, dxOff, first, images, group, pw, s.inChannels() / s.group());
        }

        void blockToImages(float[] buf, int bufOff, float[] y, int yOff, int first, int images, int group) {
            run(Pass.BLOCK_TO_IMAGES, buf, bufOff, y, yOff, first, images, group, false,
                    images * (s.outChannels() / s.group()));
        }

        void imagesToBlock(float[] dy, int dyOff, float[] buf, int bufOff, int first, int images, int group) {
            run(Pass.IMAGES_TO_BLOCK, dy, dyOff, buf, bufOff, first, images, group, false,
                    images * (s.outChannels() / s.group()));
        }

        void addBias(float[] b, int bOff, float[] y, int yOff) {
            run(Pass.BIAS, b, bOff, y, yOff, 0, s.batch(), 0, false, s.batch() * s.outChannels());
        }

        void biasGradient(float[] dy, int dyOff, float[] db, int dbOff) {
            run(Pass.BIAS_GRADIENT, dy, dyOff, db, dbOff, 0, s.batch(), 0, false, s.outChannels());
        }

        @Override
        public void run(int from, int to) {
            int cin = s.inChannels() / s.group();
            int m = s.outChannels() / s.group();
            int p = s.outPlane();
            int inPlane = s.inPlane();
            int width = nbb * p;
            int kprod = s.kernel()[0] * s.kernel()[1] * s.kernel()[2];
            for (int item = from; item < to; item++) {
                switch (pass) {
                    case UNFOLD -> {
                        int i = item / cin;
                        int c = item % cin;
                        int xc = srcOff + ((n0 + i) * s.inChannels() + g * cin + c) * inPlane;
                        if (pointwise) {
                            System.arraycopy(src, xc, dst, dstOff + c * width + i * p, p);
                        } else {
                            ConvKernels.im2col(src, xc, 1, s.in(), s.out(), s.kernel(), s.strides(), s.padBegin(),
                                    s.dilations(), dst, dstOff + c * kprod * width + i * p, width);
                        }
                    }
                    case FOLD -> {
                        int c = item;
                        for (int i = 0; i < nbb; i++) {
                            int xc = dstOff + ((n0 + i) * s.inChannels() + g * cin + c) * inPlane;
                            if (pointwise) {
                                int col = srcOff + c * width + i * p;
                                for (int j = 0; j < p; j++) {
                                    dst[xc + j] += src[col + j];
                                }
                            } else {
                                ConvKernels.col2im(src, srcOff + c * kprod * width + i * p, 1, s.in(), s.out(),
                                        s.kernel(), s.strides(), s.padBegin(), s.dilations(), dst, xc, width);
                            }
                        }
                    }
                    case BLOCK_TO_IMAGES -> {
                        int i = item / m;
                        int oc = item % m;
                        System.arraycopy(src, srcOff + oc * width + i * p, dst,
                                dstOff + ((n0 + i) * s.outChannels() + g * m + oc) * p, p);
                    }
                    case IMAGES_TO_BLOCK -> {
                        int i = item / m;
                        int oc = item % m;
                        System.arraycopy(src, srcOff + ((n0 + i) * s.outChannels() + g * m + oc) * p, dst,
                                dstOff + oc * width + i * p, p);
                    }
                    case BIAS -> {
                        float bias = src[srcOff + item % s.outChannels()];
                        int plane = dstOff + item * p;
                        for (int j = 0; j < p; j++) {
                            dst[plane + j] += bias;
                        }
                    }
                    case BIAS_GRADIENT -> {
                        float sum = 0f;
                        for (int n = 0; n < s.batch(); n++) {
                            int plane = srcOff + (n * s.outChannels() + item) * p;
                            for (int j = 0; j < p; j++) {
                                sum += src[plane + j];
                            }
                        }
                        dst[dstOff + item] += sum;
                    }
                }
            }
        }
    }
}
