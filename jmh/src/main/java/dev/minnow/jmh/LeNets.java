package dev.minnow.jmh;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Sequential;

/**
 * The two LeNets of the training benchmarks, on {@code [N, 1, 28, 28]} (MNIST, Fashion-MNIST).
 * Weights from a fixed seed, PyTorch's default initialisation.
 */
public enum LeNets {
    /** Caffe's LeNet-5: conv 20@5x5, max-pool 2, conv 50@5x5, max-pool 2, fc 500, ReLU, fc 10 (431k parameters). */
    LENET5,
    /** LeNet-300-100: fc 300, ReLU, fc 100, ReLU, fc 10 (267k parameters). */
    LENET300_100;

    public Graph graph() {
        return switch (this) {
            case LENET5 -> Sequential.create("lenet5", 42, 1, 28, 28)
                    .conv(ConvSpec.of(20, 5)).maxPool(2, 2)
                    .conv(ConvSpec.of(50, 5)).maxPool(2, 2)
                    .flatten().dense(500).relu().dense(10)
                    .build();
            case LENET300_100 -> Sequential.create("lenet300_100", 42, 1, 28, 28)
                    .flatten().dense(300).relu().dense(100).relu().dense(10)
                    .build();
        };
    }
}
