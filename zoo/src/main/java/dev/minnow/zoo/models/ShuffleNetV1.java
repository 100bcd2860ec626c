package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * ShuffleNet (Zhang, Zhou, Lin and Sun 2018, "ShuffleNet: An Extremely Efficient Convolutional
 * Neural Network for Mobile Devices"), 1x width with g = 3 groups, Table 1 of the paper. Once
 * depthwise convolutions are cheap (MobileNet), the dense 1x1 convolutions dominate the cost;
 * ShuffleNet makes them <b>group convolutions</b> too, each of the g groups mixing only
 * {@code C/g} channels, which divides their cost by g. Stacked group convolutions would however
 * never exchange information between groups, so a <b>channel shuffle</b> (reshape the channels to
 * {@code [g, C/g]}, transpose, flatten) between them sends each group's output to every group of
 * the next layer, at no arithmetic cost. The unit:
 * <pre>
 *   1x1 group conv C -> C'/4 (g groups), BN, ReLU, channel shuffle (g),
 *   3x3 depthwise conv (stride s), BN, 1x1 group conv -> C' (g groups), BN
 *   s = 1: relu(that + input)         s = 2: relu(concat(avgpool 3x3/2 of the input, that)),
 *                                            the conv then producing C' - C channels
 * </pre>
 * <pre>
 *   conv 24@3x3/2, BN, ReLU, maxpool 3/2, stages of 240, 480, 960 channels with 4, 8, 4 units
 *   (the first of each stride 2), global average pool, fc classes
 * </pre>
 * The first 1x1 convolution of stage 2 is not grouped (its input has only 24 channels), as the
 * paper says. Where the paper is silent this follows its authors' code (megvii-model
 * ShuffleNet-Series): bottleneck width a quarter of the stage's output, convolutions without
 * bias, the shortcut's average pool with padding 1 counting the padding; the classifier keeps its
 * bias. At 3x224x224 with 1000 classes: 1,865,728 parameters (OpenMMLab lists 1.87 M) and
 * 137 M MACs (the paper's Table 1: 137 MFLOPs, counted as multiply-adds). Units are scoped
 * {@code stage2.0} .. {@code stage4.3}.
 *
 * <p><b>Small inputs</b> (a side below {@link Zoo#SMALL_INPUT_SIDE}): the first convolution has
 * stride 1 and the max pool is dropped, so a 28x28 image passes the stages at 14, 7 and 4 pixels.
 */
public final class ShuffleNetV1 {
    private static final int GROUPS = 3;
    private static final int[] STAGE_OUT = {240, 480, 960};
    private static final int[] STAGE_UNITS = {4, 8, 4};

    private ShuffleNetV1() {
    }

    public static Graph shufflenetV1G3(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("shufflenet_v1_g3", seed);
        String x = Blocks.input(b, classes, channels, height, width);
        if (Zoo.isSmall(height, width)) {
            x = Blocks.convBnRelu(b, x, ConvSpec.same(24, 3));
        } else {
            x = Blocks.convBnRelu(b, x, ConvSpec.same(24, 3).withStride(2));
            x = b.maxPool(x, 3, 2, 1, false);
        }
        for (int stage = 0; stage < STAGE_OUT.length; stage++) {
            for (int i = 0; i < STAGE_UNITS[stage]; i++) {
                b.pushScope("stage" + (stage + 2) + "." + i);
                x = unit(b, x, STAGE_OUT[stage], i == 0 ? 2 : 1, stage == 0 && i == 0);
                b.popScope();
            }
        }
        x = b.flatten(b.globalAvgPool(x));
        return b.output(b.dense(x, classes, "fc")).build();
    }

    private static String unit(ModelBuilder b, String x, int out, int stride, boolean ungroupedFirst) {
        int in = b.shape(x).dim(1);
        int mid = out / 4;
        int produced = stride == 2 ? out - in : out;
        String y = Blocks.convBnRelu(b, x, ConvSpec.of(mid, 1).withGroups(ungroupedFirst ? 1 : GROUPS));
        y = b.channelShuffle(y, GROUPS);
        y = Blocks.convBn(b, y, Blocks.depthwise3x3(mid, stride));
        y = Blocks.convBn(b, y, ConvSpec.of(produced, 1).withGroups(GROUPS));
        if (stride == 1) {
            return b.relu(b.add(y, x));
        }
        return b.relu(b.concat(Blocks.avgPoolCountingPad(b, x, 3, 2, 1), y));
    }
}
