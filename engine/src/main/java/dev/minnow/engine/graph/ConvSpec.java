package dev.minnow.engine.graph;

/**
 * The settings of a 2-D convolution layer for {@link ModelBuilder#conv}: output channels, square
 * kernel, stride, padding (symmetric), dilation, groups, bias, and an optional layer name.
 * Immutable; start with {@link #of} and refine with the {@code with*} methods.
 */
public record ConvSpec(int outChannels, int kernel, int stride, int pad, int dilation, int groups, boolean bias,
                       String name) {

    public ConvSpec {
        if (outChannels < 1 || kernel < 1 || stride < 1 || pad < 0 || dilation < 1 || groups < 1) {
            throw new IllegalArgumentException("bad convolution settings: out=" + outChannels + " kernel=" + kernel
                    + " stride=" + stride + " pad=" + pad + " dilation=" + dilation + " groups=" + groups);
        }
        if (outChannels % groups != 0) {
            throw new IllegalArgumentException("output channels " + outChannels + " are not a multiple of groups " + groups);
        }
    }

    /** {@code out} filters of {@code kernel x kernel}, stride 1, no padding, with bias. */
    public static ConvSpec of(int out, int kernel) {
        return new ConvSpec(out, kernel, 1, 0, 1, 1, true, null);
    }

    /** A "same" convolution: padding {@code kernel / 2} (odd kernels keep the spatial size at stride 1). */
    public static ConvSpec same(int out, int kernel) {
        return of(out, kernel).withPad(kernel / 2);
    }

    public ConvSpec withStride(int s) {
        return new ConvSpec(outChannels, kernel, s, pad, dilation, groups, bias, name);
    }

    public ConvSpec withPad(int p) {
        return new ConvSpec(outChannels, kernel, stride, p, dilation, groups, bias, name);
    }

    public ConvSpec withDilation(int d) {
        return new ConvSpec(outChannels, kernel, stride, pad, d, groups, bias, name);
    }

    public ConvSpec withGroups(int g) {
        return new ConvSpec(outChannels, kernel, stride, pad, dilation, g, bias, name);
    }

    public ConvSpec withoutBias() {
        return new ConvSpec(outChannels, kernel, stride, pad, dilation, groups, false, name);
    }

    public ConvSpec named(String n) {
        return new ConvSpec(outChannels, kernel, stride, pad, dilation, groups, bias, n);
    }
}
