package dev.minnow.compression.quant;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Random;

/** Small seeded networks and data for the quantization tests: fast, but with every layer kind PTQ converts. */
final class SmallNets {
    static final int SIDE = 12;

    private SmallNets() {
    }

    /**
     * conv 3x3 (8) - BN - ReLU - max pool - depthwise 3x3 - BN - ReLU6 - conv 1x1 (16) - ReLU -
     * residual-free global average pool - flatten - fc (10), with non-trivial BN statistics.
     */
    static Graph convNet(long seed) {
        ModelBuilder b = new ModelBuilder("small_conv", seed);
        String x = b.input("x", Shape.UNKNOWN, 1, SIDE, SIDE);
        x = b.relu(b.batchNorm(b.conv(x, ConvSpec.same(8, 3).named("conv1"))));
        x = b.maxPool(x, 2, 2);
        x = b.relu6(b.batchNorm(b.conv(x, ConvSpec.same(8, 3).withGroups(8).named("dw"))));
        x = b.relu(b.conv(x, ConvSpec.of(16, 1).named("pw")));
        x = b.flatten(b.globalAvgPool(x));
        return randomiseBatchNorm(b.output(b.dense(x, 10, "fc")).build(), seed);
    }

    /** LeNet-like: conv 5x5 (6) - ReLU - max pool - fc (32) - ReLU - fc (10). */
    static Graph lenetLike(long seed) {
        ModelBuilder b = new ModelBuilder("small_lenet", seed);
        String x = b.input("x", Shape.UNKNOWN, 1, SIDE, SIDE);
        x = b.maxPool(b.relu(b.conv(x, ConvSpec.of(6, 5).named("conv1"))), 2, 2);
        x = b.relu(b.dense(b.flatten(x), 32, "fc1"));
        return b.output(b.dense(x, 10, "fc2")).build();
    }

    /** BN scale, shift, mean and variance drawn so that folding them changes the weights noticeably. */
    private static Graph randomiseBatchNorm(Graph g, long seed) {
        Random r = new Random(seed);
        Graph.Builder b = g.toBuilder();
        for (Node n : g.nodes()) {
            if (n.op() instanceof BatchNormalization) {
                int c = g.initializer(n.input(1)).size();
                b.initializer(n.input(1), fill(c, r, 0.5f, 1.5f));
                b.initializer(n.input(2), fill(c, r, -0.3f, 0.3f));
                b.initializer(n.input(3), fill(c, r, -0.2f, 0.2f));
                b.initializer(n.input(4), fill(c, r, 0.5f, 2f));
            }
        }
        return b.build();
    }

    private static Tensor fill(int n, Random r, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * r.nextFloat();
        }
        return Tensor.of(Shape.of(n), v);
    }

    /**
     * Images of smooth random blobs in about [-1, 2] (normalised-pixel-like) with labels from a
     * fixed rule (the quadrant of the brightest pixel, times the sign of the mean), for the few
     * training steps the tests take.
     */
    static ImageDataset images(int n, long seed) {
        Random r = new Random(seed);
        int per = SIDE * SIDE;
        float[] pixels = new float[n * per];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            float cx = r.nextFloat() * SIDE;
            float cy = r.nextFloat() * SIDE;
            float width = 1.5f + 3 * r.nextFloat();
            float amp = 3 * r.nextFloat();
            int best = 0;
            for (int p = 0; p < per; p++) {
                float dx = p % SIDE - cx;
                float dy = p / SIDE - cy;
                float v = -1 + amp * (float) Math.exp(-(dx * dx + dy * dy) / (2 * width * width))
                        + 0.1f * (float) r.nextGaussian();
                pixels[i * per + p] = v;
                if (v > pixels[i * per + best]) {
                    best = p;
                }
            }
            int quadrant = (best % SIDE < SIDE / 2 ? 0 : 1) + (best / SIDE < SIDE / 2 ? 0 : 2);
            labels[i] = quadrant + (amp > 1.5f ? 4 : 0);
        }
        return new ImageDataset("blobs", 1, SIDE, SIDE, pixels, labels, 10);
    }

    /** The outputs of {@code g} on every image of {@code data}, as one [N, classes] array. */
    static float[] outputs(Graph g, ImageDataset data) {
        Plan p = Plan.compile(g, data.batchShape(data.size()));
        Tensor x = Tensor.of(data.batchShape(data.size()), data.pixels().clone());
        return p.runSingle(x).toFloatArray();
    }

    /** {@code max |a - b| / max |b|}. */
    static double relativeError(float[] a, float[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    /** The share of rows whose largest element sits at the same index in both. */
    static double argmaxAgreement(float[] a, float[] b, int classes) {
        int rows = a.length / classes;
        int same = 0;
        for (int r = 0; r < rows; r++) {
            int ia = 0;
            int ib = 0;
            for (int c = 1; c < classes; c++) {
                if (a[r * classes + c] > a[r * classes + ia]) {
                    ia = c;
                }
                if (b[r * classes + c] > b[r * classes + ib]) {
                    ib = c;
                }
            }
            same += ia == ib ? 1 : 0;
        }
        return (double) same / rows;
    }
}
