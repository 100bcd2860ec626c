package dev.minnow.engine.kernel;

import java.util.Arrays;

/**
 * The backward pass of a convolution one image at a time, images shared out across the threads:
 * for each image {@code n} and group,
 * <pre>
 *   dW += dY[n] * im2col(x[n])^T          (m x taps, summed over the images)
 *   dx[n] += col2im(W^T * dY[n])          (the input gradient, folded back)
 *   db += sum over the plane of dY[n]
 * </pre>
 * Every matrix of one image (its column matrix, the product folded back) is small enough to stay in
 * the core's L2 cache, where {@link ConvGemm#backward} unfolds the whole batch into one column
 * matrix (8 MB for LeNet-5's second layer at batch 64), writes it out, reads it back and writes
 * an input-gradient matrix of the same size. Each task (a range of images) sums its weight and
 * bias gradients into a buffer of its own; the calling thread adds the buffers up at the end, so
 * the result does not depend on which thread ran which task. The forward pass that goes with it
 * is {@link ConvGemm#forwardPacked} with the step's weights packed ({@link ConvGemm#packWeights}).
 */
public final class ImageConvGradients {
    /** Tasks per thread, claimed dynamically: a thread that loses its core is helped out. */
    static final int TASKS_PER_THREAD = 2;
    /** Output planes of at least this many pixels make per-image products wide enough. */
    static final int MIN_PLANE = 64;

    private ImageConvGradients() {
    }

    /**
     * Whether training should take this path (and {@link ConvGemm#forwardPacked} forward) for
     * {@code s}: output planes of at least {@link #MIN_PLANE} pixels, whose per-image products are
     * wide enough for the GEMM, and at least one image per thread.
     */
    public static boolean chosen(ConvGemm.Shape s, int threads) {
        return s.outPlane() >= MIN_PLANE && s.batch() >= Math.max(1, threads);
    }

    /**
     * Adds the gradients: {@code dx += dL/dx}, {@code dw += dL/dw}, {@code db += dL/db}; any of
     * them may be {@code null}. The buffers are kept per calling and per working thread and grow
     * when a shape needs more; what is allocated on every call is the packed {@code W^T} when
     * {@code dx} is wanted (the weights change with every step; 100 KB for LeNet-5's second layer).
     */
    public static void backward(SimdKernels kernels, ConvGemm.Shape s, float[] x, int xOff, float[] w, int wOff,
                                float[] dy, int dyOff, float[] dx, int dxOff, float[] dw, int dwOff, float[] db,
                                int dbOff, int threads) {
        Job job = JOBS.get();
        int tasks = Math.min(s.batch(), Math.max(1, threads) * TASKS_PER_THREAD);
        job.set(s, kernels, x, xOff, dy, dyOff, dx, dxOff, dw != null, db != null, tasks);
        try {
            if (dx != null) {
                job.packTransposedWeights(w, wOff);
            }
            Parallel.forRange(threads, tasks, TASKS_PER_THREAD, job);
            job.addPartials(dw, dwOff, db, dbOff);
        } finally {
            job.clear();
        }
    }

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    /** One backward call's operands and the tasks' gradient buffers, reused by its calling thread. */
    private static final class Job implements Parallel.RangeBody {
        ConvGemm.Shape s;
        SimdKernels kernels;
        float[] x;
        float[] dy;
        float[] dx;
        int xOff;
        int dyOff;
        int dxOff;
        boolean weightGradient;
        boolean biasGradient;
        int tasks;
        float[][] partials = new float[0][];
        float[] transposed = new float[0];
        PackedLeft[] weightsT = new PackedLeft[0];

        void set(ConvGemm.Shape shape, SimdKernels k, float[] in, int inOff, float[] gradOut, int gradOutOff,
                 float[] gradIn, int gradInOff, boolean wantW, boolean wantB, int taskCount) {
            s = shape;
            kernels = k;
            x = in;
            xOff = inOff;
            dy = gradOut;
            dyOff = gradOutOff;
            dx = gradIn;
            dxOff = gradInOff;
            weightGradient = wantW;
            biasGradient = wantB;
            tasks = taskCount;
            int size = partialSize();
            if (partials.length < tasks) {
                partials = Arrays.copyOf(partials, tasks);
            }
            for (int t = 0; t < tasks; t++) {
                if (partials[t] == null || partials[t].length < size) {
                    partials[t] = new float[size];
                }
            }
        }

        void clear() {
            s = null;
            x = null;
            dy = null;
            dx = null;
            Arrays.fill(weightsT, null);
        }

        /** Floats of one task's buffer: the weight gradient of every group, then the bias gradient. */
        private int partialSize() {
            return (weightGradient ? s.outChannels() * s.taps() : 0) + (biasGradient ? s.outChannels() : 0);
        }

