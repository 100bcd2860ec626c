package dev.minnow.engine.kernel;

/**
 * {@link BinaryKernels} in plain Java: four running sums, one per window of a group, each adding
 * {@code Long.bitCount(x ^ w)} (XOR and POPCNT) per word. Always available, and the reference the
 * tests compare the vector implementation with.
 */
public final class ScalarBinaryKernels implements BinaryKernels {
    static final ScalarBinaryKernels INSTANCE = new ScalarBinaryKernels();

    private ScalarBinaryKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void disagreements(long[] x, int words, long[] w, int wOff, int groupFrom, int groupTo, int[] out,
                              int outOff) {
        BinaryKernels.checkWords(words);
        for (int g = groupFrom, o = outOff; g < groupTo; g++, o += LANES) {
            int d0 = 0;
            int d1 = 0;
            int d2 = 0;
            int d3 = 0;
            int xg = g * words * LANES;
            for (int k = 0; k < words * LANES; k += LANES) {
                int xi = xg + k;
                int wi = wOff + k;
                d0 += Long.bitCount(x[xi] ^ w[wi]);
                d1 += Long.bitCount(x[xi + 1] ^ w[wi + 1]);
                d2 += Long.bitCount(x[xi + 2] ^ w[wi + 2]);
                d3 += Long.bitCount(x[xi + 3] ^ w[wi + 3]);
            }
            out[o] = d0;
            out[o + 1] = d1;
            out[o + 2] = d2;
            out[o + 3] = d3;
        }
    }
}
