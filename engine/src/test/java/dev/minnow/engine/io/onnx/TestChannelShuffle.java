package dev.minnow.engine.io.onnx;

import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.OpChecks;
import dev.minnow.engine.op.OpRegistry;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Test-only stand-in for the native ChannelShuffle op (written elsewhere): same op type, domain
 * and attribute, so the writer's lowering can be tested without depending on it. Never
 * registered. {@code y[n, c' * g + i] = x[n, i * (C/g) + c']} (ShuffleNet, Zhang et al. 2018).
 */
final class TestChannelShuffle implements Op {
    private final long group;

    TestChannelShuffle(long group) {
        this.group = group;
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
        return Attributes.builder().set("group", group).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "X");
        return List.of(ValueInfo.of(x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        int n = x.shape().dim(0);
        int c = x.shape().dim(1);
        int hw = x.shape().dim(2) * x.shape().dim(3);
        int perGroup = c / (int) group;
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < group; i++) {
                for (int k = 0; k < perGroup; k++) {
                    int src = (b * c + i * perGroup + k) * hw;
                    int dst = (b * c + k * (int) group + i) * hw;
                    System.arraycopy(x.data(), x.offset() + src, y.data(), y.offset() + dst, hw);
                }
            }
        }
    }
}
