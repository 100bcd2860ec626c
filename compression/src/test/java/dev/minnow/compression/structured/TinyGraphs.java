package dev.minnow.compression.structured;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Map;
import java.util.Random;

/**
 * Test helpers: random weights everywhere (BN too, so that a removed channel's BN shift would
 * show), random inputs, running a graph, and masks written by hand.
 */
final class TinyGraphs {
    private TinyGraphs() {
    }

    /** Every float initializer redrawn from U(-1, 1); running variances from U(0.5, 1.5). */
    static Graph randomized(Graph g, long seed) {
        Random r = new Random(seed);
        Graph.Builder b = g.toBuilder();
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            Tensor t = e.getValue();
            if (t.type() != DataType.FLOAT || t.size() <= 1) {
                continue;
            }
            float[] v = new float[t.size()];
            boolean variance = e.getKey().endsWith("running_var");
            for (int i = 0; i < v.length; i++) {
                v[i] = variance ? 0.5f + r.nextFloat() : 2 * r.nextFloat() - 1;
            }
            b.initializer(e.getKey(), Tensor.of(t.shape(), v));
        }
        return b.build();
    }

    static Tensor input(long seed, int... dims) {
        Random r = new Random(seed);
        Shape s = Shape.of(dims);
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(s, v);
    }

    /** The first output of one run, copied. */
    static float[] run(Graph g, Tensor x) {
        Plan p = Plan.compile(g, x.shape());
        return p.run(x).get(g.outputs().get(0)).toFloatArray();
    }

    /** A copy of {@code g} where the conv weight {@code weight [O, I, k...]} reads zero from input channels {@code cs}. */
    static Graph zeroConvInputs(Graph g, String weight, int... cs) {
        Tensor w = g.initializer(weight).copy();
        int out = w.shape().dim(0);
        int in = w.shape().dim(1);
        int kernel = w.size() / (out * in);
        for (int o = 0; o < out; o++) {
            for (int c : cs) {
                for (int k = 0; k < kernel; k++) {
                    w.data()[w.offset() + (o * in + c) * kernel + k] = 0f;
                }
            }
        }
        return g.toBuilder().initializer(weight, w).build();
    }

    /** A copy where the Linear weight {@code [N, K]} reads zero from input features {@code ks}. */
    static Graph zeroLinearInputs(Graph g, String weight, int... ks) {
        Tensor w = g.initializer(weight).copy();
        int rows = w.shape().dim(0);
        int cols = w.shape().dim(1);
        for (int r = 0; r < rows; r++) {
            for (int k : ks) {
                w.data()[w.offset() + r * cols + k] = 0f;
            }
        }
        return g.toBuilder().initializer(weight, w).build();
    }

    /** Equal within 1e-4 of the largest |expected| (at least 1): summation order may differ. */
    static void assertClose(float[] expected, float[] got, String what) {
        org.assertj.core.api.Assertions.assertThat(got).as(what).hasSameSizeAs(expected);
        float scale = 1;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < got.length; i++) {
            org.assertj.core.api.Assertions.assertThat(Math.abs(got[i] - expected[i])).as("%s element %d: %s vs %s", what, i,
                    got[i], expected[i]).isLessThanOrEqualTo(1e-4f * scale);
        }
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = from; i < to; i++) {
            r[i - from] = i;
        }
        return r;
    }
}
