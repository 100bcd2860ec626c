package dev.minnow.engine.data;

import dev.minnow.engine.tensor.Tensor;
import java.util.Random;

/**
 * Mini-batches over a dataset for one epoch, in a seeded random order (Fisher-Yates) or in
 * order. The batch tensor and label array are allocated once and refilled by {@link #next()}; the
 * last batch may be smaller and comes in its own tensor of the right size.
 */
public final class Batches {
    private final ImageDataset data;
    private final int batchSize;
    private final int[] order;
    private final Tensor full;
    private final int[] fullLabels;
    private Tensor last;
    private int[] lastLabels;
    private int position;
    private Tensor current;
    private int[] currentLabels;

    /**
     * @param seed shuffle seed; the same seed and epoch give the same order. {@code shuffle=false}
     *             keeps the dataset order (evaluation).
     */
    public Batches(ImageDataset data, int batchSize, boolean shuffle, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.data = data;
        this.batchSize = Math.min(batchSize, Math.max(1, data.size()));
        this.order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            Random r = new Random(seed);
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        this.full = Tensor.zeros(data.batchShape(this.batchSize));
        this.fullLabels = new int[this.batchSize];
    }

    /** Number of batches in the epoch. */
    public int count() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    public boolean hasNext() {
        return position < order.length;
    }

    /** Fills and returns the next batch's images; {@link #labels()} gives its labels. */
    public Tensor next() {
        int n = Math.min(batchSize, order.length - position);
        if (n == batchSize) {
            current = full;
            currentLabels = fullLabels;
        } else {
            if (last == null || last.shape().dim(0) != n) {
                last = Tensor.zeros(data.batchShape(n));
                lastLabels = new int[n];
            }
            current = last;
            currentLabels = lastLabels;
        }
        data.fill(order, position, n, current, currentLabels);
        position += n;
        return current;
    }

    /** Labels of the batch last returned by {@link #next()}. */
    public int[] labels() {
        return currentLabels;
    }
}
