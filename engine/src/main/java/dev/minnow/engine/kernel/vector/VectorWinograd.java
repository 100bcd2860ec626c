package dev.minnow.engine.kernel.vector;

import dev.minnow.engine.kernel.WinogradTransforms;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link WinogradTransforms} with the Vector API: the same arithmetic as the scalar loops, one
 * vector of columns (tiles) at a time, the last partial vector by the scalar code. Loaded by name
 * from {@link dev.minnow.engine.kernel.KernelProvider#winograd()} only when
 * {@code jdk.incubator.vector} is readable.
 */
public final class VectorWinograd implements WinogradTransforms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    public VectorWinograd() {
        // public no-arg constructor: the provider creates this class reflectively
    }

    @Override
    public void input(float[] s, int st, float[] v, int at, int step, int count) {
        int end = count - count % L;
        // column k of B^T along a row is s[a + j] + sign * s[b + j] over its even samples e (at 0)
        // and odd samples o (at st): k=0: e[j] - e[j+1], 1: o[j] + e[j+1], 2: e[j+1] - o[j], 3: o[j] - o[j+1]
        column(s, st, 0, 1, -1f, v, at, step, end);
        column(s, st, st, 1, 1f, v, at + step, step, end);
        column(s, st, 1, st, -1f, v, at + 2 * step, step, end);
        column(s, st, st, st + 1, -1f, v, at + 3 * step, step, end);
        WinogradTransforms.Scalar.inputColumns(s, st, v, at, step, end, count);
    }

    /**
     * One column {@code k} of the transform for every row {@code i}: {@code h_r = s[a + 2r*st + j]
     * + sign * s[b + 2r*st + j]} for the four input rows, then {@code h0 - h2, h1 + h2, h2 - h1,
     * h1 - h3} into points {@code k, 4 + k, 8 + k, 12 + k} (rows at {@code p}, {@code p + 4 step}, ...).
     */
    private static void column(float[] s, int st, int a, int b, float sign, float[] v, int p, int step, int end) {
        int r1 = 2 * st, r2 = 4 * st, r3 = 6 * st;
        FloatVector sv = FloatVector.broadcast(S, sign);
        for (int j = 0; j < end; j += L) {
            FloatVector h0 = FloatVector.fromArray(S, s, b + j).fma(sv, FloatVector.fromArray(S, s, a + j));
            FloatVector h1 = FloatVector.fromArray(S, s, b + r1 + j).fma(sv, FloatVector.fromArray(S, s, a + r1 + j));
            FloatVector h2 = FloatVector.fromArray(S, s, b + r2 + j).fma(sv, FloatVector.fromArray(S, s, a + r2 + j));
            FloatVector h3 = FloatVector.fromArray(S, s, b + r3 + j).fma(sv, FloatVector.fromArray(S, s, a + r3 + j));
            h0.sub(h2).intoArray(v, p + j);
            h1.add(h2).intoArray(v, p + 4 * step + j);
            h2.sub(h1).intoArray(v, p + 8 * step + j);
            h1.sub(h3).intoArray(v, p + 12 * step + j);
        }
    }

    @Override
    public void output(float[] m, int at, int step, int count, float[] s, int st) {
        int end = count - count % L;
        for (int j = 0; j < end; j += L) {
            int q = at + j;
            FloatVector m1k0 = FloatVector.fromArray(S, m, q + 4 * step);
            FloatVector m2k0 = FloatVector.fromArray(S, m, q + 8 * step);
            FloatVector m1k1 = FloatVector.fromArray(S, m, q + 5 * step);
            FloatVector m2k1 = FloatVector.fromArray(S, m, q + 9 * step);
            FloatVector m1k2 = FloatVector.fromArray(S, m, q + 6 * step);
            FloatVector m2k2 = FloatVector.fromArray(S, m, q + 10 * step);
            FloatVector m1k3 = FloatVector.fromArray(S, m, q + 7 * step);
            FloatVector m2k3 = FloatVector.fromArray(S, m, q + 11 * step);
            FloatVector a0 = FloatVector.fromArray(S, m, q).add(m1k0).add(m2k0);
            FloatVector a1 = FloatVector.fromArray(S, m, q + step).add(m1k1).add(m2k1);
            FloatVector a2 = FloatVector.fromArray(S, m, q + 2 * step).add(m1k2).add(m2k2);
            FloatVector a3 = FloatVector.fromArray(S, m, q + 3 * step).add(m1k3).add(m2k3);
            FloatVector b0 = m1k0.sub(m2k0).sub(FloatVector.fromArray(S, m, q + 12 * step));
            FloatVector b1 = m1k1.sub(m2k1).sub(FloatVector.fromArray(S, m, q + 13 * step));
            FloatVector b2 = m1k2.sub(m2k2).sub(FloatVector.fromArray(S, m, q + 14 * step));
            FloatVector b3 = m1k3.sub(m2k3).sub(FloatVector.fromArray(S, m, q + 15 * step));
            a0.add(a1).add(a2).intoArray(s, j);
            a1.sub(a2).sub(a3).intoArray(s, st + j);
            b0.add(b1).add(b2).intoArray(s, 2 * st + j);
            b1.sub(b2).sub(b3).intoArray(s, 3 * st + j);
        }
        WinogradTransforms.Scalar.outputColumns(m, at, step, end, count, s, st);
    }
}
