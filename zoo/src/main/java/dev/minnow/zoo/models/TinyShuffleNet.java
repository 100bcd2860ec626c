package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * A ShuffleNet V2 in miniature for Fashion-MNIST, one of the compact designs of
 * docs/compact-designs.md: the units of {@link ShuffleNetV2} (Ma et al. 2018) at the widths of
 * its 0.5x model (48, 96, 192 channels), with two units per stage, sized for 28x28 images.
 * <pre>
 *   stride 1: channel split x1 | x2;  x2 -> 1x1, BN, ReLU -> 3x3 depthwise, BN -> 1x1, BN, ReLU;
 *             concat(x1, that), channel shuffle (2)
 *   stride 2: both branches see the whole input (3x3 depthwise /2 -> 1x1 | the branch above /2),
 *             concat, channel shuffle (2): the width doubles, the map halves
 * </pre>
 * <b>Why it is cheap.</b> Only half of the channels go through the convolutions of a stride-1
 * unit; the other half is passed on untouched (feature reuse at no cost). With C channels a unit
 * costs {@code H W (2 (C/2)^2 + 9 C/2)} MACs, about a quarter of one 1x1 convolution C -> C,
 * and a ninth of that of a 3x3 one. The channel shuffle (a reshape-transpose, no arithmetic) makes
 * the half that was skipped this time the half that is convolved in the next unit. The paper's
 * point is speed rather than counted MACs: plain 1x1 convolutions with equal input and output
 * widths, a concatenation instead of an addition, few branches.
 * <pre>
 *   conv 24@3x3/2, BN, ReLU                                       28 -> 14
 *   stages of 48, 96, 192 channels, 2 units each (the first with stride 2)   7, 4, 2
 *   conv 256@1x1, BN, ReLU, global average pool, fc classes
 * </pre>
 * 1.09 M MACs per 28x28 image (LeNet-5: 2.29 M), 120 k parameters (LeNet-5: 431 k).
 * Not in the {@link Zoo} registry: an experiment's model; {@code minnow train tiny_shufflenet} trains it.
 */
public final class TinyShuffleNet {
    /** The name {@code minnow train} knows it by. */
    public static final String NAME = "tiny_shufflenet";

    private static final int[] STAGE_OUT = {48, 96, 192};
    private static final int UNITS = 2;

    private TinyShuffleNet() {
    }

    /** Builds it for {@code classes} classes and {@code channels x height x width} inputs. */
    public static Graph build(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder(NAME, seed);
        String x = Blocks.input(b, classes, channels, height, width);
        x = Blocks.convBnRelu(b, x, ConvSpec.same(24, 3).withStride(2).named("conv1"));
        for (int stage = 0; stage < STAGE_OUT.length; stage++) {
            for (int i = 0; i < UNITS; i++) {
                b.pushScope("stage" + (stage + 2) + "." + i);
                x = ShuffleNetV2.unit(b, x, STAGE_OUT[stage], i == 0 ? 2 : 1);
                b.popScope();
            }
        }
        x = Blocks.convBnRelu(b, x, ConvSpec.of(256, 1).named("conv5"));
        x = b.flatten(b.globalAvgPool(x));
        return b.output(b.dense(x, classes, "fc")).build();
    }
}
