package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;

/**
 * GoogLeNet, or Inception v1 (Szegedy et al. 2015, "Going Deeper with Convolutions"). Its
 * building block, the <b>Inception module</b>, looks at the same input at several scales at
 * once: four parallel branches, a 1x1 convolution, a 3x3, a 5x5 and a 3x3 max pool, whose outputs
 * are concatenated along channels. Run on hundreds of channels, the 3x3 and 5x5 branches would
 * be ruinous, so each is preceded by a <b>1x1 reduction</b> that first squeezes the channels
 * (e.g. 192 -> 16 before the 5x5 of inception 3a: {@code 16*192 + 32*16*25} weights instead of
 * {@code 32*192*25}, a 10x saving), and the pool branch is followed by a 1x1 projection so that
 * it does not simply pass all input channels on. Nine modules, in three stages separated by
 * max pools, then global average pooling and a single fully connected layer: 22 layers with
 * 12x fewer parameters than AlexNet. The auxiliary classifiers used in training are left out.
 *
 * <pre>
 *   stem: conv 64@7x7/2, maxpool 3/2, conv 64@1x1, conv 192@3x3, maxpool 3/2       (224 -> 28)
 *   inception 3a, 3b, maxpool 3/2, 4a .. 4e, maxpool, 5a, 5b, global average pool, dropout, fc
 * </pre>
 *
 * <p><b>Small inputs</b> (a side below {@link Zoo#SMALL_INPUT_SIDE}): the stem's only job is to
 * bring 224x224 down to the 28x28 at which inception 3a starts. The small variant replaces the
 * 7x7 stride-2 convolution by a 3x3 stride-1 one (same width) and drops the stem's two max pools,
 * so a 28x28 image enters inception 3a at exactly the size an ImageNet image reaches it; the rest
 * is unchanged (28 -> 14 -> 7 through the two remaining pools).
 */
public final class GoogLeNet {
    /** Output channels of one module: the 1x1 branch, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection. */
    private record Module(String name, int b1, int b2Reduce, int b2, int b3Reduce, int b3, int b4) {
    }

    private static final Module[] STAGE3 = {
        new Module("inception3a", 64, 96, 128, 16, 32, 32),
        new Module("inception3b", 128, 128, 192, 32, 96, 64)};
    private static final Module[] STAGE4 = {
        new Module("inception4a", 192, 96, 208, 16, 48, 64),
        new Module("inception4b", 160, 112, 224, 24, 64, 64),
        new Module("inception4c", 128, 128, 256, 24, 64, 64),
        new Module("inception4d", 112, 144, 288, 32, 64, 64),
        new Module("inception4e", 256, 160, 320, 32, 128, 128)};
    private static final Module[] STAGE5 = {
        new Module("inception5a", 256, 160, 320, 32, 128, 128),
        new Module("inception5b", 384, 192, 384, 48, 128, 128)};

    /** The two ways of writing a convolution: torchvision's BasicConv2d or Caffe's conv + ReLU. */
    private enum Style {
        /** conv (no bias) + BN (eps 0.001) + ReLU; the "5x5" branch uses a 3x3 kernel, as torchvision does. */
        TORCHVISION,
        /** conv (with bias) + ReLU, the 5x5 branch a real 5x5, LRN in the stem. */
        BVLC
    }

    private GoogLeNet() {
    }

    /**
     * torchvision's {@code googlenet(aux_logits=False, transform_input=False, init_weights=False)}:
     * every convolution is followed by batch normalisation (eps 0.001), a later addition to the
     * paper, the LRNs are gone, and the fourth max pool is 2x2. torchvision's "5x5" branch uses a
     * 3x3 kernel (a known quirk of the port, kept for weight compatibility), so this one does too.
     * 6,624,904 parameters and 1.50 G MACs at 3x224x224 with 1000 classes.
     */
    public static Graph googlenet(int classes, int channels, int height, int width, long seed) {
        return build("googlenet", Style.TORCHVISION, classes, channels, height, width, seed);
    }

