package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * MobileNet V2 (Sandler, Howard, Zhu, Zhmoginov and Chen 2018, "MobileNetV2: Inverted Residuals
 * and Linear Bottlenecks"), torchvision's {@code mobilenet_v2} at width 1.0. Its block is the
 * <b>inverted residual with a linear bottleneck</b>:
 * <pre>
 *   1x1 expand C -> tC, BN, ReLU6  ->  3x3 depthwise (stride s), BN, ReLU6  ->  1x1 project tC -> C', BN
 *   (+ the input, when s = 1 and C = C')
 * </pre>
 * A classic bottleneck (ResNet) is wide at its ends and narrow inside; this one is the inverse:
 * the tensors passed between blocks, and joined by the shortcuts, are the narrow ones, and the
 * expansion (t = 6) happens inside, where a cheap depthwise convolution works on it. The
 * projection has no activation ("linear bottleneck"): a ReLU on a low-dimensional tensor would
 * destroy information that the narrow representation cannot afford to lose.
 * <pre>
 *   conv 32@3x3/2, then (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1)
 *   (6,160,3,2) (6,320,1,1), conv 1280@1x1, global average pool, dropout 0.2, fc classes
 * </pre>
 * 3,504,872 parameters and 301 M MACs at 3x224x224 with 1000 classes (the paper's 300 M). Scopes
 * are torchvision's: {@code features.0} (stem) .. {@code features.18} (last 1x1), {@code fc}.
 *
 * <p><b>Small inputs</b> (a side below {@link Zoo#SMALL_INPUT_SIDE}): the first convolution has
 * stride 1 instead of 2, so a 28x28 image ends at 2x2 before the average pool.
 *
 * <p><b>Width multiplier</b> ({@link #mobilenetV2(int, int, int, int, long, float)}, torchvision's
 * {@code width_mult}, the paper's alpha): every width times {@code alpha}, rounded to a multiple of
 * 8 as torchvision's {@code _make_divisible} does (never below 90 % of the exact product); the
 * last 1x1 convolution keeps {@code 1280 * max(1, alpha)}. Cost falls roughly with alpha squared.
 */
public final class MobileNetV2 {
    private static final int[][] SETTINGS = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    private MobileNetV2() {
    }

    public static Graph mobilenetV2(int classes, int channels, int height, int width, long seed) {
        return mobilenetV2(classes, channels, height, width, seed, 1f);
    }

    /** MobileNet V2 with width multiplier {@code alpha} (1 is the published network). */
    public static Graph mobilenetV2(int classes, int channels, int height, int width, long seed, float alpha) {
        if (!(alpha > 0) || alpha > 4) {
            throw new IllegalArgumentException("width multiplier must lie in (0, 4], got " + alpha);
        }
        ModelBuilder b = new ModelBuilder(alpha == 1f ? "mobilenet_v2" : "mobilenet_v2_x" + alpha, seed);
        String x = Blocks.input(b, classes, channels, height, width);
        int stemStride = Zoo.isSmall(height, width) ? 1 : 2;
        int feature = 0;
        b.pushScope("features." + feature++);
        x = Blocks.convBnRelu6(b, x, ConvSpec.same(divisible(32 * alpha), 3).withStride(stemStride));
        b.popScope();
        for (int[] s : SETTINGS) {
            for (int i = 0; i < s[2]; i++) {
                b.pushScope("features." + feature++);
                x = invertedResidual(b, x, s[0], divisible(s[1] * alpha), i == 0 ? s[3] : 1);
                b.popScope();
            }
        }
        b.pushScope("features." + feature);
        x = Blocks.convBnRelu6(b, x, ConvSpec.of(divisible(1280 * Math.max(1f, alpha)), 1));
        b.popScope();
        x = b.dropout(b.flatten(b.globalAvgPool(x)), 0.2f);
        return b.output(b.dense(x, classes, "fc")).build();
    }

    /** torchvision's {@code _make_divisible(v, 8)}: the nearest multiple of 8, at least 8 and 90 % of v. */
    static int divisible(float v) {
        int r = Math.max(8, (int) (v + 4) / 8 * 8);
        return r < 0.9f * v ? r + 8 : r;
    }

    /** One inverted residual block (see the class comment); {@code expansion} 1 has no expanding 1x1. */
    static String invertedResidual(ModelBuilder b, String x, int expansion, int out, int stride) {
        int in = b.shape(x).dim(1);
        int hidden = in * expansion;
        String y = x;
        if (expansion != 1) {
            y = Blocks.convBnRelu6(b, y, ConvSpec.of(hidden, 1));
        }
        y = Blocks.convBnRelu6(b, y, Blocks.depthwise3x3(hidden, stride));
        y = Blocks.convBn(b, y, ConvSpec.of(out, 1));
        return stride == 1 && in == out ? b.add(y, x) : y;
    }
}
