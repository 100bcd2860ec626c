package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * A GoogLeNet in miniature for Fashion-MNIST, the subject of the DeepRebirth accuracy experiment
 * ({@code minnow rebirth}, docs/deeprebirth.md): the same kinds of layers as BVLC's GoogLeNet,
 * sized so that training takes minutes (2.0 M MACs per 28x28 image, about LeNet-5's, against
 * 1.1 G for the zoo's GoogLeNet at that size).
 * <pre>
 *   stem    conv 16@3x3 -> ReLU -> maxpool 3x3/2 -> LRN                           28 -> 14
 *           conv 16@1x1 -> ReLU -> conv 32@3x3 -> ReLU -> LRN -> maxpool 3x3/2     14 -> 7
 *   inception a   1x1 16 | 1x1 16 -> 3x3 24 | 1x1 4 -> 5x5 8 | maxpool 3x3/1 -> 1x1 8     (56 channels)
 *   inception b   1x1 24 | 1x1 24 -> 3x3 32 | 1x1 6 -> 5x5 16 | maxpool 3x3/1 -> 1x1 12  (84 channels)
 *   global average pool -> dropout 0.2 -> fc
 * </pre>
 * The stem has LRN like BVLC's GoogLeNet; the modules' convolutions are followed by batch
 * normalisation (as in torchvision's), which makes training from scratch quick. Not in the
 * {@link Zoo} registry: it is an experiment's model, not a published network.
 */
public final class TinyInception {
    private TinyInception() {
    }

    /** Builds it for {@code classes} classes and {@code channels x height x width} inputs (28x28 and up). */
    public static Graph build(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("tiny_inception", seed);
        String x = Blocks.input(b, classes, channels, height, width);
        x = b.relu(b.conv(x, ConvSpec.same(16, 3)));
        x = AlexNet.lrn(b, b.maxPool(x, 3, 2, 1, false));
        x = b.relu(b.conv(x, ConvSpec.of(16, 1)));
        x = b.relu(b.conv(x, ConvSpec.same(32, 3)));
        x = b.maxPool(AlexNet.lrn(b, x), 3, 2, 1, false);
        x = inception(b, x, "inception_a", 16, 16, 24, 4, 8, 8);
        x = inception(b, x, "inception_b", 24, 24, 32, 6, 16, 12);
        x = b.dropout(b.flatten(b.globalAvgPool(x)), 0.2f);
        return b.output(b.dense(x, classes, "fc")).build();
    }

    /** 1x1 | 1x1 -> 3x3 | 1x1 -> 5x5 | maxpool 3x3/1 -> 1x1, each conv with BN and ReLU, concatenated. */
    private static String inception(ModelBuilder b, String x, String name, int b1, int r2, int b2, int r3, int b3,
                                    int b4) {
        b.pushScope(name);
        String one = Blocks.convBnRelu(b, x, ConvSpec.of(b1, 1));
        String three = Blocks.convBnRelu(b, Blocks.convBnRelu(b, x, ConvSpec.of(r2, 1)), ConvSpec.same(b2, 3));
        String five = Blocks.convBnRelu(b, Blocks.convBnRelu(b, x, ConvSpec.of(r3, 1)), ConvSpec.same(b3, 5));
        String pool = Blocks.convBnRelu(b, b.maxPool(x, 3, 1, 1, false), ConvSpec.of(b4, 1));
        String y = b.concat(one, three, five, pool);
        b.popScope();
        return y;
    }
}
