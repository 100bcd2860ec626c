package dev.minnow.engine.kernel;

/**
 * Parallel drivers for the element-wise kernels of {@link SimdKernels}: long arrays are cut into
 * cache-friendly slices handed to the threads; short ones run on the calling thread (a slice
 * smaller than about 16K floats is not worth waking a second core for).
 */
public final class ElementwiseKernels {
    private static final int SLICE = 1 << 14;
    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    private ElementwiseKernels() {
    }

    /** {@code y = min(max(x, lo), hi)} element-wise. */
    public static void clamp(float[] x, int xOff, float[] y, int yOff, int n, float lo, float hi, int threads) {
        SimdKernels k = KernelProvider.kernels();
        if (threads <= 1 || n < 2 * SLICE) {
            k.clamp(x, xOff, y, yOff, n, lo, hi);
            return;
        }
        Job j = JOBS.get();
        j.set(k, Pass.CLAMP, x, xOff, null, 0, y, yOff, n, lo, hi, false);
        j.run(threads);
    }

    /** {@code y = a + b} element-wise, optionally with a fused ReLU. */
    public static void add(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int n, boolean relu,
                           int threads) {
        SimdKernels k = KernelProvider.kernels();
        if (threads <= 1 || n < 2 * SLICE) {
            k.add(a, aOff, b, bOff, y, yOff, n, relu);
            return;
        }
        Job j = JOBS.get();
        j.set(k, Pass.ADD, a, aOff, b, bOff, y, yOff, n, 0f, 0f, relu);
        j.run(threads);
    }

    /** {@code dx += dy} where {@code lo <= x <= hi}: the backward pass of a clamp (ReLU, ReLU6, Clip). */
    public static void clampGradient(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n,
                                     float lo, float hi, int threads) {
        SimdKernels k = KernelProvider.kernels();
        if (threads <= 1 || n < 2 * SLICE) {
            k.clampGradient(x, xOff, dy, dyOff, dx, dxOff, n, lo, hi);
            return;
        }
        Job j = JOBS.get();
        j.set(k, Pass.CLAMP_GRADIENT, x, xOff, dy, dyOff, dx, dxOff, n, lo, hi, false);
        j.run(threads);
    }

    private enum Pass { CLAMP, ADD, CLAMP_GRADIENT }

    /** One call's arguments, reused by its thread so that a call allocates nothing. */
    private static final class Job implements Parallel.RangeBody {
        SimdKernels k;
        Pass pass;
        boolean relu;
        float[] a;
        float[] b;
        float[] y;
        int aOff;
        int bOff;
        int yOff;
        int n;
        float lo;
        float hi;

        void set(SimdKernels kernels, Pass which, float[] x, int xOff, float[] b2, int b2Off, float[] out, int outOff,
                 int count, float low, float high, boolean withRelu) {
            k = kernels;
            pass = which;
            a = x;
            aOff = xOff;
            b = b2;
            bOff = b2Off;
            y = out;
            yOff = outOff;
            n = count;
            lo = low;
            hi = high;
            relu = withRelu;
        }

        void run(int threads) {
            try {
                Parallel.forRange(threads, (n + SLICE - 1) / SLICE, Gemm.CHUNKS_PER_THREAD, this);
            } finally {
                a = null;
                b = null;
                y = null;
            }
        }

        @Override
        public void run(int from, int to) {
            int start = from * SLICE;
            int len = Math.min(n, to * SLICE) - start;
            switch (pass) {
                case ADD -> k.add(a, aOff + start, b, bOff + start, y, yOff + start, len, relu);
                case CLAMP -> k.clamp(a, aOff + start, y, yOff + start, len, lo, hi);
                case CLAMP_GRADIENT -> k.clampGradient(a, aOff + start, b, bOff + start, y, yOff + start, len, lo, hi);
            }
        }
    }
}
