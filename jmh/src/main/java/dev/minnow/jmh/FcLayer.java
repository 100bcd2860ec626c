package dev.minnow.jmh;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.tensor.Shape;

/**
 * The fully connected layers of the sparse-inference benchmarks, {@code inputs x outputs}: a
 * one-node model {@code y = x W^T + b} (Gemm with transB, PyTorch's Linear) with weights from a
 * fixed seed. {@code MACs = batch * inputs * outputs} dense.
 */
public enum FcLayer {
    /** LeNet-300-100's first layer. */
    FC_784X300(784, 300),
    /** LeNet-300-100's second layer. */
    FC_300X100(300, 100),
    /** AlexNet's fc6. */
    FC_9216X4096(9216, 4096),
    /** AlexNet's fc7. */
    FC_4096X4096(4096, 4096),
    /** AlexNet's fc8. */
    FC_4096X1000(4096, 1000);

    private final int inputs;
    private final int outputs;

    FcLayer(int inputs, int outputs) {
        this.inputs = inputs;
        this.outputs = outputs;
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return outputs;
    }

    /** For tables, e.g. {@code 9216x4096}. */
    public String description() {
        return inputs + "x" + outputs;
    }

    /** The one-node model, input {@code x [N, inputs]}, seed 42. */
    public Graph graph() {
        ModelBuilder b = new ModelBuilder("fc_" + description(), 42);
        String x = b.input("x", Shape.UNKNOWN, inputs);
        return b.output(b.dense(x, outputs, "fc")).build();
    }

    /** {@code [batch, inputs]}. */
    public Shape inputShape(int batch) {
        return Shape.of(batch, inputs);
    }
}
