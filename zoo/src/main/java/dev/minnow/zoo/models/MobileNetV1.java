package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * MobileNet V1 (Howard et al. 2017, "MobileNets: Efficient Convolutional Neural Networks for
 * Mobile Vision Applications"), width multiplier 1.0, as in Table 1 of the paper. Its idea is the
 * <b>depthwise-separable convolution</b>: a standard {@code k x k} convolution from M to N
 * channels on a {@code D x D} map costs {@code D^2 M N k^2} multiply-adds; splitting it into a
 * depthwise {@code k x k} convolution (one filter per channel, {@code D^2 M k^2}) and a pointwise
 * 1x1 convolution that mixes channels ({@code D^2 M N}) costs
 * <pre>
 *   (D^2 M k^2 + D^2 M N) / (D^2 M N k^2) = 1/N + 1/k^2
 * </pre>
 * of it: with 3x3 kernels, 8 to 9 times less, for a small loss of accuracy.
 * <pre>
 *   conv 32@3x3/2, then 13 blocks [depthwise 3x3, BN, ReLU, pointwise 1x1, BN, ReLU] widening
 *   64, 128, 128, 256, 256, 512 (x6), 1024, 1024 with stride 2 at the 2nd, 4th, 6th and 12th,
 *   global average pool, fc classes
 * </pre>
 * (Table 1 prints stride 2 for the last depthwise layer too, a misprint: its input and output are
 * both 7x7.) ReLU, not ReLU6, as in the paper. 4,231,976 parameters (the paper's "4.2 million")
 * and 569 M multiply-adds at 3x224x224 with 1000 classes. Blocks are scoped {@code block1} ..
 * {@code block13}, each holding {@code dw} and {@code pw}.
 *
 * <p><b>Small inputs</b> (a side below {@link Zoo#SMALL_INPUT_SIDE}): the first convolution has
 * stride 1 instead of 2, so a 28x28 image ends at 2x2 before the average pool.
 */
public final class MobileNetV1 {
    /** Output channels of the 13 separable blocks; a negative entry marks a stride-2 block. */
    private static final int[] BLOCKS = {64, -128, 128, -256, 256, -512, 512, 512, 512, 512, 512, -1024, 1024};

    private MobileNetV1() {
    }

    public static Graph mobilenetV1(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder("mobilenet_v1", seed);
        String x = Blocks.input(b, classes, channels, height, width);
        int stemStride = Zoo.isSmall(height, width) ? 1 : 2;
        x = Blocks.convBnRelu(b, x, ConvSpec.same(32, 3).withStride(stemStride).named("conv1"));
        for (int i = 0; i < BLOCKS.length; i++) {
            int out = Math.abs(BLOCKS[i]);
            int stride = BLOCKS[i] < 0 ? 2 : 1;
            b.pushScope("block" + (i + 1));
            int in = b.shape(x).dim(1);
            x = Blocks.convBnRelu(b, x, Blocks.depthwise3x3(in, stride).named("dw"));
            x = Blocks.convBnRelu(b, x, ConvSpec.of(out, 1).named("pw"));
            b.popScope();
        }
        x = b.flatten(b.globalAvgPool(x));
        return b.output(b.dense(x, classes, "fc")).build();
    }
}
