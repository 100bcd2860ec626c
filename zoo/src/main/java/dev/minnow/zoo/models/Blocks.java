package dev.minnow.zoo.models;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.op.AveragePool;
import dev.minnow.engine.op.SlidingWindow;
import dev.minnow.engine.op.Split;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * The pieces several architectures share: the validated input, convolution + batch norm
 * (+ activation) units, the stand-in for torchvision's adaptive average pooling, and the channel
 * split of ShuffleNet V2.
 */
final class Blocks {
    private Blocks() {
    }

    /**
     * A model's input {@code [N, channels, height, width]} with a dynamic batch, after checking the
     * sizes; its name is {@code input}.
     */
    static String input(ModelBuilder b, int classes, int channels, int height, int width) {
        if (classes < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("a model needs classes, channels, height and width >= 1; got classes="
                    + classes + ", input " + channels + "x" + height + "x" + width);
        }
        return b.input("input", Shape.UNKNOWN, channels, height, width);
    }

    /** A convolution without bias followed by batch normalisation (the bias would be absorbed by BN's shift). */
    static String convBn(ModelBuilder b, String x, ConvSpec spec) {
        return b.batchNorm(b.conv(x, spec.withoutBias()));
    }

    static String convBnRelu(ModelBuilder b, String x, ConvSpec spec) {
        return b.relu(convBn(b, x, spec));
    }

    static String convBnRelu6(ModelBuilder b, String x, ConvSpec spec) {
        return b.relu6(convBn(b, x, spec));
    }

    /** A depthwise 3x3 convolution (one filter per channel, {@code groups = channels}), padding 1. */
    static ConvSpec depthwise3x3(int channels, int stride) {
        return ConvSpec.same(channels, 3).withStride(stride).withGroups(channels);
    }

    /**
     * Brings a feature map to {@code target x target} the way torchvision's
     * {@code AdaptiveAvgPool2d(target)} does, where that has an exact equivalent among the ONNX
     * pooling ops, and otherwise leaves the map as it is for the classifier to flatten.
     * <ul>
     *   <li>a {@code target x target} map: the adaptive pool is the identity (AlexNet's 6x6 and
     *       VGG's 7x7 at 224x224), so no node is added;</li>
     *   <li>a map of {@code k * target} per side: every adaptive bin is a {@code k x k} block, so
     *       it equals {@code AveragePool(kernel k, stride k)} (this is also how PyTorch's ONNX
     *       exporter writes adaptive pooling, and the only case it accepts);</li>
     *   <li>any other size: adaptive bins would overlap or repeat elements, which no ONNX pooling
     *       expresses, so the map is kept and the first fully connected layer is sized to it, as
     *       in the original Caffe AlexNet and VGG, which had no adaptive pool (parameter counts
     *       then differ from torchvision's, whose classifier always sees
     *       {@code target x target}).</li>
     * </ul>
     */
    static String averagePoolTo(ModelBuilder b, String x, int target) {
        Shape s = b.shape(x);
        int h = s.dim(2);
        int w = s.dim(3);
        if (h == target && w == target) {
            return x;
        }
        if (h == w && h % target == 0) {
            return b.avgPool(x, h / target, h / target, 0);
        }
        return x;
    }

    /**
     * Average pooling that counts the zero padding in the divisor, PyTorch's default
     * ({@code nn.AvgPool2d(count_include_pad=True)}).
     */
    static String avgPoolCountingPad(ModelBuilder b, String x, int kernel, int stride, int pad) {
        return b.add(b.nextName("avgpool"), new AveragePool(SlidingWindow.of2d(kernel, stride, pad), true), List.of(x));
    }

    /**
     * Cuts the channels into consecutive groups of the given sizes (ONNX {@code Split} along axis 1,
     * the lengths given as an int64 constant, opset 13's form).
     */
    static List<String> splitChannels(ModelBuilder b, String x, int... lengths) {
        String name = b.nextName("split");
        String sizes = b.constant(name + ".split", Tensor.ofLongs(Shape.of(lengths.length),
                Arrays.stream(lengths).asLongStream().toArray()));
        return b.addMulti(name, new Split(1), List.of(x, sizes), lengths.length);
    }
}
