package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * VGG-16 (Simonyan and Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition", configuration D), torchvision's {@code vgg16} without batch norm. Its idea: use
 * only 3x3 convolutions and go deep. Two stacked 3x3 layers see a 5x5 window and three see 7x7,
 * with fewer weights ({@code 27 C^2} against {@code 49 C^2}) and more non-linearities than one
 * large filter. Thirteen convolutions in five stages of 64, 128, 256, 512, 512 channels, each
 * closed by a 2x2 max pool, then three fully connected layers:
 * <pre>
 *   [conv 3x3 pad 1, ReLU] x (2, 2, 3, 3, 3), maxpool 2/2 after each stage
 *   adaptive average pool to 7x7 (the identity at 224x224; see Blocks#averagePoolTo)
 *   fc 4096, ReLU, dropout 0.5, fc 4096, ReLU, dropout 0.5, fc classes
 * </pre>
 * 138,357,544 parameters and 15.5 G MACs at 3x224x224 with 1000 classes: the costliest network of
 * the zoo by far.
 *
 * <p><b>Small inputs</b> (a side below {@link Zoo#SMALL_INPUT_SIDE}): VGG has no stem to shrink;
 * its five pools halve 32 down to 1, but floor them from 28 (28 -> 14 -> 7 -> 3 -> 1 -> 0) and
 * the map vanishes. The small variant pools in {@code ceil_mode} (28 -> 14 -> 7 -> 4 -> 2 -> 1;
 * even sizes are unchanged) and the classifier takes the 512x1x1 map as it is.
 */
public final class Vgg {
    private static final int POOL = 0;
    private static final int[] VGG16 = {64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512, POOL,
        512, 512, 512, POOL};

    private Vgg() {
    }

    public static Graph vgg16(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("vgg16", seed);
        String x = Blocks.input(b, classes, channels, height, width);
        boolean small = Zoo.isSmall(height, width);
        for (int v : VGG16) {
            x = v == POOL ? b.maxPool(x, 2, 2, 0, small) : b.relu(b.conv(x, ConvSpec.same(v, 3)));
        }
        x = b.flatten(Blocks.averagePoolTo(b, x, 7));
        x = b.dropout(b.relu(b.dense(x, 4096)), 0.5f);
        x = b.dropout(b.relu(b.dense(x, 4096)), 0.5f);
        return b.output(b.dense(x, classes)).build();
    }
}
