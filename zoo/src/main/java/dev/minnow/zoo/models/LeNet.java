package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * The two LeNets of LeCun, Bottou, Bengio and Haffner (1998), "Gradient-Based Learning Applied
 * to Document Recognition", in the forms Han, Pool, Tran and Dally used as their first subjects
 * ("Learning both Weights and Connections for Efficient Neural Networks", 2015; "Deep
 * Compression", 2016). Both were designed for 28x28 digits, so they have no small variant: on
 * other inputs the first fully connected layer simply grows with the image.
 */
public final class LeNet {
    private LeNet() {
    }

    /**
     * LeNet-300-100: a multilayer perceptron {@code flatten -> 300 -> ReLU -> 100 -> ReLU ->
     * classes}. At 784 inputs and 10 classes it has 266,610 parameters, 99% of them in the first
     * layer; Han et al. prune it to 8% of its weights without loss of accuracy.
     */
    public static Graph lenet300(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("lenet300", seed);
        String x = b.flatten(Blocks.input(b, classes, channels, height, width));
        x = b.relu(b.dense(x, 300));
        x = b.relu(b.dense(x, 100));
        return b.output(b.dense(x, classes)).build();
    }

    /**
     * LeNet-5 as Caffe's MNIST example writes it (the variant of the compression papers): two
     * convolution + max-pooling stages, then a hidden layer of 500 and the classifier.
     * <pre>
     *   conv 20@5x5 -> maxpool 2 -> conv 50@5x5 -> maxpool 2 -> fc 500 -> ReLU -> fc classes
     * </pre>
     * Convolutions extract local features that weight sharing makes translation-equivariant;
     * pooling trades resolution for invariance. No activation follows the convolutions (Caffe's
     * example has none). 431,080 parameters at 1x28x28 and 10 classes, 2.29 M MACs.
     */
    public static Graph lenet5(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("lenet5", seed);
        String x = Blocks.input(b, classes, channels, height, width);
        x = b.maxPool(b.conv(x, ConvSpec.of(20, 5)), 2, 2);
        x = b.maxPool(b.conv(x, ConvSpec.of(50, 5)), 2, 2);
        x = b.relu(b.dense(b.flatten(x), 500));
        return b.output(b.dense(x, classes)).build();
    }
}
