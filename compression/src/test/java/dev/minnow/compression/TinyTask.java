package dev.minnow.compression;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.tensor.Shape;
import java.util.Random;

/**
 * A classification task small enough to train in a test: 1x4x4 Gaussian images, 3 classes, the
 * label the index of the largest of the sums of pixels 0-4, 5-9 and 10-15; and MLPs for it. Shared by
 * the pruning and distillation tests.
 */
public final class TinyTask {
    private TinyTask() {
    }

    /** {@code n} seeded images and their labels. */
    public static ImageDataset data(int n, long seed) {
        Random r = new Random(seed);
        float[] pixels = new float[n * 16];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            double[] sums = new double[3];
            for (int p = 0; p < 16; p++) {
                float v = (float) r.nextGaussian();
                pixels[i * 16 + p] = v;
                sums[p < 5 ? 0 : p < 10 ? 1 : 2] += v;
            }
            labels[i] = sums[0] >= sums[1] && sums[0] >= sums[2] ? 0 : sums[1] >= sums[2] ? 1 : 2;
        }
        return new ImageDataset("tiny", 1, 4, 4, pixels, labels, 3);
    }

    /** The same images with every label replaced by {@code label}. */
    public static ImageDataset relabelled(ImageDataset d, int label) {
        int[] labels = new int[d.size()];
        java.util.Arrays.fill(labels, label);
        return new ImageDataset(d.name(), d.channels(), d.height(), d.width(), d.pixels(), labels, d.classes());
    }

    /** flatten -> fc1 (hidden) -> relu -> fc2 (classes). */
    public static Graph mlp(int hidden, int classes, long seed) {
        ModelBuilder b = new ModelBuilder("tiny_mlp_" + hidden, seed);
        String x = b.flatten(b.input("x", Shape.UNKNOWN, 1, 4, 4));
        x = b.relu(b.dense(x, hidden));
        return b.output(b.dense(x, classes)).build();
    }

    /** flatten -> fc1 (32) -> relu -> fc2 (3). */
    public static Graph mlp(long seed) {
        return mlp(32, 3, seed);
    }
}
