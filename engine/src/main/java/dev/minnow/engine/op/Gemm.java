package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * General matrix multiplication, the fully-connected layer of ONNX:
 * <pre>
 *   Y = alpha * op(A) * op(B) + beta * C          op(A) [M, K], op(B) [K, N], Y [M, N]
 *   op(A) = transA ? A^T : A,   op(B) = transB ? B^T : B
 * </pre>
 * {@code C} is optional and broadcast to {@code [M, N]} in one direction: a scalar, {@code [N]},
 * {@code [1, N]}, {@code [M, 1]}, {@code [M, N]} (or any of those with 1 for M or N). A PyTorch
 * {@code nn.Linear} exports as {@code Gemm(X, W, b)} with {@code transB = 1}, since it stores
 * {@code W} as {@code [out_features, in_features]} ({@link #linear()}).
 *
 * <p><b>Backward</b>, from {@code dY = dL/dY [M, N]}:
 * <pre>
 *   dL/dop(A) = alpha * dY * op(B)^T        dL/dop(B) = alpha * op(A)^T * dY
 *   dL/dA = transA ? (dL/dop(A))^T = alpha * op(B) * dY^T : dL/dop(A)
 *   dL/dB = transB ? (dL/dop(B))^T = alpha * dY^T * op(A) : dL/dop(B)
 *   dL/dC = beta * dY summed over the axes along which C was broadcast
 * </pre>
 * each one product on the blocked GEMM ({@link dev.minnow.engine.kernel.Gemm#sgemm}) that accumulates
 * into the gradient.
 *
 * <p><b>Fused activation</b> (inference only). {@code Gemm(...).withActivation(act)} computes
 * {@code act(Y)} in the same op, an optimisation the fusion pass makes for a fully-connected layer
 * followed by ReLU, ReLU6 or LeakyReLU: one node and one intermediate buffer fewer, and the
 * activation runs while Y is still in cache. Such an op is called FusedGemm, lives in Minnow's
 * domain, has no backward pass, and exports to ONNX as a Gemm followed by the activation node.
 *
 * <p>Cost: {@code macs = M * N * K}.
 */
public final class Gemm implements Op {
    private final float alpha;
    private final float beta;
    private final boolean transA;
    private final boolean transB;
    private final Activation activation;

    public Gemm(float alpha, float beta, boolean transA, boolean transB) {
        this(alpha, beta, transA, transB, null);
    }

    /** A Gemm whose output goes through {@code activation} ({@code null}: none), a FusedGemm. */
    public Gemm(float alpha, float beta, boolean transA, boolean transB, Activation activation) {
        this.alpha = alpha;
        this.beta = beta;
        this.transA = transA;
        this.transB = transB;
        this.activation = activation;
    }

    /** {@code Y = A * B + C}. */
    public Gemm() {
        this(1f, 1f, false, false);
    }

    /** {@code Y = X * W^T + b}: a fully-connected layer with PyTorch's weight layout {@code W [out, in]}. */
    public static Gemm linear() {
        return new Gemm(1f, 1f, false, true);
    }

    /**
     * Reads {@code alpha, beta, transA, transB}; for opsets before 7 also {@code broadcast}, which only
     * said whether C may be broadcast (a model with {@code broadcast = 0} has a full C anyway).
     */
    public static Gemm fromOnnx(Attributes a, int opset) {
        if (opset < 7) {
            a.requireOnly("Gemm", "alpha", "beta", "broadcast", "transA", "transB");
        } else {
            a.requireOnly("Gemm", "alpha", "beta", "transA", "transB");
        }
        return new Gemm(a.getFloat("alpha", 1f), a.getFloat("beta", 1f), a.getLong("transA", 0) != 0,
                a.getLong("transB", 0) != 0);
    }

    /** A FusedGemm as Minnow's native format stores it: Gemm's attributes plus the activation. */
    public static Gemm fromOnnxFused(Attributes a) {
        a.requireOnly("FusedGemm", "alpha", "beta", "transA", "transB", "activation", "activation_params");
        return new Gemm(a.getFloat("alpha", 1f), a.getFloat("beta", 1f), a.getLong("transA", 0) != 0,
                a.getLong("transB", 0) != 0, Activation.fromAttributes(a, "FusedGemm"));
    }

    /** This Gemm with an activation fused into its output. */
    public Gemm withActivation(Activation act) {
        return new Gemm(alpha, beta, transA, transB, act);
    }

    /** This Gemm without its fused activation: what ONNX export writes before the activation node. */
    public Gemm withoutActivation() {
        return new Gemm(alpha, beta, transA, transB, null);
    }

    /** The fused activation, or null. */
    public Activation activation() {
        return activation;
    }

    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }

    public boolean transA() {
        return transA;
    }

    public boolean transB() {
        return transB;
    }

    @Override
    public String opType() {
        return activation == null ? "Gemm" : "FusedGemm";
    }

    @Override
    public String domain() {
        return activation == null ? "" : OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        if (alpha != 1f) {
            b.set("alpha", alpha);
        }
        if (beta != 1f) {
            b.set("beta", beta);
        }
        if (transA) {
            b.set("transA", 1L);
        }
        if (transB) {
            b.set("transB", 1L);
        }
        if (activation != null) {
            activation.exportTo(b);
        }
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 3);
        ValueInfo a = OpChecks.require(inputs, 0, "A");
        ValueInfo b = OpChecks.require(inputs, 1, "B");
        ValueInfo c = OpChecks.optional(inputs, 2);
        OpChecks.requireType(a, DataType.FLOAT, "A");
        OpChecks.requireType(b, DataType.FLOAT, "B");
        OpChecks.requireRank(a, 2, "A");
        OpChecks.requireRank(b, 2, "B");
        int m = a.shape().dim(transA ? 1 : 0);
        int k = a.shape().dim(transA ? 0 : 1);
        int kb = b.shape().dim(transB ? 1 : 0);
        int n = b.shape().dim(transB ? 0 : 1);
        if (k != kb) {
            throw new IllegalArgumentException("A " + a.shape() + " with transA = " + (transA ? 1 : 0) + " is M x K = "
                    + m + " x " + k + " but B " + b.shape() + " with transB = " + (transB ? 1 : 0) + " is K x N = "
                    + kb + " x " + n + " (K differs)");
        }
        if (c != null) {
            OpChecks.requireType(c, DataType.FLOAT, "C");
            Shape cs = c.shape();
            boolean fits = cs.rank() <= 2
                    && (cs.rank() < 1 || cs.dim(-1) == 1 || cs.dim(-1) == n)
                    && (cs.rank() < 2 || cs.dim(0) == 1 || cs.dim(0) == m);
            if (!fits) {
                throw new IllegalArgumentException("C " + cs + " cannot be broadcast to Y [" + m + ", " + n
                        + "] (expected a scalar, [N], [1, N], [M, 1] or [M, N])");
            }
        }
        return List.of(ValueInfo.of(Shape.of(m, n)));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor c = inputs.length > 2 ? inputs[2] : null;
        Tensor y = outputs[0];
        int m = y.shape().dim(0);
        int n = y.shape().dim(1);
        int k = a.shape().dim(transA ? 0 : 1);
        float[] yd = y.data();
        int yo = y.offset();
        boolean addC = c != null && beta != 0f;
        if (addC) {
            // Y = C broadcast to [M, N]; the kernel then computes alpha*A*B + beta*Y
            Shape cs = c.shape();
            int colStride = cs.rank() >= 1 && cs.dim(-1) == n && n != 1 ? 1 : 0;
            int rowStride = cs.rank() == 2 && cs.dim(0) == m && m != 1 ? cs.dim(1) : 0;
            float[] cd = c.data();
            int co = c.offset();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    yd[yo + i * n + j] = cd[co + i * rowStride + j * colStride];
                }
            }
        }
        dev.minnow.engine.kernel.Gemm.sgemm(transA, transB, m, n, k, alpha, a.data(), a.offset(), a.shape().dim(1),
                b.data(), b.offset(), b.shape().dim(1), addC ? beta : 0f, yd, yo, n, ctx.threads());
        if (activation != null) {
            activation.apply(yd, yo, m * n, ctx.threads());
        }
    }

    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        if (dy == null) {
            return;
        }
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor c = inputs.length > 2 ? inputs[2] : null;
        Tensor da = inputGrads[0];
        Tensor db = inputGrads[1];
        Tensor dc = inputGrads.length > 2 ? inputGrads[2] : null;
        int m = dy.shape().dim(0);
        int n = dy.shape().dim(1);
        int k = a.shape().dim(transA ? 0 : 1);
        int lda = a.shape().dim(1);
        int ldb = b.shape().dim(1);
        float[] g = dy.data();
        int go = dy.offset();
        int threads = ctx.threads();
        if (da != null) {
            if (transA) {   // dA [K, M] = alpha * op(B) [K, N] * dY^T [N, M]
                dev.minnow.engine.kernel.Gemm.sgemm(transB, true, k, m, n, alpha, b.data(), b.offset(), ldb, g, go, n,
                        1f, da.data(), da.offset(), m, threads);
            } else {        // dA [M, K] = alpha * dY [M, N] * op(B)^T [N, K]
                dev.minnow.engine.kernel.Gemm.sgemm(false, !transB, m, k, n, alpha, g, go, n, b.data(), b.offset(),
                        ldb, 1f, da.data(), da.offset(), k, threads);
            }
        }
        if (db != null) {
            if (transB) {   // dB [N, K] = alpha * dY^T [N, M] * op(A) [M, K]
                dev.minnow.engine.kernel.Gemm.sgemm(true, transA, n, k, m, alpha, g, go, n, a.data(), a.offset(), lda,
                        1f, db.data(), db.offset(), k, threads);
            } else {        // dB [K, N] = alpha * op(A)^T [K, M] * dY [M, N]
                dev.minnow.engine.kernel.Gemm.sgemm(!transA, false, k, n, m, alpha, a.data(), a.offset(), lda, g, go,
                        n, 1f, db.data(), db.offset(), n, threads);
            }
        }
        if (dc != null && c != null && beta != 0f) {
            // the forward read C[i * rowStride + j * colStride]; a stride of 0 means a broadcast axis,
            // whose gradient is the sum over it
            Shape cs = c.shape();
            int colStride = cs.rank() >= 1 && cs.dim(-1) == n && n != 1 ? 1 : 0;
            int rowStride = cs.rank() == 2 && cs.dim(0) == m && m != 1 ? cs.dim(1) : 0;
            float[] cd = dc.data();
            int co = dc.offset();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    cd[co + i * rowStride + j * colStride] += beta * g[go + i * n + j];
                }
            }
        }
    }

    @Override
    public boolean hasBackward() {
        return activation == null;   // fused activations exist only in inference graphs
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        Shape as = inputs.get(0).shape();
        return (long) outputs.get(0).shape().size() * as.dim(transA ? 0 : 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Gemm g && Float.compare(g.alpha, alpha) == 0 && Float.compare(g.beta, beta) == 0
                && g.transA == transA && g.transB == transB && Objects.equals(g.activation, activation);
    }

    @Override
    public int hashCode() {
        return Objects.hash(alpha, beta, transA, transB, activation);
    }

    @Override
    public String toString() {
        return opType() + attributes();
    }
}
