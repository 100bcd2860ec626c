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
    private int[] taps = new int[0];

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

    /** Exactly {@code size} ints (kernels pass the array's length as the tap count). */
    int[] taps(int size) {
        if (taps.length != size) {
            taps = new int[size];
        }
        return taps;
    }
}
