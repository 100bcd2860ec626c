package dev.minnow.engine.kernel;

/**
 * The per-thread buffers of the row-based kernels ({@link DepthwiseConv}, {@link MaxPool2d}): a
 * padded copy of one input plane, one output row, and the tap offsets of the row. Grown once to
 * the largest size a thread needs, then reused, so that the kernels allocate nothing per call.
 */
final class RowWorkspace {
    private static final ThreadLocal<RowWorkspace> PER_THREAD = ThreadLocal.withInitial(RowWorkspace::new);

    private float[] padded = new float[0];
    private float[] paddedGradient = new float[0];
    private float[] row = new float[0];
    /** Tap offsets by tap count: kernels pass the array's length as the count, and a network mixes sizes. */
    private int[][] tapsBySize = new int[0][];

    /** The calling thread's workspace. */
    static RowWorkspace get() {
        return PER_THREAD.get();
    }

    float[] padded(int size) {
        if (padded.length < size) {
            padded = new float[size];
        }
        return padded;
    }

    /** A second plane-sized buffer (the padded input gradient of a backward pass). */
    float[] paddedGradient(int size) {
        if (paddedGradient.length < size) {
            paddedGradient = new float[size];
        }
        return paddedGradient;
    }

    float[] row(int size) {
        if (row.length < size) {
            row = new float[size];
        }
        return row;
    }

    /**
     * The taps of a {@code kH x kW} window over a plane stored row after row, its first tap at
     * {@code base}: tap {@code (kh, kw)} at {@code base + kh * rowStep + kw * colStep}, row-major
     * ({@code rowStep} is the row stride times the vertical dilation, {@code colStep} the horizontal
     * dilation).
     */
    static void windowTaps(int[] taps, int kH, int kW, int base, int rowStep, int colStep) {
        for (int kh = 0; kh < kH; kh++) {
            for (int kw = 0; kw < kW; kw++) {
                taps[kh * kW + kw] = base + kh * rowStep + kw * colStep;
            }
        }
    }

    /**
     * Exactly {@code size} ints (kernels pass the array's length as the tap count). One array per
     * size, kept, so that a network alternating 3x3 and 2x2 windows allocates nothing per call.
     */
    int[] taps(int size) {
        if (size >= tapsBySize.length) {
            tapsBySize = java.util.Arrays.copyOf(tapsBySize, size + 1);
        }
        int[] t = tapsBySize[size];
        if (t == null) {
            t = new int[size];
            tapsBySize[size] = t;
        }
        return t;
    }
}
