package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Channel shuffle, from ShuffleNet (Zhang, Zhou, Lin and Sun 2017, "ShuffleNet: An Extremely
 * Efficient Convolutional Neural Network for Mobile Devices"). A grouped convolution only mixes
 * channels inside each of its {@code g} groups; shuffling the channels between two grouped
 * convolutions lets information flow across groups at no arithmetic cost.
 *
 * <p>For an input {@code [N, C, ...]} with {@code C = g * k}: reshape the channels to
 * {@code [g, k]}, transpose to {@code [k, g]}, flatten back. So output channel {@code c'} reads
 * <pre>
 *   y[n, c', ...] = x[n, (c' mod g) * k + floor(c' / g), ...]
 * </pre>
 * and input channel {@code c = i*k + j} (group i, j-th in its group) lands at {@code c' = j*g + i}:
 * with {@code g = 2, C = 6} the order {@code 0 1 2 | 3 4 5} becomes {@code 0 3 1 4 2 5}.
 *
 * <p>A Minnow op (domain {@link OpRegistry#NATIVE_DOMAIN}, type {@code ChannelShuffle}, attribute
 * {@code group}); the ONNX writer lowers it to Reshape, Transpose, Reshape. Any element type,
 * any number of trailing (spatial) axes.
 *
 * <p>Backward (FLOAT): a permutation of channels moves gradients back by the inverse
 * permutation, {@code dL/dx[n, (c' mod g) * k + floor(c' / g), ...] = dL/dy[n, c', ...]}, i.e.
 * output channel {@code c = j*g + i} returns to input channel {@code i*k + j}: the inverse of a
 * shuffle with {@code g} groups is a shuffle with {@code k = C/g} groups.
 */
public final class ChannelShuffle implements Op {
    private final int group;

    public ChannelShuffle(int group) {
        if (group < 1) {
            throw new IllegalArgumentException("ChannelShuffle group must be >= 1, got " + group);
        }
        this.group = group;
    }

    /** Reads the native op's attributes. */
    public static ChannelShuffle fromOnnx(Attributes attributes) {
        attributes.requireOnly("ChannelShuffle", "group");
        if (!attributes.has("group")) {
            throw new IllegalArgumentException("ChannelShuffle needs the attribute 'group'");
        }
        return new ChannelShuffle(attributes.getInt("group", 1));
    }

    public int group() {
        return group;
    }

    @Override
    public String opType() {
        return "ChannelShuffle";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("group", (long) group).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "X");
        Shape s = x.shape();
        if (s.rank() < 2) {
            throw new IllegalArgumentException("ChannelShuffle needs an input [N, C, ...] of rank >= 2, found " + s);
        }
        if (s.dim(1) % group != 0) {
            throw new IllegalArgumentException("ChannelShuffle with group " + group + " needs the channel count "
                    + "to be a multiple of it; input " + s + " has " + s.dim(1) + " channels");
        }
        return List.of(ValueInfo.of(x.type(), s));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        Shape s = x.shape();
        int batch = s.dim(0);
        int channels = s.dim(1);
        int perGroup = channels / group;
        int plane = s.sizeBetween(2, s.rank());
        for (int n = 0; n < batch; n++) {
            int base = n * channels * plane;
            for (int c = 0; c < channels; c++) {
                int source = (c % group) * perGroup + c / group;
                ElementCopy.copy(x, base + source * plane, y, base + c * plane, plane);
            }
        }
    }

    /** {@code dX[source(c)] += dY[c]} plane by plane, the forward's copies reversed. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null || dx.type() != DataType.FLOAT) {
            return;
        }
        Shape s = dx.shape();
        int batch = s.dim(0);
        int channels = s.dim(1);
        int perGroup = channels / group;
        int plane = s.sizeBetween(2, s.rank());
        for (int n = 0; n < batch; n++) {
            int base = n * channels * plane;
            for (int c = 0; c < channels; c++) {
                int source = (c % group) * perGroup + c / group;
                ElementCopy.accumulate(dy, base + c * plane, dx, base + source * plane, plane);
            }
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelShuffle other && other.group == group;
    }

    @Override
    public int hashCode() {
        return 31 * ChannelShuffle.class.hashCode() + group;
    }

    @Override
    public String toString() {
        return "ChannelShuffle(group=" + group + ")";
    }
}