        /** {@code W^T} (taps x m) of every group, packed as the left operand of the input gradient. */
        void packTransposedWeights(float[] w, int wOff) {
            int m = s.outChannels() / s.group();
            int k = s.taps();
            // every group its own range: a packed operand may refer to its source (the scalar kernels')
            if (transposed.length < s.group() * m * k) {
                transposed = new float[s.group() * m * k];
            }
            if (weightsT.length < s.group()) {
                weightsT = new PackedLeft[s.group()];
            }
            for (int g = 0; g < s.group(); g++) {
                int wg = wOff + g * m * k;
                int tg = g * m * k;
                for (int oc = 0; oc < m; oc++) {
                    for (int t = 0; t < k; t++) {
                        transposed[tg + t * m + oc] = w[wg + oc * k + t];
                    }
                }
                weightsT[g] = kernels.packLeft(transposed, tg, m, k, m);
            }
        }

        /** Adds the tasks' buffers into {@code dw} and {@code db}, in task order. */
        void addPartials(float[] dw, int dwOff, float[] db, int dbOff) {
            int wSize = weightGradient ? s.outChannels() * s.taps() : 0;
            for (int t = 0; t < tasks; t++) {
                float[] part = partials[t];
                if (weightGradient) {
                    for (int i = 0; i < wSize; i++) {
                        dw[dwOff + i] += part[i];
                    }
                }
                if (biasGradient) {
                    for (int oc = 0; oc < s.outChannels(); oc++) {
                        db[dbOff + oc] += part[wSize + oc];
                    }
                }
            }
        }

        @Override
        public void run(int from, int to) {
            Scratch scratch = SCRATCH.get();
            scratch.ensure(s.taps() * s.outPlane());
            try {
                for (int task = from; task < to; task++) {
                    float[] part = partials[task];
                    Arrays.fill(part, 0, partialSize(), 0f);
                    int first = (int) ((long) task * s.batch() / tasks);
                    int last = (int) ((long) (task + 1) * s.batch() / tasks);
                    for (int n = first; n < last; n++) {
                        for (int g = 0; g < s.group(); g++) {
                            image(n, g, part, scratch);
                        }
                    }
                }
            } finally {
                scratch.matrix.clear();
            }
        }

        /** The gradients of image {@code n}, group {@code g}. */
        private void image(int n, int g, float[] part, Scratch scratch) {
            int m = s.outChannels() / s.group();
            int cin = s.inChannels() / s.group();
            int k = s.taps();
            int p = s.outPlane();
            int dyN = dyOff + (n * s.outChannels() + g * m) * p;
            int xChannels = (n * s.inChannels() + g * cin) * s.inPlane();
            boolean pointwise = s.pointwise();
            if (biasGradient) {
                int wSize = weightGradient ? s.outChannels() * k : 0;
                for (int oc = 0; oc < m; oc++) {
                    float sum = 0f;
                    int row = dyN + oc * p;
                    for (int j = 0; j < p; j++) {
                        sum += dy[row + j];
                    }
                    part[wSize + g * m + oc] += sum;
                }
            }
            if (weightGradient) {
                float[] cols = x;
                int colsOff = xOff + xChannels;
                if (!pointwise) {
                    ConvKernels.im2col(x, xOff + xChannels, cin, s.in(), s.out(), s.kernel(), s.strides(),
                            s.padBegin(), s.dilations(), scratch.cols, 0, p);
                    cols = scratch.cols;
                    colsOff = 0;
                }
                kernels.gemm(false, true, m, k, p, 1f, dy, dyN, p, cols, colsOff, p, part, g * m * k, k, true);
            }
            if (dx != null) {
                float inf = Float.POSITIVE_INFINITY;
                kernels.gemmPacked(weightsT[g], 0, k, scratch.matrix.set(dy, dyN, p, m, p), 0, p,
                        scratch.folded, 0, p, null, 0, -inf, inf);
                int dxN = dxOff + xChannels;
                if (pointwise) {
                    for (int i = 0; i < k * p; i++) {
                        dx[dxN + i] += scratch.folded[i];
                    }
                } else {
                    ConvKernels.col2im(scratch.folded, 0, cin, s.in(), s.out(), s.kernel(), s.strides(),
                            s.padBegin(), s.dilations(), dx, dxN, p);
                }
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** One working thread's column matrix and folded-gradient matrix of one image (grown, never shrunk). */
    private static final class Scratch {
        final MatrixColumns matrix = new MatrixColumns();
        float[] cols = new float[0];
        float[] folded = new float[0];

        void ensure(int floats) {
            if (cols.length < floats) {
                cols = new float[floats];
                folded = new float[floats];
            }
        }
    }
}
