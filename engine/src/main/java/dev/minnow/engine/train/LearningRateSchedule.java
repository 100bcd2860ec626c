package dev.minnow.engine.train;

/**
 * The learning rate as a function of training progress. {@code progress} is the fraction of all
 * training steps done so far, {@code epoch} the current epoch (from 0).
 */
@FunctionalInterface
public interface LearningRateSchedule {

    float rate(int epoch, double progress);

    /** The same rate throughout. */
    static LearningRateSchedule constant(float lr) {
        return (epoch, progress) -> lr;
    }

    /** Step decay: {@code lr * gamma^floor(epoch / every)} (e.g. divide by 10 every 10 epochs). */
    static LearningRateSchedule step(float lr, float gamma, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("step schedule needs a period >= 1 epoch, got " + every);
        }
        return (epoch, progress) -> lr * (float) Math.pow(gamma, epoch / every);
    }

    /**
     * Cosine annealing (Loshchilov and Hutter 2017, without restarts), per step:
     * {@code min + (lr - min) * (1 + cos(pi * progress)) / 2}, after a linear warm-up over the
     * first {@code warmup} fraction of training.
     */
    static LearningRateSchedule cosine(float lr, float min, double warmup) {
        return (epoch, progress) -> {
            if (progress < warmup) {
                return (float) (lr * (progress + 1e-3) / warmup);
            }
            double p = warmup >= 1 ? 1 : (progress - warmup) / (1 - warmup);
            return (float) (min + (lr - min) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p))));
        };
    }
}
