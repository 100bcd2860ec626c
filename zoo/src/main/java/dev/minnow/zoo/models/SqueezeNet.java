package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * SqueezeNet (Iandola et al. 2016, "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters
 * and &lt;0.5MB model size"), torchvision's {@code squeezenet1_0} and {@code squeezenet1_1}. Its
 * building block is the <b>fire module</b>:
 * <pre>
 *   squeeze: 1x1 conv C -> s, ReLU;   expand: concat(1x1 conv s -> e1, ReLU | 3x3 conv s -> e3, ReLU)
 * </pre>
 * It saves parameters three ways (the paper's strategies): most filters are 1x1, which have 9x
 * fewer weights than 3x3; the 3x3 filters that remain see only the {@code s} squeezed channels
 * ({@code s < e1 + e3}), so a fire module with C = 128 inputs and s = 16, e1 = e3 = 64 needs
 * {@code 128*16 + 16*64 + 16*64*9 = 12,288} weights where one 3x3 layer 128 -> 128 would need
 * {@code 147,456}; and downsampling comes late, so the convolutions work on large maps, which
 * buys accuracy with activations instead of weights. There are no fully connected layers: a 1x1
 * convolution to the classes and a global average pool make the classifier. Max pools round up
 * ({@code ceil_mode}), as in the original Caffe model. Fire modules are scoped {@code fire2} ..
 * {@code fire9} as in the paper, each with {@code squeeze}, {@code expand1x1} and
 * {@code expand3x3}.
 *
 * <p><b>Small inputs</b> (a side below {@link Zoo#SMALL_INPUT_SIDE}): the stem convolution becomes
 * 3x3 with stride 1 and padding 1 (same width) and the max pool after it is dropped, so a 28x28
 * image meets the first fire modules at 28x28 and the classifier at 7x7.
 */
public final class SqueezeNet {
    private SqueezeNet() {
    }

    /**
     * SqueezeNet 1.0, the paper's network: conv 96@7x7/2, maxpool, fire2-4, maxpool, fire5-8,
     * maxpool, fire9, dropout 0.5, conv 1x1 to the classes, ReLU, global average pool.
     * 1,248,424 parameters and 819 M MACs at 3x224x224 with 1000 classes.
     */
    public static Graph squeezenet10(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("squeezenet1_0", seed);
        String x = Blocks.input(b, classes, channels, height, width);
        boolean small = Zoo.isSmall(height, width);
        x = b.relu(b.conv(x, small ? ConvSpec.same(96, 3) : ConvSpec.of(96, 7).withStride(2)));
        if (!small) {
            x = b.maxPool(x, 3, 2, 0, true);
        }
        x = fire(b, x, 2, 16, 64, 64);
        x = fire(b, x, 3, 16, 64, 64);
        x = fire(b, x, 4, 32, 128, 128);
        x = b.maxPool(x, 3, 2, 0, true);
        x = fire(b, x, 5, 32, 128, 128);
        x = fire(b, x, 6, 48, 192, 192);
        x = fire(b, x, 7, 48, 192, 192);
        x = fire(b, x, 8, 64, 256, 256);
        x = b.maxPool(x, 3, 2, 0, true);
        x = fire(b, x, 9, 64, 256, 256);
        return classifier(b, x, classes);
    }

    /**
     * SqueezeNet 1.1 (from the authors' repository): the same fire modules with a 3x3 stem of 64
     * filters and the pools moved earlier (after conv1, fire3 and fire5), 2.4x cheaper than 1.0
     * at the same accuracy. 1,235,496 parameters and 349 M MACs at 3x224x224 with 1000 classes.
     */
    public static Graph squeezenet11(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("squeezenet1_1", seed);
        String x = Blocks.input(b, classes, channels, height, width);
        boolean small = Zoo.isSmall(height, width);
        x = b.relu(b.conv(x, small ? ConvSpec.same(64, 3) : ConvSpec.of(64, 3).withStride(2)));
        if (!small) {
            x = b.maxPool(x, 3, 2, 0, true);
        }
        x = fire(b, x, 2, 16, 64, 64);
        x = fire(b, x, 3, 16, 64, 64);
        x = b.maxPool(x, 3, 2, 0, true);
        x = fire(b, x, 4, 32, 128, 128);
        x = fire(b, x, 5, 32, 128, 128);
        x = b.maxPool(x, 3, 2, 0, true);
        x = fire(b, x, 6, 48, 192, 192);
        x = fire(b, x, 7, 48, 192, 192);
        x = fire(b, x, 8, 64, 256, 256);
        x = fire(b, x, 9, 64, 256, 256);
        return classifier(b, x, classes);
    }

    private static String fire(ModelBuilder b, String x, int index, int squeeze, int expand1x1, int expand3x3) {
        b.pushScope("fire" + index);
        String s = b.relu(b.conv(x, ConvSpec.of(squeeze, 1).named("squeeze")));
        String e1 = b.relu(b.conv(s, ConvSpec.of(expand1x1, 1).named("expand1x1")));
        String e3 = b.relu(b.conv(s, ConvSpec.same(expand3x3, 3).named("expand3x3")));
        String y = b.concat(e1, e3);
        b.popScope();
        return y;
    }

    private static Graph classifier(ModelBuilder b, String x, int classes) {
        x = b.dropout(x, 0.5f);
        x = b.relu(b.conv(x, ConvSpec.of(classes, 1).named("conv10")));
        return b.output(b.flatten(b.globalAvgPool(x))).build();
    }
}
