package dev.minnow.jmh;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.tensor.Shape;
import java.util.Arrays;

/**
 * A one-node convolution named on the command line, {@code conv:IN,OUT,SIZE,K,STRIDE,GROUPS,DILATION,BATCH}
 * ("same" padding, {@code dilation * (k / 2)}; random weights, seed 42): a subject of
 * {@link Interleaved} and of {@code peers.VersusOrt}, for layer shapes the {@link ConvLayer} table
 * does not list (MobileNet-V2's stride-2 depthwise layers, say).
 *
 * @param graph the model
 * @param shape its input shape
 * @param macs  multiply-adds per run
 */
public record ConvSubject(Graph graph, Shape shape, long macs) {
    /** The prefix that marks a subject as a convolution. */
    public static final String PREFIX = "conv:";

    /** Parses {@code conv:IN,OUT,SIZE,K,STRIDE,GROUPS,DILATION,BATCH}. */
    public static ConvSubject parse(String subject) {
        int[] f;
        try {
            f = Arrays.stream(subject.substring(PREFIX.length()).split(",")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            f = new int[0];
        }
        if (!subject.startsWith(PREFIX) || f.length != 8) {
            throw new IllegalArgumentException("a conv subject is conv:IN,OUT,SIZE,K,STRIDE,GROUPS,DILATION,BATCH "
                    + "(8 integers), not " + subject);
        }
        int cin = f[0], cout = f[1], size = f[2], k = f[3], stride = f[4], groups = f[5], dil = f[6], batch = f[7];
        ModelBuilder b = new ModelBuilder("conv", 42);
        String x = b.input("x", batch, cin, size, size);
        Graph graph = b.output(b.conv(x, ConvSpec.of(cout, k).withPad(dil * (k / 2)).withDilation(dil)
                .withStride(stride).withGroups(groups).named("conv"))).build();
        int out = (size - 1) / stride + 1;
        long macs = (long) batch * cout * out * out * (cin / groups) * k * k;
        return new ConvSubject(graph, Shape.of(batch, cin, size, size), macs);
    }
}
