package dev.minnow.engine.kernel.vector;

import dev.minnow.engine.kernel.BinaryKernels;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BinaryKernels} with the Vector API: 256-bit vectors of four longs, one window per lane,
 * and a carry-save adder tree in place of a population count per word. Loaded by name from
 * {@link dev.minnow.engine.kernel.KernelProvider#binary()} only when {@code jdk.incubator.vector}
 * is readable.
 *
 * <h2>Why a tree</h2> AVX2 has no vector population count (and Java 17's Vector API none either:
 * {@code BIT_COUNT} arrived in JDK 19), and one scalar POPCNT per word, with the loads, XOR and add
 * around it, keeps this CPU at about three cycles per word. But a sum of population counts does not
 * need each count. A carry-save adder takes three bit vectors and returns two with the same total
 * count, {@code popcount(a) + popcount(b) + popcount(c) = popcount(l) + 2 popcount(h)}:
 * <pre>
 *   s = b ^ c      l = a ^ s              (the sum bit of each column)
 *   h = (b & c) | (a & s)                 (the carry bit: at least two of a, b, c set)
 * </pre>
 * Five bitwise operations, on four windows at once. Feeding eight words of each window through
 * seven adders (Harley and Seal's scheme, as Muła, Kurz and Lemire use it for AVX2) leaves running
 * vectors {@code ones}, {@code twos} and {@code fours} and one vector of weight eight, and only that
 * one is counted with POPCNT, four lanes per eight words. At the end of a window
 * <pre>
 *   count = 8 * (sum of the eights' counts) + 4 popcount(fours) + 2 popcount(twos) + popcount(ones)
 * </pre>
 * The adders are written with the running vector entering last ({@code a & s}, {@code a ^ s}), so
 * each input adds one operation, not two, to the chain through {@code ones}.
 */
public final class VectorBinaryKernels implements BinaryKernels {
    private static final VectorSpecies<Long> S = LongVector.SPECIES_256;
    /** Longs per step of eight words: 8 words x 4 lanes. */
    private static final int STEP = 8 * LANES;

    public VectorBinaryKernels() {
    }

    @Override
    public String name() {
        return "vector (256-bit)";
    }

    @Override
    public void disagreements(long[] x, int words, long[] w, int wOff, int groupFrom, int groupTo, int[] out,
                              int outOff) {
        BinaryKernels.checkWords(words);
        int n = words * LANES;
        LongVector zero = LongVector.zero(S);
        for (int g = groupFrom, o = outOff; g < groupTo; g++, o += LANES) {
            int xg = g * n;
            LongVector ones = zero;
            LongVector twos = zero;
            LongVector fours = zero;
            int e0 = 0;
            int e1 = 0;
            int e2 = 0;
            int e3 = 0;
            int xi = xg;
            int wi = wOff;
            for (int xEnd = xg + n; xi < xEnd; xi += STEP, wi += STEP) {
                LongVector d0 = word(x, xi, w, wi);
                LongVector d1 = word(x, xi + 4, w, wi + 4);
                LongVector s = d0.lanewise(VectorOperators.XOR, d1);
                LongVector twosA = d0.and(d1).or(ones.and(s));
                ones = ones.lanewise(VectorOperators.XOR, s);
                LongVector d2 = word(x, xi + 8, w, wi + 8);
                LongVector d3 = word(x, xi + 12, w, wi + 12);
                s = d2.lanewise(VectorOperators.XOR, d3);
                LongVector twosB = d2.and(d3).or(ones.and(s));
                ones = ones.lanewise(VectorOperators.XOR, s);
                s = twosA.lanewise(VectorOperators.XOR, twosB);
                LongVector foursA = twosA.and(twosB).or(twos.and(s));
                twos = twos.lanewise(VectorOperators.XOR, s);
                LongVector d4 = word(x, xi + 16, w, wi + 16);
                LongVector d5 = word(x, xi + 20, w, wi + 20);
                s = d4.lanewise(VectorOperators.XOR, d5);
                twosA = d4.and(d5).or(ones.and(s));
                ones = ones.lanewise(VectorOperators.XOR, s);
                LongVector d6 = word(x, xi + 24, w, wi + 24);
                LongVector d7 = word(x, xi + 28, w, wi + 28);
                s = d6.lanewise(VectorOperators.XOR, d7);
                twosB = d6.and(d7).or(ones.and(s));
                ones = ones.lanewise(VectorOperators.XOR, s);
                s = twosA.lanewise(VectorOperators.XOR, twosB);
                LongVector foursB = twosA.and(twosB).or(twos.and(s));
                twos = twos.lanewise(VectorOperators.XOR, s);
                s = foursA.lanewise(VectorOperators.XOR, foursB);
                LongVector eights = foursA.and(foursB).or(fours.and(s));
                fours = fours.lanewise(VectorOperators.XOR, s);
                e0 += Long.bitCount(eights.lane(0));
                e1 += Long.bitCount(eights.lane(1));
                e2 += Long.bitCount(eights.lane(2));
                e3 += Long.bitCount(eights.lane(3));
            }
            out[o] = 8 * e0 + 4 * Long.bitCount(fours.lane(0))
                    + 2 * Long.bitCount(twos.lane(0)) + Long.bitCount(ones.lane(0));
            out[o + 1] = 8 * e1 + 4 * Long.bitCount(fours.lane(1))
                    + 2 * Long.bitCount(twos.lane(1)) + Long.bitCount(ones.lane(1));
            out[o + 2] = 8 * e2 + 4 * Long.bitCount(fours.lane(2))
                    + 2 * Long.bitCount(twos.lane(2)) + Long.bitCount(ones.lane(2));
            out[o + 3] = 8 * e3 + 4 * Long.bitCount(fours.lane(3))
                    + 2 * Long.bitCount(twos.lane(3)) + Long.bitCount(ones.lane(3));
        }
    }

    /** One word of four windows XOR the filter's word: the bits where sign(x) and sign(w) disagree. */
    private static LongVector word(long[] x, int xi, long[] w, int wi) {
        return LongVector.fromArray(S, x, xi).lanewise(VectorOperators.XOR, LongVector.fromArray(S, w, wi));
    }
}
