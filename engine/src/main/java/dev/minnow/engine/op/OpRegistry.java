package dev.minnow.engine.op;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Creates ops from their ONNX op type and attributes. Every op Minnow implements is listed here
 * with the factory that reads its attributes; the ONNX reader and the native model format both
 * go through it.
 *
 * <p>Factories receive the opset version of the model so they can accept attribute forms of
 * older opsets. (Forms that move an attribute to an input, such as {@code Clip}'s min and max
 * before opset 11, are rewritten by the ONNX reader into the opset-13 form before they get here.)
 */
public final class OpRegistry {

    /** Builds an op from its attributes, for a model of the given opset version. */
    @FunctionalInterface
    public interface Factory {
        Op create(Attributes attributes, int opset);
    }

    /** Domain of Minnow's own ops (e.g. ChannelShuffle). */
    public static final String NATIVE_DOMAIN = "dev.minnow";

    private static final Map<String, Factory> STANDARD = new TreeMap<>();
    private static final Map<String, Factory> NATIVE = new TreeMap<>();

    static {
        STANDARD.put("Add", Add::fromOnnx);
        STANDARD.put("AveragePool", (a, v) -> AveragePool.fromOnnx(a));
        STANDARD.put("BatchNormalization", BatchNormalization::fromOnnx);
        STANDARD.put("Cast", (a, v) -> Cast.fromOnnx(a));
        STANDARD.put("Clip", (a, v) -> Clip.fromOnnx(a));
        STANDARD.put("Concat", (a, v) -> Concat.fromOnnx(a));
        STANDARD.put("Constant", (a, v) -> Constant.fromOnnx(a));
        STANDARD.put("ConstantOfShape", (a, v) -> ConstantOfShape.fromOnnx(a));
        STANDARD.put("Conv", (a, v) -> Conv.fromOnnx(a));
        STANDARD.put("ConvInteger", (a, v) -> ConvInteger.fromOnnx(a));
        STANDARD.put("DequantizeLinear", (a, v) -> DequantizeLinear.fromOnnx(a));
        STANDARD.put("Div", Div::fromOnnx);
        STANDARD.put("Dropout", Dropout::fromOnnx);
        STANDARD.put("DynamicQuantizeLinear", (a, v) -> DynamicQuantizeLinear.fromOnnx(a));
        STANDARD.put("Expand", (a, v) -> Expand.fromOnnx(a));
        STANDARD.put("Flatten", (a, v) -> Flatten.fromOnnx(a));
        STANDARD.put("Gather", (a, v) -> Gather.fromOnnx(a));
        STANDARD.put("Gemm", Gemm::fromOnnx);
        STANDARD.put("GlobalAveragePool", (a, v) -> GlobalAveragePool.fromOnnx(a));
        STANDARD.put("GlobalMaxPool", (a, v) -> GlobalMaxPool.fromOnnx(a));
        STANDARD.put("Identity", (a, v) -> Identity.fromOnnx(a));
        STANDARD.put("LRN", (a, v) -> Lrn.fromOnnx(a));
        STANDARD.put("LeakyRelu", (a, v) -> LeakyRelu.fromOnnx(a));
        STANDARD.put("LogSoftmax", LogSoftmax::fromOnnx);
        STANDARD.put("MatMul", (a, v) -> MatMul.fromOnnx(a));
        STANDARD.put("MatMulInteger", (a, v) -> MatMulInteger.fromOnnx(a));
        STANDARD.put("MaxPool", (a, v) -> MaxPool.fromOnnx(a));
        STANDARD.put("Mul", Mul::fromOnnx);
        STANDARD.put("Pad", (a, v) -> Pad.fromOnnx(a));
        STANDARD.put("QLinearConv", (a, v) -> QLinearConv.fromOnnx(a));
        STANDARD.put("QLinearMatMul", (a, v) -> QLinearMatMul.fromOnnx(a));
        STANDARD.put("QuantizeLinear", (a, v) -> QuantizeLinear.fromOnnx(a));
        STANDARD.put("Relu", (a, v) -> Relu.fromOnnx(a));
        STANDARD.put("ReduceMean", (a, v) -> ReduceMean.fromOnnx(a));
        STANDARD.put("Reshape", (a, v) -> Reshape.fromOnnx(a));
        STANDARD.put("Shape", (a, v) -> ShapeOf.fromOnnx(a));
        STANDARD.put("Sigmoid", (a, v) -> Sigmoid.fromOnnx(a));
        STANDARD.put("Slice", (a, v) -> Slice.fromOnnx(a));
        STANDARD.put("Softmax", Softmax::fromOnnx);
        STANDARD.put("Split", (a, v) -> Split.fromOnnx(a));
        STANDARD.put("Squeeze", (a, v) -> Squeeze.fromOnnx(a));
        STANDARD.put("Sub", Sub::fromOnnx);
        STANDARD.put("Tanh", (a, v) -> Tanh.fromOnnx(a));
        STANDARD.put("Transpose", (a, v) -> Transpose.fromOnnx(a));
        STANDARD.put("Unsqueeze", (a, v) -> Unsqueeze.fromOnnx(a));

        NATIVE.put("ChannelShuffle", (a, v) -> ChannelShuffle.fromOnnx(a));
        NATIVE.put("FusedAdd", (a, v) -> Add.fromOnnxFused(a));
        NATIVE.put("FusedConv", (a, v) -> Conv.fromOnnxFused(a));
        NATIVE.put("FusedGemm", (a, v) -> Gemm.fromOnnxFused(a));
        NATIVE.put("FakeQuantize", (a, v) -> FakeQuantize.fromOnnx(a));
        NATIVE.put("QGemm", (a, v) -> QGemm.fromOnnx(a));
        NATIVE.put("QLinearAdd", (a, v) -> QLinearAdd.fromOnnx(a));
        NATIVE.put("QLinearAveragePool", (a, v) -> QLinearAveragePool.fromOnnx(a));
        NATIVE.put("QLinearConcat", (a, v) -> QLinearConcat.fromOnnx(a));
        NATIVE.put("QLinearGlobalAveragePool", (a, v) -> QLinearGlobalAveragePool.fromOnnx(a));
        NATIVE.put("DequantizeLowBit", (a, v) -> DequantizeLowBit.fromOnnx(a));
        NATIVE.put("XnorConv", (a, v) -> XnorConv.fromOnnx(a));
        NATIVE.put("XnorGemm", (a, v) -> XnorGemm.fromOnnx(a));
    }

