package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * A VGG in miniature for Fashion-MNIST, the subject of the structured-pruning accuracy experiment
 * (docs/structured-pruning.md): VGG's plan of 3x3 convolutions that double in width whenever a
 * max pool halves the resolution (Simonyan and Zisserman 2015), with batch normalisation after
 * every convolution as in torchvision's {@code vgg*_bn}, and a global average pool instead of the
 * large fully connected head, so that nearly all of its cost is in convolutions.
 * <pre>
 *   conv 16@3x3, BN, ReLU, maxpool 2                  28 -> 14
 *   conv 32@3x3, BN, ReLU, conv 32@3x3, BN, ReLU, maxpool 2   14 -> 7
 *   conv 64@3x3, BN, ReLU, global average pool, fc classes
 * </pre>
 * 3.73 M MACs per 28x28 image (LeNet-5: 2.3 M), 33 k parameters. Not in the {@link Zoo} registry:
 * it is an experiment's model; {@code minnow train tiny_vgg} trains it.
 */
public final class TinyVgg {
    /** The name {@code minnow train} knows it by. */
    public static final String NAME = "tiny_vgg";

    private TinyVgg() {
    }

    /** Builds it for {@code classes} classes and {@code channels x height x width} inputs. */
    public static Graph build(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder(NAME, seed);
        String x = Blocks.input(b, classes, channels, height, width);
        x = b.maxPool(Blocks.convBnRelu(b, x, ConvSpec.same(16, 3)), 2, 2);
        x = Blocks.convBnRelu(b, x, ConvSpec.same(32, 3));
        x = b.maxPool(Blocks.convBnRelu(b, x, ConvSpec.same(32, 3)), 2, 2);
        x = Blocks.convBnRelu(b, x, ConvSpec.same(64, 3));
        x = b.flatten(b.globalAvgPool(x));
        return b.output(b.dense(x, classes, "fc")).build();
    }
}
