package dev.minnow.engine.train;

import dev.minnow.engine.tensor.Tensor;

/**
 * The loss a {@link Trainer} minimises, per batch: returns the mean loss and writes its gradient
 * with respect to the logits into {@code grad}. Cross-entropy by default; distillation plugs its
 * teacher in here (it sees the input batch so it can run the teacher on it).
 */
@FunctionalInterface
public interface BatchLoss {

    float lossAndGradient(Tensor input, Tensor logits, int[] labels, Tensor grad);

    /** Softmax cross-entropy with the labels. */
    static BatchLoss crossEntropy() {
        return (input, logits, labels, grad) -> SoftmaxCrossEntropy.lossAndGradient(logits, labels, grad);
    }
}
