package dev.minnow.engine.data;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;

/**
 * Labelled images held in memory as normalised floats, NCHW, one contiguous array: what a
 * classifier trains and is evaluated on. Immutable.
 *
 * @param name     e.g. {@code "fashion-mnist/train"}
 * @param channels C
 * @param height   H
 * @param width    W
 * @param pixels   {@code N*C*H*W} normalised values
 * @param labels   N class indices in {@code [0, classes)}
 * @param classes  number of classes
 */
public record ImageDataset(String name, int channels, int height, int width, float[] pixels, int[] labels,
                           int classes) {

    public ImageDataset {
        long per = (long) channels * height * width;
        if (per <= 0 || (long) labels.length * per != pixels.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels and " + pixels.length
                    + " pixels do not fit images of " + channels + "x" + height + "x" + width);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of image " + i
                        + " is outside [0, " + classes + ")");
            }
        }
    }

    public int size() {
        return labels.length;
    }

    /** Floats per image. */
    public int imageSize() {
        return channels * height * width;
    }

    /** The shape of a batch of {@code n} images. */
    public Shape batchShape(int n) {
        return Shape.of(n, channels, height, width);
    }

    /** Images {@code [from, to)} as a new dataset (copies). */
    public ImageDataset slice(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IllegalArgumentException(name + ": slice [" + from + ", " + to + ") of " + size() + " images");
        }
        int per = imageSize();
        return new ImageDataset(name + "[" + from + ":" + to + "]", channels, height, width,
                java.util.Arrays.copyOfRange(pixels, from * per, to * per),
                java.util.Arrays.copyOfRange(labels, from, to), classes);
    }

    /**
     * Copies images {@code order[start .. start+count)} into {@code batch} (shape
     * {@code [count, C, H, W]} or larger in N) and their labels into {@code batchLabels}.
     */
    public void fill(int[] order, int start, int count, Tensor batch, int[] batchLabels) {
        int per = imageSize();
        float[] dst = batch.data();
        int off = batch.offset();
        if (batch.size() < count * per) {
            throw new IllegalArgumentException("batch tensor " + batch.shape() + " is too small for " + count + " images");
        }
        for (int i = 0; i < count; i++) {
            int idx = order[start + i];
            System.arraycopy(pixels, idx * per, dst, off + i * per, per);
            batchLabels[i] = labels[idx];
        }
    }

    /** One image as a {@code [1, C, H, W]} tensor. */
    public Tensor image(int index) {
        int per = imageSize();
        return Tensor.of(batchShape(1), java.util.Arrays.copyOfRange(pixels, index * per, (index + 1) * per));
    }
}