    private OpRegistry() {
    }

    /**
     * Adds or replaces the factory of an op: the extension point for ops defined outside this
     * class (tests, plug-ins). {@code domain} is {@code ""} (or {@code "ai.onnx"}) for standard
     * ops or {@link #NATIVE_DOMAIN}; other domains are refused.
     */
    public static synchronized void register(String domain, String opType, Factory factory) {
        Map<String, Factory> t = table(domain);
        if (t == null) {
            throw new IllegalArgumentException("cannot register op " + opType + ": domain '" + domain
                    + "' is neither the standard domain nor '" + NATIVE_DOMAIN + "'");
        }
        if (opType == null || opType.isEmpty() || factory == null) {
            throw new IllegalArgumentException("an op registration needs an op type and a factory");
        }
        t.put(opType, factory);
    }

    /** True when {@code opType} in {@code domain} ("" or "ai.onnx" for standard ops) is implemented. */
    public static boolean supports(String domain, String opType) {
        return table(domain) != null && table(domain).containsKey(opType);
    }

    /**
     * Creates an op.
     *
     * @throws UnsupportedOperationException naming the op and domain when Minnow lacks it
     * @throws IllegalArgumentException when an attribute is malformed or unsupported
     */
    public static Op create(String domain, String opType, Attributes attributes, int opset) {
        Map<String, Factory> t = table(domain);
        Factory f = t == null ? null : t.get(opType);
        if (f == null) {
            throw new UnsupportedOperationException("op " + opType
                    + (domain == null || domain.isEmpty() ? "" : " in domain '" + domain + "'")
                    + " is not supported by Minnow");
        }
        return f.create(attributes, opset);
    }

    /** The standard ONNX op types Minnow implements, sorted. */
    public static Set<String> standardOps() {
        return java.util.Collections.unmodifiableSet(STANDARD.keySet());
    }

    /** The native op types, sorted. */
    public static Set<String> nativeOps() {
        return java.util.Collections.unmodifiableSet(NATIVE.keySet());
    }

    private static Map<String, Factory> table(String domain) {
        if (domain == null || domain.isEmpty() || domain.equals("ai.onnx")) {
            return STANDARD;
        }
        return domain.equals(NATIVE_DOMAIN) ? NATIVE : null;
    }
}
