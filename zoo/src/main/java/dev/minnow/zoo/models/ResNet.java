package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * Residual networks (He, Zhang, Ren and Sun 2016, "Deep Residual Learning for Image
 * Recognition"), torchvision's {@code resnet18} and {@code resnet50}. The idea: instead of asking
 * a stack of layers to learn a mapping {@code H(x)}, let it learn the residual
 * {@code F(x) = H(x) - x} and add the input back through a <b>shortcut connection</b>,
 * {@code y = relu(F(x) + x)}. An identity is then trivial to represent (drive {@code F} to zero),
 * and gradients reach early layers through the additions undiminished, so networks of 50, 101 or
 * 152 layers train better than shallower ones instead of worse. Where a block changes the
 * resolution or the width, the shortcut becomes a 1x1 convolution of stride 2 plus batch norm
 * (torchvision's {@code downsample}, option B of the paper).
 * <pre>
 *   stem: conv 64@7x7/2, BN, ReLU, maxpool 3/2 (224 -> 56)
 *   layer1 .. layer4: blocks of 64, 128, 256, 512 (x4 for bottlenecks), strides 1, 2, 2, 2 (56 -> 7)
 *   global average pool, fc classes
 * </pre>
 * Scopes follow torchvision's names: {@code layer2.0/conv1}, {@code layer2.0/bn1},
 * {@code layer2.0/downsample/conv1}. ResNet-50's bottlenecks put the stride on the 3x3
 * convolution, as torchvision does ("ResNet v1.5").
 *
 * <p><b>Small inputs</b> (a side below {@link Zoo#SMALL_INPUT_SIDE}): as in the paper's CIFAR
 * experiments, the stem is a single 3x3 stride-1 convolution (64 filters) without max pool, so a
 * 28x28 image passes the four stages at 28, 14, 7 and 4 pixels.
 */
public final class ResNet {
    private ResNet() {
    }

    /**
     * ResNet-18: basic blocks ({@code 3x3 -> BN -> ReLU -> 3x3 -> BN}, plus the shortcut), two per
     * stage. 11,689,512 parameters and 1.82 G MACs at 3x224x224 with 1000 classes.
     */
    public static Graph resnet18(int classes, int channels, int height, int width, long seed) {
        return build("resnet18", false, new int[] {2, 2, 2, 2}, classes, channels, height, width, seed);
    }

    /**
     * ResNet-50: bottleneck blocks ({@code 1x1} reduce to a quarter, {@code 3x3}, {@code 1x1}
     * expand 4x), 3, 4, 6, 3 per stage. The 1x1 layers keep the expensive 3x3 convolution on
     * narrow tensors, so ResNet-50 costs little more than ResNet-34 while being much deeper.
     * 25,557,032 parameters and 4.09 G MACs at 3x224x224 with 1000 classes.
     */
    public static Graph resnet50(int classes, int channels, int height, int width, long seed) {
        return build("resnet50", true, new int[] {3, 4, 6, 3}, classes, channels, height, width, seed);
    }

    private static Graph build(String name, boolean bottleneck, int[] blocks, int classes, int channels, int height,
                               int width, long seed) {
        ModelBuilder b = new ModelBuilder(name, seed);
        String x = Blocks.input(b, classes, channels, height, width);
        if (Zoo.isSmall(height, width)) {
            x = Blocks.convBnRelu(b, x, ConvSpec.same(64, 3));
        } else {
            x = Blocks.convBnRelu(b, x, ConvSpec.of(64, 7).withStride(2).withPad(3));
            x = b.maxPool(x, 3, 2, 1, false);
        }
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            for (int i = 0; i < blocks[stage]; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                b.pushScope("layer" + (stage + 1) + "." + i);
                x = bottleneck ? bottleneck(b, x, widths[stage], stride) : basic(b, x, widths[stage], stride);
                b.popScope();
            }
        }
        x = b.flatten(b.globalAvgPool(x));
        return b.output(b.dense(x, classes, "fc")).build();
    }

    private static String basic(ModelBuilder b, String x, int planes, int stride) {
        String y = Blocks.convBnRelu(b, x, ConvSpec.same(planes, 3).withStride(stride));
        y = Blocks.convBn(b, y, ConvSpec.same(planes, 3));
        return b.relu(b.add(y, shortcut(b, x, planes, stride)));
    }

    private static String bottleneck(ModelBuilder b, String x, int planes, int stride) {
        String y = Blocks.convBnRelu(b, x, ConvSpec.of(planes, 1));
        y = Blocks.convBnRelu(b, y, ConvSpec.same(planes, 3).withStride(stride));
        y = Blocks.convBn(b, y, ConvSpec.of(planes * 4, 1));
        return b.relu(b.add(y, shortcut(b, x, planes * 4, stride)));
    }

    /** The identity, or a strided 1x1 convolution + BN when the block changes resolution or width. */
    private static String shortcut(ModelBuilder b, String x, int out, int stride) {
        if (stride == 1 && b.shape(x).dim(1) == out) {
            return x;
        }
        b.pushScope("downsample");
        String y = Blocks.convBn(b, x, ConvSpec.of(out, 1).withStride(stride));
        b.popScope();
        return y;
    }
}
