package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ElementwiseKernels;

/**
 * An activation fused into the op that produces its input (a "FusedConv" or "FusedGemm"): applied
 * to each result as it is written, it saves a full pass over memory and an intermediate buffer.
 * ReLU and Clip (ReLU6) are clamps, which the convolution's GEMM applies in its final write;
 * LeakyReLU (and any activation of a FusedGemm) is applied right after, while the output is still
 * in cache.
 *
 * @param kind  {@code "Relu"}, {@code "Clip"} or {@code "LeakyRelu"}, the ONNX op it replaces
 * @param lo    lower clamp bound (Relu: 0)
 * @param hi    upper clamp bound (Relu: +inf; ReLU6: 6)
 * @param alpha LeakyReLU's slope for negative inputs
 */
public record Activation(String kind, float lo, float hi, float alpha) {

    public Activation {
        if (!kind.equals("Relu") && !kind.equals("Clip") && !kind.equals("LeakyRelu")) {
            throw new IllegalArgumentException("fused activation must be Relu, Clip or LeakyRelu, got " + kind);
        }
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("fused " + kind + " has lo " + lo + " above hi " + hi);
        }
    }

    public static Activation relu() {
        return new Activation("Relu", 0f, Float.POSITIVE_INFINITY, 0f);
    }

    public static Activation clip(float lo, float hi) {
        return new Activation("Clip", lo, hi, 0f);
    }

    public static Activation leakyRelu(float alpha) {
        return new Activation("LeakyRelu", Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, alpha);
    }

    /** True for the activations a GEMM can apply as a clamp in its final write. */
    public boolean isClamp() {
        return !kind.equals("LeakyRelu");
    }

    /** Applies the activation in place to {@code n} values. */
    public void apply(float[] y, int off, int n, int threads) {
        if (isClamp()) {
            ElementwiseKernels.clamp(y, off, y, off, n, lo, hi, threads);
        } else {
            for (int i = 0; i < n; i++) {
                float v = y[off + i];
                y[off + i] = v < 0f ? alpha * v : v;
            }
        }
    }

    /** The attributes a FusedConv or FusedGemm exports: {@code activation} and {@code activation_params}. */
    void exportTo(Attributes.Builder b) {
        b.set("activation", kind);
        b.set("activation_params", kind.equals("LeakyRelu") ? new float[] {alpha} : new float[] {lo, hi});
    }

    /** Reads {@link #exportTo}'s attributes back; {@code opType} names the fused op in messages. */
    static Activation fromAttributes(Attributes a, String opType) {
        String kind = a.getString("activation", null);
        if (kind == null) {
            throw new IllegalArgumentException(opType + " needs an 'activation' attribute");
        }
        float[] p = a.getFloats("activation_params", new float[0]);
        return switch (kind) {
            case "Relu" -> relu();
            case "Clip" -> {
                if (p.length != 2) {
                    throw new IllegalArgumentException(opType + " Clip needs activation_params [min, max], got "
                            + java.util.Arrays.toString(p));
                }
                yield clip(p[0], p[1]);
            }
            case "LeakyRelu" -> {
                if (p.length != 1) {
                    throw new IllegalArgumentException(opType + " LeakyRelu needs activation_params [alpha], got "
                            + java.util.Arrays.toString(p));
                }
                yield leakyRelu(p[0]);
            }
            default -> throw new IllegalArgumentException(opType + " activation '" + kind
                    + "' is not supported (Relu, Clip, LeakyRelu)");
        };
    }
}
