package dev.minnow.engine.kernel.vector;

import dev.minnow.engine.kernel.Int8Kernels;
import dev.minnow.engine.kernel.PackedInt8;
import dev.minnow.engine.kernel.QuantizedGemm;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Int8Kernels} with the Vector API. Loaded by name from
 * {@link dev.minnow.engine.kernel.KernelProvider#int8()} only when {@code jdk.incubator.vector} is
 * readable; the species are static final constants (C2 needs that) initialised only then.
 *
 * <h2>The micro-kernel</h2> A panel holds {@code R} rows of weights ({@code R} = int32 lanes: 8
 * with AVX2), and each step of the reduction handles one k-pair of all of them:
 * <pre>
 *   a  = 2R bytes of the panel, widened to 2R int16 lanes, masked to unsigned: (a_r,2t, a_r,2t+1) per row r
 *   for each of 4 columns j:
 *     b    = the pair (b_2t,j, b_2t+1,j) broadcast to every int32 lane, seen as int16 lanes
 *     p    = a * b  (16-bit lane products, exact: both factors are below 256)
 *     raw += p      (as int32 lanes: p_hi * 2^16 + p_lo, summed modulo 2^32)
 *     hi  += p >>> 16
 *   at the end: sum = raw - (hi << 16) + hi = sum of p_lo + sum of p_hi
 * </pre>
 * Per k-pair: one load and widening of the weights, then per column a broadcast, a 16-bit
 * multiply, two adds and a shift, for {@code 2R} multiply-adds (16 with AVX2): the work that
 * {@code pmaddwd} does in one instruction, which the Vector API does not expose. The weights are
 * read as bytes, a quarter of the float path's memory traffic, which is what decides a batch-1
 * fully connected layer.
 */
public final class VectorInt8Kernels implements Int8Kernels {
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, SI.vectorShape());
    private static final VectorSpecies<Byte> SB = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(SI.vectorBitSize() / 2));
    private static final int R = SI.length();
    private static final int COLS = QuantizedGemm.PANEL_COLUMNS;

    public VectorInt8Kernels() {
    }

    @Override
    public String name() {
        return "vector (" + SI.vectorBitSize() + "-bit)";
    }

    @Override
    public PackedInt8 pack(byte[] a, int aOff, int lda, int m, int k, boolean signed) {
        return PackedInt8.pack(this, R, a, aOff, lda, m, k, signed);
    }

    private static ShortVector weights(byte[] data, int at) {
        return ((ShortVector) ByteVector.fromArray(SB, data, at).convertShape(VectorOperators.B2S, SS, 0))
                .lanewise(VectorOperators.AND, (short) 0xFF);
    }

    private static ShortVector pair(int v) {
        return IntVector.broadcast(SI, v).reinterpretAsShorts();
    }

    /** {@code sum p_lo + sum p_hi} from the two running sums. */
    private static IntVector finish(IntVector raw, IntVector hi) {
        return raw.sub(hi.lanewise(VectorOperators.LSHL, 16)).add(hi);
    }

    @Override
    public void gemmPanel(PackedInt8 a, int panel, int[] pairs, int n, int[] c, int[] colSums) {
        if (a.owner() != this) {
            throw new IllegalArgumentException("operand packed by " + a.owner().name() + ", not by " + name());
        }
        int kp = a.pairs();
        byte[] data = a.data();
        int base = a.panelOffset(panel);
        int full = n / COLS * COLS;
        for (int j0 = 0; j0 < full; j0 += COLS) {
            int pb = j0 * kp;
            fourColumns(data, base, kp, pairs, pb, c, j0 * R);
            if (colSums != null) {
                panelColumnSums(pairs, pb, kp, colSums, j0);
            }
        }
        int width = n - full;
        for (int j = full; j < n; j++) {
            int pb = full * kp + (j - full);
            oneColumn(data, base, kp, pairs, pb, width, c, j * R);
            if (colSums != null) {
                int s = 0;
                for (int t = 0, bi = pb; t < kp; t++, bi += width) {
                    int v = pairs[bi];
                    s += (v & 0xFFFF) + (v >>> 16);
                }
                colSums[j] = s;
            }
        }
    }

    /** One panel times four columns of pairs (stride 4 from {@code pb}): the micro-kernel above. */
    private static void fourColumns(byte[] data, int base, int kp, int[] pairs, int pb, int[] c, int cOff) {
        IntVector raw0 = IntVector.zero(SI), raw1 = raw0, raw2 = raw0, raw3 = raw0;
        IntVector hi0 = raw0, hi1 = raw0, hi2 = raw0, hi3 = raw0;
        int step = 2 * R;
        for (int t = 0, at = base, bi = pb; t < kp; t++, at += step, bi += COLS) {
            ShortVector w = weights(data, at);
            IntVector p0 = w.mul(pair(pairs[bi])).reinterpretAsInts();
            IntVector p1 = w.mul(pair(pairs[bi + 1])).reinterpretAsInts();
            IntVector p2 = w.mul(pair(pairs[bi + 2])).reinterpretAsInts();
            IntVector p3 = w.mul(pair(pairs[bi + 3])).reinterpretAsInts();
            raw0 = raw0.add(p0);
            hi0 = hi0.add(p0.lanewise(VectorOperators.LSHR, 16));
            raw1 = raw1.add(p1);
            hi1 = hi1.add(p1.lanewise(VectorOperators.LSHR, 16));
            raw2 = raw2.add(p2);
            hi2 = hi2.add(p2.lanewise(VectorOperators.LSHR, 16));
            raw3 = raw3.add(p3);
            hi3 = hi3.add(p3.lanewise(VectorOperators.LSHR, 16));
        }
        finish(raw0, hi0).intoArray(c, cOff);
        finish(raw1, hi1).intoArray(c, cOff + R);
        finish(raw2, hi2).intoArray(c, cOff + 2 * R);
        finish(raw3, hi3).intoArray(c, cOff + 3 * R);
    }

    /** One panel times one column of pairs ({@code width} apart from {@code pb}). */
    private static void oneColumn(byte[] data, int base, int kp, int[] pairs, int pb, int width, int[] c, int cOff) {
        IntVector raw = IntVector.zero(SI);
        IntVector hi = raw;
        int step = 2 * R;
        for (int t = 0, at = base, bi = pb; t < kp; t++, at += step, bi += width) {
            IntVector p = weights(data, at).mul(pair(pairs[bi])).reinterpretAsInts();
            raw = raw.add(p);
            hi = hi.add(p.lanewise(VectorOperators.LSHR, 16));
        }
        finish(raw, hi).intoArray(c, cOff);
    }

    /**
     * Two panels per pass, so that each broadcast activation pair serves {@code 2R} rows; one
     * panel alone for an odd count. How the loops are written matters on JDK 17: see
     * {@link #gemvPanelPairs}.
     */
    @Override
    public void gemv(PackedInt8 a, int panelFrom, int panelTo, int[] pairs, int[] c) {
        if (a.owner() != this) {
            throw new IllegalArgumentException("operand packed by " + a.owner().name() + ", not by " + name());
        }
        int kp = a.pairs();
        if (pairs.length < kp) {
            throw new IllegalArgumentException("gemv needs " + kp + " activation pairs, got " + pairs.length);
        }
        byte[] data = a.data();
        int pairsTo = panelFrom + (panelTo - panelFrom) / 2 * 2;
        gemvPanelPairs(data, a.panelOffset(1) - a.panelOffset(0), kp, panelFrom, pairsTo, pairs, c);
        if (pairsTo < panelTo) {
            gemvOnePanel(data, a.panelOffset(pairsTo), kp, pairs, c, pairsTo * R);
        }
    }

    /**
     * Panels {@code [from, to)} two at a time ({@code to - from} even), both loops in one method
     * and the addresses computed from the loop index: written this way, C2 keeps the vectors in
     * registers. (With the outer loop in the caller and running pointers, the compiled loop ran
     * about five times slower on JDK 17, as if its vectors were boxed; the same code was fast
     * with {@code -XX:-UseOnStackReplacement}.)
     */
    private static void gemvPanelPairs(byte[] data, int panelStride, int kp, int from, int to, int[] pairs, int[] c) {
        int step = 2 * R;
        for (int q = from; q < to; q += 2) {
            int base0 = q * panelStride;
            int base1 = base0 + panelStride;
            IntVector raw0 = IntVector.zero(SI);
            IntVector hi0 = raw0;
            IntVector raw1 = raw0;
            IntVector hi1 = raw0;
            for (int t = 0; t < kp; t++) {
                ShortVector b = pair(pairs[t]);
                IntVector p0 = weights(data, base0 + step * t).mul(b).reinterpretAsInts();
                IntVector p1 = weights(data, base1 + step * t).mul(b).reinterpretAsInts();
                raw0 = raw0.add(p0);
                hi0 = hi0.add(p0.lanewise(VectorOperators.LSHR, 16));
                raw1 = raw1.add(p1);
                hi1 = hi1.add(p1.lanewise(VectorOperators.LSHR, 16));
            }
            finish(raw0, hi0).intoArray(c, q * R);
            finish(raw1, hi1).intoArray(c, q * R + R);
        }
    }

    private static void gemvOnePanel(byte[] data, int base, int kp, int[] pairs, int[] c, int cOff) {
        IntVector raw = IntVector.zero(SI);
        IntVector hi = raw;
        int step = 2 * R;
        for (int t = 0, at = base; t < kp; t++, at += step) {
            IntVector p = weights(data, at).mul(pair(pairs[t])).reinterpretAsInts();
            raw = raw.add(p);
            hi = hi.add(p.lanewise(VectorOperators.LSHR, 16));
        }
        finish(raw, hi).intoArray(c, cOff);
    }

    /** Column sums of one full panel of 4 columns: its {@code 4 kp} pairs, lane {@code l} belonging to column {@code l % 4}. */
    private static void panelColumnSums(int[] pairs, int pb, int kp, int[] colSums, int j0) {
        int len = kp * COLS;
        IntVector s = IntVector.zero(SI);
        int i = 0;
        for (int bound = SI.loopBound(len); i < bound; i += R) {
            IntVector v = IntVector.fromArray(SI, pairs, pb + i);
            s = s.add(v.lanewise(VectorOperators.AND, 0xFFFF)).add(v.lanewise(VectorOperators.LSHR, 16));
        }
        int s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int l = 0; l < R; l += COLS) {
            s0 += s.lane(l);
            s1 += s.lane(l + 1);
            s2 += s.lane(l + 2);
            s3 += s.lane(l + 3);
        }
        for (; i < len; i += COLS) {
            s0 += (pairs[pb + i] & 0xFFFF) + (pairs[pb + i] >>> 16);
            s1 += (pairs[pb + i + 1] & 0xFFFF) + (pairs[pb + i + 1] >>> 16);
            s2 += (pairs[pb + i + 2] & 0xFFFF) + (pairs[pb + i + 2] >>> 16);
            s3 += (pairs[pb + i + 3] & 0xFFFF) + (pairs[pb + i + 3] >>> 16);
        }
        colSums[j0] = s0;
        colSums[j0 + 1] = s1;
        colSums[j0 + 2] = s2;
        colSums[j0 + 3] = s3;
    }

    @Override
    public void shiftedRowSum(int[] in, int[] taps, int[] w, int wOff, int bias, int[] out, int outOff, int width) {
        int nt = taps.length;
        int j = 0;
        for (int bound = width - 2 * R; j <= bound; j += 2 * R) {
            IntVector acc0 = IntVector.broadcast(SI, bias);
            IntVector acc1 = acc0;
            for (int t = 0; t < nt; t++) {
                int wt = w[wOff + t];
                int b = taps[t] + j;
                acc0 = acc0.add(IntVector.fromArray(SI, in, b).mul(wt));
                acc1 = acc1.add(IntVector.fromArray(SI, in, b + R).mul(wt));
            }
            acc0.intoArray(out, outOff + j);
            acc1.intoArray(out, outOff + j + R);
        }
        for (; j < width; j++) {
            int acc = bias;
            for (int t = 0; t < nt; t++) {
                acc += w[wOff + t] * in[taps[t] + j];
            }
            out[outOff + j] = acc;
        }
    }
}
