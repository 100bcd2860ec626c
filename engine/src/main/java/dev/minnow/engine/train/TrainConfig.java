package dev.minnow.engine.train;

import dev.minnow.engine.kernel.Parallel;

/**
 * A training recipe.
 *
 * @param epochs         passes over the training set
 * @param batchSize      images per step (the last partial batch of an epoch is dropped; the
 *                       order changes every epoch, so every image is still used)
 * @param schedule       learning rate over training
 * @param regularization L1/L2 penalty on weights
 * @param seed           shuffling and dropout seed
 * @param threads        threads per op
 */
public record TrainConfig(int epochs, int batchSize, LearningRateSchedule schedule, Regularization regularization,
                          long seed, int threads) {

    public TrainConfig {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /** A recipe with a constant learning rate, no regularisation, seed 1 and all cores. */
    public static TrainConfig of(int epochs, int batchSize, float lr) {
        return new TrainConfig(epochs, batchSize, LearningRateSchedule.constant(lr), Regularization.NONE, 1,
                Parallel.defaultThreads());
    }

    public TrainConfig withSchedule(LearningRateSchedule s) {
        return new TrainConfig(epochs, batchSize, s, regularization, seed, threads);
    }

    public TrainConfig withRegularization(Regularization r) {
        return new TrainConfig(epochs, batchSize, schedule, r, seed, threads);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(epochs, batchSize, schedule, regularization, s, threads);
    }

    public TrainConfig withThreads(int t) {
        return new TrainConfig(epochs, batchSize, schedule, regularization, seed, t);
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batchSize, schedule, regularization, seed, threads);
    }
}
