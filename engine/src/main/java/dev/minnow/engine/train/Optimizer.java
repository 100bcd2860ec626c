package dev.minnow.engine.train;

import java.util.List;

/**
 * Updates parameters from their gradients. Implementations: {@link Sgd} (with momentum or
 * Nesterov momentum and L2 weight decay), {@link Adam} and AdamW (decoupled weight decay).
 *
 * <p>Every step first applies the parameters' masks to the gradients and, after the update, to
 * the values and optimizer state, so pruned weights stay exactly zero.
 */
public sealed interface Optimizer permits Sgd, Adam {

    /** One update of every parameter with the global learning rate {@code lr}. */
    void step(List<Parameter> parameters, float lr);

    /** "sgd(momentum=0.9, nesterov, wd=5e-4)": for logs and reports. */
    String describe();
}
