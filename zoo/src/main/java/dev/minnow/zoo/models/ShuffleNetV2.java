package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import java.util.List;

/**
 * ShuffleNet V2 (Ma, Zhang, Zheng and Sun 2018, "ShuffleNet V2: Practical Guidelines for
 * Efficient CNN Architecture Design"), torchvision's {@code shufflenet_v2_x1_0}. The paper
 * measures speed instead of counting FLOPs and derives four guidelines: equal input and output
 * widths minimise memory traffic, group convolutions cost memory access, fragmented branches hurt
 * parallelism, element-wise operations are not free. Its unit follows them:
 * <pre>
 *   stride 1: channel split into halves x1 | x2;  x2 -> 1x1, BN, ReLU -> 3x3 depthwise, BN -> 1x1, BN, ReLU
 *             concat(x1, that), channel shuffle (2)
 *   stride 2: no split; both branches see the whole input:
 *             left  = 3x3 depthwise /2, BN -> 1x1, BN, ReLU;   right = the branch above with stride 2
 *             concat(left, right), channel shuffle (2)          (the width doubles)
 * </pre>
 * Plain 1x1 convolutions (no groups), a concatenation instead of an addition, and half of the
 * channels passed on untouched, a form of feature reuse; the shuffle mixes the two halves for
 * the next unit.
 * <pre>
 *   conv 24@3x3/2, BN, ReLU, maxpool 3/2, stages of 116, 232, 464 channels with 4, 8, 4 units,
 *   conv 1024@1x1, BN, ReLU, global average pool, fc classes
 * </pre>
 * 2,278,604 parameters and 145 M MACs at 3x224x224 with 1000 classes (the paper's Table 5:
 * 146 MFLOPs). Scopes: {@code stage2.0} .. {@code stage4.3}, with {@code branch1} and
 * {@code branch2} as in torchvision.
 *
 * <p><b>Small inputs</b> (a side below {@link Zoo#SMALL_INPUT_SIDE}): the first convolution has
 * stride 1 and the max pool is dropped, so a 28x28 image passes the stages at 14, 7 and 4 pixels.
 */
public final class ShuffleNetV2 {
    private static final int[] STAGE_OUT = {116, 232, 464};
    private static final int[] STAGE_UNITS = {4, 8, 4};

    private ShuffleNetV2() {
    }

    public static Graph shufflenetV2X10(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("shufflenet_v2_x1_0", seed);
        String x = Blocks.input(b, classes, channels, height, width);
        if (Zoo.isSmall(height, width)) {
            x = Blocks.convBnRelu(b, x, ConvSpec.same(24, 3).named("conv1"));
        } else {
            x = Blocks.convBnRelu(b, x, ConvSpec.same(24, 3).withStride(2).named("conv1"));
            x = b.maxPool(x, 3, 2, 1, false);
        }
        for (int stage = 0; stage < STAGE_OUT.length; stage++) {
            for (int i = 0; i < STAGE_UNITS[stage]; i++) {
                b.pushScope("stage" + (stage + 2) + "." + i);
                x = unit(b, x, STAGE_OUT[stage], i == 0 ? 2 : 1);
                b.popScope();
            }
        }
        x = Blocks.convBnRelu(b, x, ConvSpec.of(1024, 1).named("conv5"));
        x = b.flatten(b.globalAvgPool(x));
        return b.output(b.dense(x, classes, "fc")).build();
    }

    /** One unit (see the class comment): {@code out} output channels, stride 1 (split) or 2 (both branches). */
    static String unit(ModelBuilder b, String x, int out, int stride) {
        int half = out / 2;
        String left;
        String right;
        if (stride == 1) {
            List<String> halves = Blocks.splitChannels(b, x, half, b.shape(x).dim(1) - half);
            left = halves.get(0);
            right = branch2(b, halves.get(1), half, 1);
        } else {
            int in = b.shape(x).dim(1);
            b.pushScope("branch1");
            left = Blocks.convBn(b, x, Blocks.depthwise3x3(in, 2));
            left = Blocks.convBnRelu(b, left, ConvSpec.of(half, 1));
            b.popScope();
            right = branch2(b, x, half, 2);
        }
        return b.channelShuffle(b.concat(left, right), 2);
    }

    private static String branch2(ModelBuilder b, String x, int width, int stride) {
        b.pushScope("branch2");
        String y = Blocks.convBnRelu(b, x, ConvSpec.of(width, 1));
        y = Blocks.convBn(b, y, Blocks.depthwise3x3(width, stride));
        y = Blocks.convBnRelu(b, y, ConvSpec.of(width, 1));
        b.popScope();
        return y;
    }
}
