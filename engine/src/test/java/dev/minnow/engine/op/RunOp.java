package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one op outside a plan, the way a plan would: infer the outputs, allocate them, call
 * forward. Float inputs and outputs are placed at an offset inside a longer array, so a kernel
 * that forgets {@link Tensor#offset()} fails.
 */
final class RunOp {
    private RunOp() {
    }

    /** Runs {@code op} with every input known when planning (constants); null inputs are absent. */
    static Tensor[] outputs(Op op, Tensor... inputs) {
        List<ValueInfo> infos = new ArrayList<>();
        for (Tensor t : inputs) {
            infos.add(t == null ? null : ValueInfo.constant(t));
        }
        return run(op, infos, inputs);
    }

    /** The first output. */
    static Tensor output(Op op, Tensor... inputs) {
        return outputs(op, inputs)[0];
    }

    /** Runs {@code op} with input 0 known only at run time and the others constant, as in a graph. */
    static Tensor[] withRuntimeData(Op op, Tensor... inputs) {
        List<ValueInfo> infos = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            infos.add(t == null ? null : i == 0 ? ValueInfo.of(t.type(), t.shape()) : ValueInfo.constant(t));
        }
        return run(op, infos, inputs);
    }

    private static Tensor[] run(Op op, List<ValueInfo> infos, Tensor[] inputs) {
        List<ValueInfo> outs = op.inferOutputs(infos);
        Tensor[] in = new Tensor[inputs.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = shifted(inputs[i]);
        }
        Tensor[] out = new Tensor[outs.size()];
        for (int o = 0; o < out.length; o++) {
            ValueInfo vi = outs.get(o);
            out[o] = vi.type() == DataType.FLOAT
                    ? Tensor.wrap(vi.shape(), filled(vi.shape().size() + 5, Float.NaN), 5)
                    : Tensor.zeros(vi.shape(), vi.type());
        }
        op.forward(in, out, ExecutionContext.standalone(1));
        return out;
    }

    /** A float tensor's copy at offset 3 of a longer array; other tensors unchanged. */
    private static Tensor shifted(Tensor t) {
        if (t == null || t.type() != DataType.FLOAT) {
            return t;
        }
        float[] data = filled(t.size() + 7, Float.NaN);
        System.arraycopy(t.data(), t.offset(), data, 3, t.size());
        return Tensor.wrap(t.shape(), data, 3);
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
