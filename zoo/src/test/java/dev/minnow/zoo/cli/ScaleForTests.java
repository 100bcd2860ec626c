package dev.minnow.zoo.cli;

import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/** Test-only {@code y[n, j] = x[n, j] * w[0, j]} for x [N, K] and w [1, K], counting one MAC per output. */
final class ScaleForTests implements Op {

    @Override
    public String opType() {
        return "TestScale";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        if (!inputs.get(0).shape().withDim(0, 1).equals(inputs.get(1).shape())) {
            throw new IllegalArgumentException("x and w differ: " + inputs.get(0) + " vs " + inputs.get(1));
        }
        return List.of(ValueInfo.of(inputs.get(0).shape()));
    }

    @Override
    public void forward(Tensor[] in, Tensor[] out, ExecutionContext ctx) {
        for (int i = 0; i < out[0].size(); i++) {
            out[0].data()[out[0].offset() + i] = in[0].get(i) * in[1].get(i % in[1].size());
        }
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        return outputs.get(0).shape().size();
    }
}