    /**
     * The original Inception v1 as BVLC's Caffe model zoo has it ({@code bvlc_googlenet}), without
     * the two auxiliary heads: convolutions with biases and ReLU, no batch norm, local response
     * normalisation after the first max pool and after conv2/3x3, real 5x5 branches, max pools of
     * 3x3/2 rounded up, and a 7x7 average pool (here a global average pool, the same at 224x224)
     * before dropout 0.4 and the classifier. DeepRebirth (Li et al. 2018) takes this network and
     * merges its "non-tensor" layers (LRN, pooling) into neighbouring convolutions. 6,998,552
     * parameters and 1.58 G MACs at 3x224x224 with 1000 classes (the paper's "1.5 billion
     * multiply-adds" is a rounded budget; its Table 1 agrees module by module).
     */
    public static Graph googlenetBvlc(int classes, int channels, int height, int width, long seed) {
        return build("googlenet_bvlc", Style.BVLC, classes, channels, height, width, seed);
    }

    private static Graph build(String name, Style style, int classes, int channels, int height, int width,
                               long seed) {
        ModelBuilder b = new ModelBuilder(name, seed);
        String x = Blocks.input(b, classes, channels, height, width);
        boolean small = Zoo.isSmall(height, width);
        boolean bvlc = style == Style.BVLC;
        x = conv(b, x, small ? ConvSpec.same(64, 3) : ConvSpec.of(64, 7).withStride(2).withPad(3), style);
        if (!small) {
            x = b.maxPool(x, 3, 2, 0, true);
        }
        if (bvlc) {
            x = AlexNet.lrn(b, x);
        }
        x = conv(b, x, ConvSpec.of(64, 1), style);
        x = conv(b, x, ConvSpec.same(192, 3), style);
        if (bvlc) {
            x = AlexNet.lrn(b, x);
        }
        if (!small) {
            x = b.maxPool(x, 3, 2, 0, true);
        }
        x = stage(b, x, STAGE3, style);
        x = stage(b, b.maxPool(x, 3, 2, 0, true), STAGE4, style);
        x = b.maxPool(x, bvlc ? 3 : 2, 2, 0, true);
        x = b.flatten(b.globalAvgPool(stage(b, x, STAGE5, style)));
        x = b.dropout(x, bvlc ? 0.4f : 0.2f);
        return b.output(b.dense(x, classes, "fc")).build();
    }

    private static String stage(ModelBuilder b, String x, Module[] modules, Style style) {
        for (Module m : modules) {
            x = inception(b, x, m, style);
        }
        return x;
    }

    /** The four branches of one module, concatenated: 1x1 | 1x1 -> 3x3 | 1x1 -> 5x5 | maxpool 3x3/1 -> 1x1. */
    private static String inception(ModelBuilder b, String x, Module m, Style style) {
        b.pushScope(m.name());
        b.pushScope("branch1");
        String b1 = conv(b, x, ConvSpec.of(m.b1(), 1), style);
        b.popScope().pushScope("branch2");
        String b2 = conv(b, conv(b, x, ConvSpec.of(m.b2Reduce(), 1), style), ConvSpec.same(m.b2(), 3), style);
        b.popScope().pushScope("branch3");
        int k = style == Style.BVLC ? 5 : 3;
        String b3 = conv(b, conv(b, x, ConvSpec.of(m.b3Reduce(), 1), style), ConvSpec.same(m.b3(), k), style);
        b.popScope().pushScope("branch4");
        String b4 = conv(b, b.maxPool(x, 3, 1, 1, true), ConvSpec.of(m.b4(), 1), style);
        b.popScope();
        String y = b.concat(b1, b2, b3, b4);
        b.popScope();
        return y;
    }

    private static String conv(ModelBuilder b, String x, ConvSpec spec, Style style) {
        if (style == Style.BVLC) {
            return b.relu(b.conv(x, spec));
        }
        return b.relu(b.batchNorm(b.conv(x, spec.withoutBias()), 1e-3f, 0.9f));
    }
}
