package dev.minnow.engine.train;

/**
 * What one epoch of training measured.
 *
 * @param epoch         from 1
 * @param trainLoss     mean loss over the epoch's batches
 * @param trainAccuracy fraction of training images classified right (during the epoch)
 * @param testLoss      mean loss on the evaluation set after the epoch (NaN when none)
 * @param testAccuracy  accuracy on the evaluation set after the epoch (NaN when none)
 * @param seconds       wall time of the training part of the epoch
 * @param imagesPerSecond training throughput
 * @param learningRate  the rate at the epoch's last step
 */
public record EpochStats(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                         double seconds, double imagesPerSecond, double learningRate) {
}
