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
 * Test-only op in Minnow's native domain: {@code y = x + scale} where {@code scale} is its float
 * attribute (0 when absent), carrying any other attributes unchanged so that export and import
 * of every attribute kind can be checked. Registered under a name no real op uses.
 */
final class AttributeCarrier implements Op {
    static final String OP_TYPE = "TestAttributeCarrier";

    private final Attributes attributes;

    AttributeCarrier(Attributes attributes) {
        this.attributes = attributes;
    }

    /** Registers the op (idempotent). */
    static void register() {
        OpRegistry.register(OpRegistry.NATIVE_DOMAIN, OP_TYPE, (a, opset) -> new AttributeCarrier(a));
    }

    @Override
    public String opType() {
        return OP_TYPE;
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        return attributes;
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.require(inputs, 0, "X");
        return List.of(ValueInfo.of(x.type(), x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        float scale = attributes.has("scale") ? attributes.getFloat("scale", 0f) : 0f;
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        for (int i = 0; i < x.size(); i++) {
            y.data()[y.offset() + i] = x.data()[x.offset() + i] + scale;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttributeCarrier other && other.attributes.equals(attributes);
    }

    @Override
    public int hashCode() {
        return attributes.hashCode();
    }

    @Override
    public String toString() {
        return OP_TYPE + attributes;
    }
}
