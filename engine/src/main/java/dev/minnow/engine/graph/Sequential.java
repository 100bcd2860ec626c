package dev.minnow.engine.graph;

import dev.minnow.engine.tensor.Shape;

/**
 * A chain of layers, each feeding the next: the shorthand for networks without branches.
 * <pre>{@code
 * Graph lenet5 = Sequential.create("lenet5", 42, 1, 28, 28)
 *         .conv(ConvSpec.of(20, 5)).maxPool(2, 2)
 *         .conv(ConvSpec.of(50, 5)).maxPool(2, 2)
 *         .flatten().dense(500).relu().dense(10)
 *         .build();
 * }</pre>
 * The input is called {@code input} and has a dynamic batch dimension. For branches (Inception,
 * ResNet) use {@link ModelBuilder} directly; {@link #builder()} and {@link #current()} give access
 * to it mid-chain.
 */
public final class Sequential {
    private final ModelBuilder builder;
    private String current;

    private Sequential(ModelBuilder builder, String input) {
        this.builder = builder;
        this.current = input;
    }

    /** A chain on inputs of shape {@code [N, dims...]}, weights drawn from {@code seed}. */
    public static Sequential create(String name, long seed, int... dimsWithoutBatch) {
        ModelBuilder b = new ModelBuilder(name, seed);
        int[] dims = new int[dimsWithoutBatch.length + 1];
        dims[0] = Shape.UNKNOWN;
        System.arraycopy(dimsWithoutBatch, 0, dims, 1, dimsWithoutBatch.length);
        return new Sequential(b, b.input("input", dims));
    }

    public ModelBuilder builder() {
        return builder;
    }

    /** The name of the chain's current output tensor. */
    public String current() {
        return current;
    }

    /** Continues the chain from another tensor (after using {@link #builder()} for a branch). */
    public Sequential from(String tensor) {
        builder.shape(tensor);
        current = tensor;
        return this;
    }

    public Sequential conv(ConvSpec spec) {
        current = builder.conv(current, spec);
        return this;
    }

    public Sequential conv(int out, int kernel, int stride, int pad) {
        current = builder.conv(current, out, kernel, stride, pad);
        return this;
    }

    public Sequential dense(int out) {
        current = builder.dense(current, out);
        return this;
    }

    public Sequential batchNorm() {
        current = builder.batchNorm(current);
        return this;
    }

    public Sequential relu() {
        current = builder.relu(current);
        return this;
    }

    public Sequential relu6() {
        current = builder.relu6(current);
        return this;
    }

    public Sequential maxPool(int kernel, int stride) {
        current = builder.maxPool(current, kernel, stride);
        return this;
    }

    public Sequential avgPool(int kernel, int stride, int pad) {
        current = builder.avgPool(current, kernel, stride, pad);
        return this;
    }

    public Sequential globalAvgPool() {
        current = builder.globalAvgPool(current);
        return this;
    }

    public Sequential lrn(int size, float alpha, float beta, float bias) {
        current = builder.lrn(current, size, alpha, beta, bias);
        return this;
    }

    public Sequential flatten() {
        current = builder.flatten(current);
        return this;
    }

    public Sequential dropout(float ratio) {
        current = builder.dropout(current, ratio);
        return this;
    }

    public Sequential channelShuffle(int groups) {
        current = builder.channelShuffle(current, groups);
        return this;
    }

    public Sequential softmax() {
        current = builder.softmax(current);
        return this;
    }

    /** Ends the chain: its current tensor becomes the graph output. */
    public Graph build() {
        return builder.output(current).build();
    }
}
