package dev.minnow.jmh;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.tensor.Shape;

/**
 * The convolution layers of the speed issue, each benchmarked alone as a one-node model (input
 * {@code x} of shape {@code [N, C, H, W]} with a dynamic batch, weights and bias drawn from a
 * fixed seed). Minnow plans the {@link Graph}; ONNX Runtime runs the bytes {@code OnnxWriter}
 * makes of the very same graph.
 *
 * <p>Cost of one run: {@code MACs = N * C_out * H_out * W_out * (C_in / groups) * k * k}, and
 * {@code FLOPs = 2 * MACs} (a multiply and an add per MAC; the bias is not counted).
 */
public enum ConvLayer {
    /** The workhorse of ResNet's first stage: 64 -> 64, 3x3, pad 1, on 56x56. */
    CONV3X3_64_56("3x3 conv 64->64, 56x56", 64, 64, 56, 3, 1, 1, 1),
    /** The same with 4 groups (ResNeXt-style grouped convolution). */
    GROUPED3X3_64_56_G4("3x3 conv 64->64 groups 4, 56x56", 64, 64, 56, 3, 1, 1, 4),
    /** A depthwise 3x3 over 64 channels at 112x112 (MobileNet's early layers): memory bound. */
    DEPTHWISE3X3_64_112("depthwise 3x3 64ch, 112x112", 64, 64, 112, 3, 1, 1, 64),
    /** A dilated ("atrous") 3x3, dilation 2, pad 2: the same output size as the dense one. */
    DILATED3X3_64_56("3x3 conv dilation 2, 64->64, 56x56", 64, 64, 56, 3, 2, 2, 1),
    /** A 1x1 ("pointwise") convolution 128 -> 256 on 28x28: a plain GEMM. */
    POINTWISE_128_256_28("1x1 conv 128->256, 28x28", 128, 256, 28, 1, 0, 1, 1),
    /** LeNet-5's second convolution (Caffe variant): 5x5, 20 -> 50, on 12x12, no padding. */
    LENET5_5X5_20_50_12("LeNet-5 5x5 conv 20->50, 12x12", 20, 50, 12, 5, 0, 1, 1);

    private final String description;
    private final int inChannels;
    private final int outChannels;
    private final int size;
    private final int kernel;
    private final int pad;
    private final int dilation;
    private final int groups;

    ConvLayer(String description, int inChannels, int outChannels, int size, int kernel, int pad, int dilation,
              int groups) {
        this.description = description;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.size = size;
        this.kernel = kernel;
        this.pad = pad;
        this.dilation = dilation;
        this.groups = groups;
    }

    /** For tables, e.g. {@code 3x3 conv 64->64, 56x56}. */
    public String description() {
        return description;
    }

    /** The one-node model: input {@code x} {@code [N, C, H, W]}, seed 42. */
    public Graph graph() {
        ModelBuilder b = new ModelBuilder("conv_" + name().toLowerCase(java.util.Locale.ROOT), 42);
        String x = b.input("x", Shape.UNKNOWN, inChannels, size, size);
        ConvSpec spec = ConvSpec.of(outChannels, kernel).withPad(pad).withDilation(dilation).withGroups(groups)
                .named("conv");
        return b.output(b.conv(x, spec)).build();
    }

    /** {@code [batch, C_in, H, W]}. */
    public Shape inputShape(int batch) {
        return Shape.of(batch, inChannels, size, size);
    }

    /** Spatial output size: {@code (H + 2 pad - dilation (k - 1) - 1) / stride + 1}, stride 1. */
    public int outputSize() {
        return size + 2 * pad - dilation * (kernel - 1);
    }

    /** Multiply-accumulates of one run at this batch size. */
    public long macs(int batch) {
        long out = (long) batch * outChannels * outputSize() * outputSize();
        return out * (inChannels / groups) * kernel * kernel;
    }
}
