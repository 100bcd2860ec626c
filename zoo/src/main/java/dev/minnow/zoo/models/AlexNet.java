package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * AlexNet (Krizhevsky, Sutskever and Hinton 2012, "ImageNet Classification with Deep
 * Convolutional Neural Networks"): five convolutions and three fully connected layers, trained
 * with ReLUs, dropout and (in the original) local response normalisation. Its idea is scale:
 * a deep stack of learned filters on GPUs beat hand-made features by a wide margin. Almost all its
 * parameters sit in the fully connected layers (fc6 alone holds 38 M of 61 M), which is why
 * pruning and quantization papers start with it.
 *
 * <p><b>Small inputs</b> (a side below {@link Zoo#SMALL_INPUT_SIDE}): the 11x11 stride-4 stem
 * would shrink a 28x28 image to 6x6 before the first pooling; the small variant uses a 3x3
 * stride-1 convolution (same width) instead and keeps every other layer, so 28x28 becomes
 * 28 -> 13 -> 6 -> 2 through the three max pools.
 */
public final class AlexNet {
    private AlexNet() {
    }

    /**
     * torchvision's AlexNet (the "one weird trick" single-GPU layout of Krizhevsky 2014: 64, 192,
     * 384, 256, 256 filters, no LRN, no groups):
     * <pre>
     *   conv 64@11x11/4 pad 2, ReLU, maxpool 3/2
     *   conv 192@5x5 pad 2, ReLU, maxpool 3/2
     *   conv 384@3x3, ReLU, conv 256@3x3, ReLU, conv 256@3x3, ReLU, maxpool 3/2
     *   adaptive average pool to 6x6 (the identity at 224x224; see Blocks#averagePoolTo)
     *   dropout 0.5, fc 4096, ReLU, dropout 0.5, fc 4096, ReLU, fc classes
     * </pre>
     * 61,100,840 parameters and 714 M MACs at 3x224x224 with 1000 classes.
     */
    public static Graph alexnet(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("alexnet", seed);
        String x = Blocks.input(b, classes, channels, height, width);
        boolean small = Zoo.isSmall(height, width);
        x = b.relu(b.conv(x, small ? ConvSpec.same(64, 3) : ConvSpec.of(64, 11).withStride(4).withPad(2)));
        x = b.maxPool(x, 3, 2);
        x = b.maxPool(b.relu(b.conv(x, ConvSpec.same(192, 5))), 3, 2);
        x = b.relu(b.conv(x, ConvSpec.same(384, 3)));
        x = b.relu(b.conv(x, ConvSpec.same(256, 3)));
        x = b.maxPool(b.relu(b.conv(x, ConvSpec.same(256, 3))), 3, 2);
        x = b.flatten(Blocks.averagePoolTo(b, x, 6));
        x = b.relu(b.dense(b.dropout(x, 0.5f), 4096));
        x = b.relu(b.dense(b.dropout(x, 0.5f), 4096));
        return b.output(b.dense(x, classes)).build();
    }

    /**
     * The original AlexNet as BVLC's Caffe model zoo has it ({@code bvlc_alexnet}), the network of
     * Han et al.'s pruning and Deep Compression experiments. The two GPUs of 2012 survive as
     * {@code groups = 2} in conv2, conv4 and conv5 (each half of the filters sees only half of the
     * channels), and each of the first two stages ends with local response normalisation
     * (size 5, alpha 1e-4, beta 0.75, k 1):
     * <pre>
     *   conv1 96@11x11/4, ReLU, LRN, maxpool 3/2      conv2 256@5x5 pad 2 groups 2, ReLU, LRN, maxpool 3/2
     *   conv3 384@3x3, ReLU    conv4 384@3x3 groups 2, ReLU    conv5 256@3x3 groups 2, ReLU, maxpool 3/2
     *   fc6 4096, ReLU, dropout 0.5, fc7 4096, ReLU, dropout 0.5, fc8 classes
     * </pre>
     * Caffe rounds pooled sizes up, so the pools use {@code ceil_mode}: 227x227 (Caffe's crop) and
     * 224x224 both give 55/54 -> 27 -> 13 -> 6. fc6 takes whatever map arrives (6x6 at ImageNet
     * sizes). 60,965,224 parameters at 1000 classes; 721 M MACs at 224x224, 724 M at 227x227.
     */
    public static Graph alexnetBvlc(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("alexnet_bvlc", seed);
        String x = Blocks.input(b, classes, channels, height, width);
        boolean small = Zoo.isSmall(height, width);
        x = b.relu(b.conv(x, (small ? ConvSpec.same(96, 3) : ConvSpec.of(96, 11).withStride(4)).named("conv1")));
        x = b.maxPool(lrn(b, x), 3, 2, 0, true);
        x = b.relu(b.conv(x, ConvSpec.same(256, 5).withGroups(2).named("conv2")));
        x = b.maxPool(lrn(b, x), 3, 2, 0, true);
        x = b.relu(b.conv(x, ConvSpec.same(384, 3).named("conv3")));
        x = b.relu(b.conv(x, ConvSpec.same(384, 3).withGroups(2).named("conv4")));
        x = b.relu(b.conv(x, ConvSpec.same(256, 3).withGroups(2).named("conv5")));
        x = b.flatten(b.maxPool(x, 3, 2, 0, true));
        x = b.dropout(b.relu(b.dense(x, 4096, "fc6")), 0.5f);
        x = b.dropout(b.relu(b.dense(x, 4096, "fc7")), 0.5f);
        return b.output(b.dense(x, classes, "fc8")).build();
    }

    /** Caffe's {@code LRN local_size: 5 alpha: 0.0001 beta: 0.75} (Caffe, like ONNX, divides alpha by the size). */
    static String lrn(ModelBuilder b, String x) {
        return b.lrn(x, 5, 1e-4f, 0.75f, 1f);
    }
}
