package dev.minnow.engine.kernel.vector;

import dev.minnow.engine.kernel.PoolKernels;
import dev.minnow.engine.kernel.SimdKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row kernels of {@link VectorKernels} for depthwise convolution and pooling: sums and maxima
 * of shifted rows.
 *
 * <p>The 3x3 sum and maximum each have two loops that differ only in their load addresses (three
 * neighbours per row, or an even, an odd and the next even phase column). That repetition is the
 * point: the JIT drops a bounds check only for an offset it sees as a constant from a base, and
 * Java has no way to write the loop once with the constant as a parameter (a non-inlined helper
 * taking the nine weight vectors would move them to the heap on every call).
 */
final class VectorRows {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** The preferred vector as {@code L} ints (all of {@link #splitPairs}' vectors have the preferred shape). */
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, S.vectorShape());
    /*
     * The 2x2 pool's rows use 256-bit vectors whatever the preferred size: pooled rows are short
     * (12 outputs in LeNet-5) and a row narrower than a vector falls back to scalar code.
     */
    private static final VectorSpecies<Float> P = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> PI = IntVector.SPECIES_256;
    private static final int PL = P.length();
    /** Whether the 256-bit vectors are native (so not on a 128-bit-only machine). */
    private static final boolean POOL_VECTORS = S.vectorBitSize() >= P.vectorBitSize();
    /** Even lanes to the lower half, odd lanes to the upper. */
    private static final VectorShuffle<Float> EVENS_FIRST = VectorShuffle.fromValues(P, 0, 2, 4, 6, 1, 3, 5, 7);
    /** The two halves exchanged. */
    private static final VectorShuffle<Float> HALVES = VectorShuffle.fromValues(P, 4, 5, 6, 7, 0, 1, 2, 3);
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(P, 0xF0);
    private static final VectorMask<Float> LOWER = UPPER.not();
    /** 0, 2, 4, ...: the first input column of each output's window. */
    private static final IntVector EVEN_COLUMNS = IntVector.zero(PI).addIndex(2);

    private VectorRows() {
    }

    /**
     * {@link SimdKernels#maxPool2x2Row}, 8 outputs at a time. The window's four candidates
     * are the even and odd columns of two rows; each loaded pair of vectors is de-interleaved with
     * single-vector shuffles (evens to one half, odds to the other, then halves exchanged and
     * blended), because the two-vector {@code rearrange} is not compiled to a shuffle on JDK 17
     * (a probe ran 2.3x slower than scalar code with it; 8x faster than scalar this way). A row
     * that is not a whole number of vectors ends with one that overlaps the one before, which just
     * writes the same outputs again; a row narrower than one vector takes the scalar kernel.
     */
    static void maxPool2x2Row(float[] x, int xOff, int top, int inW, float[] y, int yOff, int[] winners, int o,
                              int outW) {
        if (outW < PL || !POOL_VECTORS) {
            PoolKernels.maxPool2x2Row(x, xOff, top, inW, y, yOff, winners, o, outW);
            return;
        }
        for (int from = 0; from < outW; from += PL) {
            int j = Math.min(from, outW - PL);
            int a = top + 2 * j;
            int at = xOff + a;
            FloatVector t0 = FloatVector.fromArray(P, x, at).rearrange(EVENS_FIRST);
            FloatVector t1 = FloatVector.fromArray(P, x, at + PL).rearrange(EVENS_FIRST);
            FloatVector b0 = FloatVector.fromArray(P, x, at + inW).rearrange(EVENS_FIRST);
            FloatVector b1 = FloatVector.fromArray(P, x, at + inW + PL).rearrange(EVENS_FIRST);
            // candidates in the window's order: top-left, top-right, bottom-left, bottom-right
            FloatVector max = t0.blend(t1.rearrange(HALVES), UPPER);
            IntVector best = EVEN_COLUMNS.add(a);
            FloatVector v = t1.blend(t0.rearrange(HALVES), LOWER);
            VectorMask<Float> take = v.compare(VectorOperators.GT, max).or(v.compare(VectorOperators.NE, v));
            max = max.blend(v, take);
            best = best.blend(EVEN_COLUMNS.add(a + 1), take.cast(PI));
            v = b0.blend(b1.rearrange(HALVES), UPPER);
            take = v.compare(VectorOperators.GT, max).or(v.compare(VectorOperators.NE, v));
            max = max.blend(v, take);
            best = best.blend(EVEN_COLUMNS.add(a + inW), take.cast(PI));
            v = b1.blend(b0.rearrange(HALVES), LOWER);
            take = v.compare(VectorOperators.GT, max).or(v.compare(VectorOperators.NE, v));
            max = max.blend(v, take);
            best = best.blend(EVEN_COLUMNS.add(a + inW + 1), take.cast(PI));
            max.intoArray(y, yOff + o + j);
            best.intoArray(winners, o + j);
        }
    }

    /** {@link SimdKernels#shiftedRowSum}. */
    static void shiftedRowSum(float[] in, int[] taps, float[] w, int wOff, float bias, float[] out, int outOff,
                              int width, float lo, float hi) {
        int nt = taps.length;
        int j = nt == 9 ? shiftedRowSum3x3(in, taps, w, wOff, bias, out, outOff, width, lo, hi) : 0;
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        // two vectors of outputs per pass, so each broadcast weight feeds two FMAs
        for (int bound = width - 2 * L; j <= bound; j += 2 * L) {
            FloatVector acc0 = FloatVector.broadcast(S, bias);
            FloatVector acc1 = acc0;
            for (int t = 0; t < nt; t++) {
                FloatVector wt = FloatVector.broadcast(S, w[wOff + t]);
                int base = taps[t] + j;
                acc0 = FloatVector.fromArray(S, in, base).fma(wt, acc0);
                acc1 = FloatVector.fromArray(S, in, base + L).fma(wt, acc1);
            }
            acc0.max(vlo).min(vhi).intoArray(out, outOff + j);
            acc1.max(vlo).min(vhi).intoArray(out, outOff + j + L);
        }
        // the rest one vector at a time, the last one overlapping the one before (writing the same
        // outputs again): with 16-lane vectors up to 31 outputs of a row were left to the scalar loop
        for (; j < width && width >= L; j += L) {
            int k = Math.min(j, width - L);
            FloatVector acc = FloatVector.broadcast(S, bias);
            for (int t = 0; t < nt; t++) {
                acc = FloatVector.fromArray(S, in, taps[t] + k).fma(FloatVector.broadcast(S, w[wOff + t]), acc);
            }
            acc.max(vlo).min(vhi).intoArray(out, outOff + k);
        }
        for (; j < width; j++) {
            float acc = bias;
            for (int t = 0; t < nt; t++) {
                acc += w[wOff + t] * in[taps[t] + j];
            }
            out[outOff + j] = Math.min(Math.max(acc, lo), hi);
        }
    }

    /**
     * The 3x3 case of {@link #shiftedRowSum} (MobileNet's depthwise layers) when the taps have the
     * layout of {@link dev.minnow.engine.kernel.DepthwiseConv}'s buffers: a padded plane (three
     * neighbours per row) or its phases (even, odd, next even column). The nine weights stay in
     * registers for the whole row instead of being reloaded for every 16 outputs, and the loads are
     * written as one or two bases per row plus constants, so that the JIT checks one bound per base
     * instead of one per tap (a probe with nine unrelated offsets ran 1.4x slower; four vectors of
     * outputs per pass instead of two ran 1.4x slower too, and the clamp costs a quarter, so the
     * loop has a copy without it). The sums are formed in the same order (bias, then taps 0..8, one
     * fused multiply-add each), so the result is bit for bit that of the general loop. Returns the
     * first output it left to the caller.
     */
    private static int shiftedRowSum3x3(float[] in, int[] taps, float[] w, int wOff, float bias, float[] out,
                                        int outOff, int width, float lo, float hi) {
        int t0 = taps[0], t1 = taps[1], t2 = taps[2], t3 = taps[3], t4 = taps[4];
        int t5 = taps[5], t6 = taps[6], t7 = taps[7], t8 = taps[8];
        if (t1 == t0 + 1 && t2 == t0 + 2 && t4 == t3 + 1 && t5 == t3 + 2 && t7 == t6 + 1 && t8 == t6 + 2) {
            return rows3x3(in, t0, t3, t6, w, wOff, bias, out, outOff, width, lo, hi);
        }
        if (t2 == t0 + 1 && t5 == t3 + 1 && t8 == t6 + 1) {
            return phases3x3(in, t0, t1, t3, t4, t6, t7, w, wOff, bias, out, outOff, width, lo, hi);
        }
        return 0;                                   // other layouts: the general loop
    }

    /** Taps in three rows of three neighbours ({@code r + 0, r + 1, r + 2}): stride 1. */
    private static int rows3x3(float[] in, int r0, int r1, int r2, float[] w, int wOff, float bias, float[] out,
                               int outOff, int width, float lo, float hi) {
        FloatVector w0 = FloatVector.broadcast(S, w[wOff]);
        FloatVector w1 = FloatVector.broadcast(S, w[wOff + 1]);
        FloatVector w2 = FloatVector.broadcast(S, w[wOff + 2]);
        FloatVector w3 = FloatVector.broadcast(S, w[wOff + 3]);
        FloatVector w4 = FloatVector.broadcast(S, w[wOff + 4]);
        FloatVector w5 = FloatVector.broadcast(S, w[wOff + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w[wOff + 6]);
        FloatVector w7 = FloatVector.broadcast(S, w[wOff + 7]);
        FloatVector w8 = FloatVector.broadcast(S, w[wOff + 8]);
        FloatVector vb = FloatVector.broadcast(S, bias);
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        boolean clamp = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        int j = 0;
        for (; j + 2 * L <= width; j += 2 * L) {
            int h = j + L;
            FloatVector a = FloatVector.fromArray(S, in, r0 + j).fma(w0, vb);
            FloatVector b = FloatVector.fromArray(S, in, r0 + h).fma(w0, vb);
            a = FloatVector.fromArray(S, in, r0 + j + 1).fma(w1, a);
            b = FloatVector.fromArray(S, in, r0 + h + 1).fma(w1, b);
            a = FloatVector.fromArray(S, in, r0 + j + 2).fma(w2, a);
            b = FloatVector.fromArray(S, in, r0 + h + 2).fma(w2, b);
            a = FloatVector.fromArray(S, in, r1 + j).fma(w3, a);
            b = FloatVector.fromArray(S, in, r1 + h).fma(w3, b);
            a = FloatVector.fromArray(S, in, r1 + j + 1).fma(w4, a);
            b = FloatVector.fromArray(S, in, r1 + h + 1).fma(w4, b);
            a = FloatVector.fromArray(S, in, r1 + j + 2).fma(w5, a);
            b = FloatVector.fromArray(S, in, r1 + h + 2).fma(w5, b);
            a = FloatVector.fromArray(S, in, r2 + j).fma(w6, a);
            b = FloatVector.fromArray(S, in, r2 + h).fma(w6, b);
            a = FloatVector.fromArray(S, in, r2 + j + 1).fma(w7, a);
            b = FloatVector.fromArray(S, in, r2 + h + 1).fma(w7, b);
            a = FloatVector.fromArray(S, in, r2 + j + 2).fma(w8, a);
            b = FloatVector.fromArray(S, in, r2 + h + 2).fma(w8, b);
            if (clamp) {                            // invariant: C2 unswitches the loop
                a = a.max(vlo).min(vhi);
                b = b.max(vlo).min(vhi);
            }
            a.intoArray(out, outOff + j);
            b.intoArray(out, outOff + h);
        }
        return j;
    }

    /** Taps in three rows of an even, an odd and the next even phase column: stride 2 ({@code PhasePlanes}). */
    private static int phases3x3(float[] in, int e0, int o0, int e1, int o1, int e2, int o2, float[] w, int wOff,
                                 float bias, float[] out, int outOff, int width, float lo, float hi) {
        FloatVector w0 = FloatVector.broadcast(S, w[wOff]);
        FloatVector w1 = FloatVector.broadcast(S, w[wOff + 1]);
        FloatVector w2 = FloatVector.broadcast(S, w[wOff + 2]);
        FloatVector w3 = FloatVector.broadcast(S, w[wOff + 3]);
        FloatVector w4 = FloatVector.broadcast(S, w[wOff + 4]);
        FloatVector w5 = FloatVector.broadcast(S, w[wOff + 5]);
        FloatVector w6 = FloatVector.broadcast(S, w[wOff + 6]);
        FloatVector w7 = FloatVector.broadcast(S, w[wOff + 7]);
        FloatVector w8 = FloatVector.broadcast(S, w[wOff + 8]);
        FloatVector vb = FloatVector.broadcast(S, bias);
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        boolean clamp = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        int j = 0;
        for (; j + 2 * L <= width; j += 2 * L) {
            int h = j + L;
            FloatVector a = FloatVector.fromArray(S, in, e0 + j).fma(w0, vb);
            FloatVector b = FloatVector.fromArray(S, in, e0 + h).fma(w0, vb);
            a = FloatVector.fromArray(S, in, o0 + j).fma(w1, a);
            b = FloatVector.fromArray(S, in, o0 + h).fma(w1, b);
            a = FloatVector.fromArray(S, in, e0 + j + 1).fma(w2, a);
            b = FloatVector.fromArray(S, in, e0 + h + 1).fma(w2, b);
            a = FloatVector.fromArray(S, in, e1 + j).fma(w3, a);
            b = FloatVector.fromArray(S, in, e1 + h).fma(w3, b);
            a = FloatVector.fromArray(S, in, o1 + j).fma(w4, a);
            b = FloatVector.fromArray(S, in, o1 + h).fma(w4, b);
            a = FloatVector.fromArray(S, in, e1 + j + 1).fma(w5, a);
            b = FloatVector.fromArray(S, in, e1 + h + 1).fma(w5, b);
            a = FloatVector.fromArray(S, in, e2 + j).fma(w6, a);
            b = FloatVector.fromArray(S, in, e2 + h).fma(w6, b);
            a = FloatVector.fromArray(S, in, o2 + j).fma(w7, a);
            b = FloatVector.fromArray(S, in, o2 + h).fma(w7, b);
            a = FloatVector.fromArray(S, in, e2 + j + 1).fma(w8, a);
            b = FloatVector.fromArray(S, in, e2 + h + 1).fma(w8, b);
            if (clamp) {                            // invariant: C2 unswitches the loop
                a = a.max(vlo).min(vhi);
                b = b.max(vlo).min(vhi);
            }
            a.intoArray(out, outOff + j);
            b.intoArray(out, outOff + h);
        }
        return j;
    }

    /**
     * The 3x3 case of {@link #shiftedRowMax} for the layouts of {@link dev.minnow.engine.kernel.MaxPool2d}'s
     * buffers, with one or two bases per row as in {@link #shiftedRowSum3x3} (maxima are exact in
     * any order, so the result is the general loop's). Returns the first output it left.
     */
    private static int shiftedRowMax3x3(float[] in, int[] taps, float[] out, int outOff, int width) {
        int t0 = taps[0], t1 = taps[1], t2 = taps[2], t3 = taps[3], t4 = taps[4];
        int t5 = taps[5], t6 = taps[6], t7 = taps[7], t8 = taps[8];
        if (t1 == t0 + 1 && t2 == t0 + 2 && t4 == t3 + 1 && t5 == t3 + 2 && t7 == t6 + 1 && t8 == t6 + 2) {
            return rowsMax3x3(in, t0, t3, t6, out, outOff, width);
        }
        if (t2 == t0 + 1 && t5 == t3 + 1 && t8 == t6 + 1) {
            return phasesMax3x3(in, t0, t1, t3, t4, t6, t7, out, outOff, width);
        }
        return 0;
    }

    private static int rowsMax3x3(float[] in, int r0, int r1, int r2, float[] out, int outOff, int width) {
        int j = 0;
        for (; j + 2 * L <= width; j += 2 * L) {
            int h = j + L;
            FloatVector a = FloatVector.fromArray(S, in, r0 + j);
            FloatVector b = FloatVector.fromArray(S, in, r0 + h);
            a = a.max(FloatVector.fromArray(S, in, r0 + j + 1));
            b = b.max(FloatVector.fromArray(S, in, r0 + h + 1));
            a = a.max(FloatVector.fromArray(S, in, r0 + j + 2));
            b = b.max(FloatVector.fromArray(S, in, r0 + h + 2));
            a = a.max(FloatVector.fromArray(S, in, r1 + j));
            b = b.max(FloatVector.fromArray(S, in, r1 + h));
            a = a.max(FloatVector.fromArray(S, in, r1 + j + 1));
            b = b.max(FloatVector.fromArray(S, in, r1 + h + 1));
            a = a.max(FloatVector.fromArray(S, in, r1 + j + 2));
            b = b.max(FloatVector.fromArray(S, in, r1 + h + 2));
            a = a.max(FloatVector.fromArray(S, in, r2 + j));
            b = b.max(FloatVector.fromArray(S, in, r2 + h));
            a = a.max(FloatVector.fromArray(S, in, r2 + j + 1));
            b = b.max(FloatVector.fromArray(S, in, r2 + h + 1));
            a = a.max(FloatVector.fromArray(S, in, r2 + j + 2));
            b = b.max(FloatVector.fromArray(S, in, r2 + h + 2));
            a.intoArray(out, outOff + j);
            b.intoArray(out, outOff + h);
        }
        return j;
    }

    private static int phasesMax3x3(float[] in, int e0, int o0, int e1, int o1, int e2, int o2, float[] out,
                                    int outOff, int width) {
        int j = 0;
        for (; j + 2 * L <= width; j += 2 * L) {
            int h = j + L;
            FloatVector a = FloatVector.fromArray(S, in, e0 + j);
            FloatVector b = FloatVector.fromArray(S, in, e0 + h);
            a = a.max(FloatVector.fromArray(S, in, o0 + j));
            b = b.max(FloatVector.fromArray(S, in, o0 + h));
            a = a.max(FloatVector.fromArray(S, in, e0 + j + 1));
            b = b.max(FloatVector.fromArray(S, in, e0 + h + 1));
            a = a.max(FloatVector.fromArray(S, in, e1 + j));
            b = b.max(FloatVector.fromArray(S, in, e1 + h));
            a = a.max(FloatVector.fromArray(S, in, o1 + j));
            b = b.max(FloatVector.fromArray(S, in, o1 + h));
            a = a.max(FloatVector.fromArray(S, in, e1 + j + 1));
            b = b.max(FloatVector.fromArray(S, in, e1 + h + 1));
            a = a.max(FloatVector.fromArray(S, in, e2 + j));
            b = b.max(FloatVector.fromArray(S, in, e2 + h));
            a = a.max(FloatVector.fromArray(S, in, o2 + j));
            b = b.max(FloatVector.fromArray(S, in, o2 + h));
            a = a.max(FloatVector.fromArray(S, in, e2 + j + 1));
            b = b.max(FloatVector.fromArray(S, in, e2 + h + 1));
            a.intoArray(out, outOff + j);
            b.intoArray(out, outOff + h);
        }
        return j;
    }

    /** {@link SimdKernels#shiftedRowMax}. */
    static void shiftedRowMax(float[] in, int[] taps, float[] out, int outOff, int width) {
        int nt = taps.length;
        int j = nt == 9 ? shiftedRowMax3x3(in, taps, out, outOff, width) : 0;
        for (int bound = width - 2 * L; j <= bound; j += 2 * L) {
            int base = taps[0] + j;
            FloatVector m0 = FloatVector.fromArray(S, in, base);
            FloatVector m1 = FloatVector.fromArray(S, in, base + L);
            for (int t = 1; t < nt; t++) {
                base = taps[t] + j;
                m0 = m0.max(FloatVector.fromArray(S, in, base));
                m1 = m1.max(FloatVector.fromArray(S, in, base + L));
            }
            m0.intoArray(out, outOff + j);
            m1.intoArray(out, outOff + j + L);
        }
        for (; j < width && width >= L; j += L) {      // as in shiftedRowSum
            int k = Math.min(j, width - L);
            FloatVector m = FloatVector.fromArray(S, in, taps[0] + k);
            for (int t = 1; t < nt; t++) {
                m = m.max(FloatVector.fromArray(S, in, taps[t] + k));
            }
            m.intoArray(out, outOff + k);
        }
        for (; j < width; j++) {
            float m = in[taps[0] + j];
            for (int t = 1; t < nt; t++) {
                m = Math.max(m, in[taps[t] + j]);
            }
            out[outOff + j] = m;
        }
    }

    /**
     * {@link SimdKernels#splitPairs}: {@code 2 L} floats at a time read as two vectors of
     * {@code L / 2} longs (the Vector API reinterprets in little-endian order, so a pair's even
     * float is its long's low half); narrowing each to ints keeps the even floats, shifting right by
     * 32 first the odd ones (on AVX-512 {@code vpmovqd}), and the two halves are put together in one
     * vector of {@code L} ints. No shuffles (JDK 17 does not compile those well, docs/pruning.md), and
     * every vector has the preferred shape: a first version narrowed into a half-size int vector,
     * and in a fresh JVM ResNet-18 then ran 17x slower (460 ms instead of 26), C2 having compiled the
     * other vector kernels without their intrinsics. The last block overlaps the one before it
     * instead of a scalar tail (it rewrites the same values).
     */
    static void splitPairs(float[] x, int src, float[] dst, int even, int odd, int pairs) {
        if (pairs < L) {
            for (int t = 0, at = src; t < pairs; t++, at += 2) {
                dst[even + t] = x[at];
                dst[odd + t] = x[at + 1];
            }
            return;
        }
        for (int t = 0; ; t += L) {
            int k = Math.min(t, pairs - L);
            LongVector lo = FloatVector.fromArray(S, x, src + 2 * k).reinterpretAsLongs();
            LongVector hi = FloatVector.fromArray(S, x, src + 2 * k + L).reinterpretAsLongs();
            IntVector e = (IntVector) lo.convertShape(VectorOperators.L2I, INTS, 0);
            e = e.or((IntVector) hi.convertShape(VectorOperators.L2I, INTS, -1));
            e.reinterpretAsFloats().intoArray(dst, even + k);
            IntVector o = (IntVector) lo.lanewise(VectorOperators.LSHR, 32).convertShape(VectorOperators.L2I, INTS, 0);
            o = o.or((IntVector) hi.lanewise(VectorOperators.LSHR, 32).convertShape(VectorOperators.L2I, INTS, -1));
            o.reinterpretAsFloats().intoArray(dst, odd + k);
            if (k == pairs - L) {
                return;
            }
        }
    }
}
