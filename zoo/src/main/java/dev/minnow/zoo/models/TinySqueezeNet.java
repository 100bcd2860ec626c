package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * A SqueezeNet in miniature for Fashion-MNIST, one of the compact designs of
 * docs/compact-designs.md: four fire modules of {@link SqueezeNet} (Iandola et al. 2016) and its
 * classifier without fully connected layers, sized for 28x28 images.
 * <pre>
 *   fire: squeeze 1x1 C -> s, BN, ReLU;  expand concat(1x1 s -> e, BN, ReLU | 3x3 s -> e, BN, ReLU)
 * </pre>
 * <b>Why it is small.</b> SqueezeNet targets parameters (bytes), not MACs: most filters are 1x1;
 * the 3x3 filters that remain see only the {@code s} squeezed channels; the classifier is a 1x1
 * convolution to the classes and a global average pool, with no weight matrix over the whole
 * map (LeNet-5's fc1 alone has 400 k of its 431 k parameters). A fire module with C = 64 inputs,
 * s = 8, e = 32 has {@code 64*8 + 8*32 + 8*32*9 = 3,072} weights where one 3x3 convolution
 * 64 -> 64 has {@code 36,864}. Unlike the original, every convolution is followed by batch
 * normalisation (folded into the convolution for inference, so free at run time), which makes
 * training from scratch in a few epochs reliable.
 * <pre>
 *   conv 32@3x3/2, BN, ReLU                              28 -> 14
 *   fire2 (s 8, e 32+32), fire3 (8, 32+32), maxpool 2    14 -> 7
 *   fire4 (16, 64+64), fire5 (16, 64+64)
 *   dropout 0.2, conv 10@1x1, global average pool
 * </pre>
 * 2.43 M MACs per 28x28 image (LeNet-5: 2.29 M), 32 k parameters (LeNet-5: 431 k).
 * Not in the {@link Zoo} registry: an experiment's model; {@code minnow train tiny_squeezenet} trains it.
 */
public final class TinySqueezeNet {
    /** The name {@code minnow train} knows it by. */
    public static final String NAME = "tiny_squeezenet";

    private TinySqueezeNet() {
    }

    /** Builds it for {@code classes} classes and {@code channels x height x width} inputs. */
    public static Graph build(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder(NAME, seed);
        String x = Blocks.input(b, classes, channels, height, width);
        x = Blocks.convBnRelu(b, x, ConvSpec.same(32, 3).withStride(2).named("conv1"));
        x = fire(b, x, 2, 8, 32);
        x = fire(b, x, 3, 8, 32);
        x = b.maxPool(x, 2, 2);
        x = fire(b, x, 4, 16, 64);
        x = fire(b, x, 5, 16, 64);
        x = b.dropout(x, 0.2f);
        x = b.conv(x, ConvSpec.of(classes, 1).named("conv10"));
        return b.output(b.flatten(b.globalAvgPool(x))).build();
    }

    private static String fire(ModelBuilder b, String x, int index, int squeeze, int expand) {
        b.pushScope("fire" + index);
        String s = Blocks.convBnRelu(b, x, ConvSpec.of(squeeze, 1).named("squeeze"));
        String e1 = Blocks.convBnRelu(b, s, ConvSpec.of(expand, 1).named("expand1x1"));
        String e3 = Blocks.convBnRelu(b, s, ConvSpec.same(expand, 3).named("expand3x3"));
        String y = b.concat(e1, e3);
        b.popScope();
        return y;
    }
}
