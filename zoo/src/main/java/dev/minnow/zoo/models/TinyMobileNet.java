package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * A MobileNet V2 in miniature for Fashion-MNIST, one of the compact designs of
 * docs/compact-designs.md: the inverted residual with a linear bottleneck of {@link MobileNetV2}
 * (Sandler et al. 2018), sized for 28x28 images.
 * <pre>
 *   1x1 expand C -> tC, BN, ReLU6  ->  3x3 depthwise (stride s), BN, ReLU6  ->  1x1 project tC -> C', BN
 *   (+ the input, when s = 1 and C = C')
 * </pre>
 * <b>Why it is cheap.</b> A standard {@code k x k} convolution from C to C' channels on an
 * {@code H x W} map costs {@code H W k^2 C C'} multiply-accumulates. The block splits it into
 * a depthwise convolution (one {@code k x k} filter per channel, {@code H W k^2 tC}) and 1x1
 * convolutions ({@code H W (C tC + tC C')}); with {@code k = 3} the depthwise part is nearly free,
 * so the cost is that of the 1x1 layers: a 3x3 convolution 24 -> 24 costs {@code 5184} MACs per
 * pixel, the block with t = 4 costs {@code 24*96 + 9*96 + 96*24 = 5472} while working on 96
 * channels inside. The tensors between blocks (and the shortcuts) are the narrow ones, and the
 * projection has no ReLU: a ReLU on a narrow tensor would discard information it cannot spare.
 * <pre>
 *   conv 16@3x3/2, BN, ReLU6                                      28 -> 14
 *   (t, c, n, s) = (1,16,1,1) (4,24,2,2) (4,32,2,1) (4,64,1,2)    14, 7, 7, 4
 *   conv 256@1x1, BN, ReLU6, global average pool, fc classes
 * </pre>
 * 2.06 M MACs per 28x28 image (LeNet-5: 2.29 M), 60 k parameters (LeNet-5: 431 k). The stem's
 * stride 2 keeps the expanded tensors at 14x14 and below: their memory traffic, not their MACs,
 * is what a depthwise layer's time is made of. Not in the {@link Zoo} registry: an experiment's
 * model; {@code minnow train tiny_mobilenet} trains it.
 */
public final class TinyMobileNet {
    /** The name {@code minnow train} knows it by. */
    public static final String NAME = "tiny_mobilenet";

    /** (expansion t, output channels c, blocks n, stride of the first block s), as in the paper's Table 2. */
    private static final int[][] SETTINGS = {{1, 16, 1, 1}, {4, 24, 2, 2}, {4, 32, 2, 1}, {4, 64, 1, 2}};

    private TinyMobileNet() {
    }

    /** Builds it for {@code classes} classes and {@code channels x height x width} inputs. */
    public static Graph build(int classes, int channels, int height, int width, long seed) {
        ModelBuilder b = new ModelBuilder(NAME, seed);
        String x = Blocks.input(b, classes, channels, height, width);
        int feature = 0;
        b.pushScope("features." + feature++);
        x = Blocks.convBnRelu6(b, x, ConvSpec.same(16, 3).withStride(2));
        b.popScope();
        for (int[] s : SETTINGS) {
            for (int i = 0; i < s[2]; i++) {
                b.pushScope("features." + feature++);
                x = MobileNetV2.invertedResidual(b, x, s[0], s[1], i == 0 ? s[3] : 1);
                b.popScope();
            }
        }
        b.pushScope("features." + feature);
        x = Blocks.convBnRelu6(b, x, ConvSpec.of(256, 1));
        b.popScope();
        x = b.flatten(b.globalAvgPool(x));
        return b.output(b.dense(x, classes, "fc")).build();
    }
}
