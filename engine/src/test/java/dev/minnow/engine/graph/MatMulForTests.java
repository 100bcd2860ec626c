package dev.minnow.engine.graph;

import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * A test-only {@code Y = X W (+ B)} over 2-D float tensors (inputs after B are ignored, so tests
 * can attach integer initializers), with the MAC count of a dense layer
 * ({@code N * K * M}), so graph-level code can be tested before the real MatMul/Gemm exist.
 */
final class MatMulForTests implements Op {

    @Override
    public String opType() {
        return "TestMatMul";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        Shape x = inputs.get(0).shape();
        Shape w = inputs.get(1).shape();
        if (x.rank() != 2 || w.rank() != 2 || x.dim(1) != w.dim(0)) {
            throw new IllegalArgumentException("expected X [N, K] and W [K, M], got " + x + " and " + w);
        }
        return List.of(ValueInfo.of(Shape.of(x.dim(0), w.dim(1))));
    }

    @Override
    public void forward(Tensor[] in, Tensor[] out, ExecutionContext ctx) {
        Tensor x = in[0];
        Tensor w = in[1];
        Tensor b = in.length > 2 ? in[2] : null; // inputs after the bias are ignored
        int n = x.shape().dim(0);
        int k = x.shape().dim(1);
        int m = w.shape().dim(1);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                float s = b == null ? 0 : b.get(j);
                for (int p = 0; p < k; p++) {
                    s += x.get(i * k + p) * w.get(p * m + j);
                }
                out[0].data()[out[0].offset() + i * m + j] = s;
            }
        }
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        return (long) inputs.get(0).shape().dim(0) * inputs.get(0).shape().dim(1) * outputs.get(0).shape().dim(1);
    }
}
