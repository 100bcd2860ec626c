package dev.minnow.engine.op;

import dev.minnow.engine.kernel.FixedPointMultiplier;
import dev.minnow.engine.kernel.Int8Kernels;
import dev.minnow.engine.kernel.Int8MatrixColumns;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.PackedInt8;
import dev.minnow.engine.kernel.QuantizedGemm;
import dev.minnow.engine.kernel.Requantization;
import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Quantized matrix product (ONNX QLinearMatMul), NumPy {@code matmul} semantics:
 * <pre>
 *   acc[..., i, j] = sum_p (a[..., i, p] - Za[i]) * (b[..., p, j] - Zb[j])
 *   y[..., i, j]   = saturate(Zy + round(acc * Sa[i] * Sb[j] / Sy))
 * </pre>
 * Scales and zero points are per tensor, or per row of a / per column of b. The accumulator is
 * exact int32 and the rescaling a fixed-point multiply ({@link FixedPointMultiplier}), as in
 * {@link QLinearConv}.
 *
 * <p>When {@code b} is a constant matrix (2-D, the weights of an imported fully connected layer)
 * and {@code a}'s scale and zero point are per tensor, {@code b} is transposed and packed once and
 * every row of {@code a}, over all leading dimensions, is a column of the integer GEMM
 * ({@link QuantizedGemm#multiply}; at batch 1 the matrix-vector kernel), exactly as {@link QGemm}
 * runs. Otherwise the reference loops ({@link QuantizedGemm#matmulNaive}) run; both give the same
 * bytes.
 *
 * <p>Inputs: {@code a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point}.
 */
public final class QLinearMatMul implements Op {

    public static QLinearMatMul fromOnnx(Attributes a) {
        a.requireOnly("QLinearMatMul");
        return new QLinearMatMul();
    }

    @Override
    public String opType() {
        return "QLinearMatMul";
    }

    @Override
    public Attributes attributes() {
        return Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 8, 8);
        ValueInfo a = OpChecks.require(inputs, 0, "a");
        ValueInfo b = OpChecks.require(inputs, 3, "b");
        QuantizationInputs.require8Bit(a, "a");
        QuantizationInputs.require8Bit(b, "b");
        int m = a.shape().rank() == 1 ? 1 : a.shape().dim(-2);
        int n = b.shape().rank() == 1 ? 1 : b.shape().dim(-1);
        QLinearConv.checkPair(inputs, 1, 2, "a_scale", "a_zero_point", a.type(), m);
        QLinearConv.checkPair(inputs, 4, 5, "b_scale", "b_zero_point", b.type(), n);
        QLinearConv.checkPair(inputs, 6, 7, "y_scale", "y_zero_point", null, 0);
        return List.of(ValueInfo.of(QuantizationInputs.quantizedType(inputs.get(7)),
                MatMulLayout.outputShape(a.shape(), b.shape())));
    }

    /** {@code b^T} packed and the output stage, made once per plan for a constant {@code b}. */
    private record Packed(Tensor b, Int8Kernels kernels, PackedInt8 weights, Requantization rq,
                          Int8MatrixColumns source) {
    }

    /** Whether the packed path applies: constant 2-D {@code b}, constant parameters, per-tensor {@code a}. */
    private static boolean packable(Tensor[] inputs, ExecutionContext ctx) {
        for (int i = 1; i < inputs.length; i++) {
            if (!ctx.isConstantInput(i)) {
                return false;
            }
        }
        return inputs[3].shape().rank() == 2 && inputs[1].size() == 1 && inputs[2].size() == 1
                && inputs[0].shape().rank() >= 1;
    }

    private static Packed packed(Tensor[] in, DataType outType, ExecutionContext ctx) {
        Int8Kernels kernels = KernelProvider.int8();
        Tensor b = in[3];
        if (ctx.state() instanceof Packed p && p.b == b && p.kernels == kernels) {
            return p;
        }
        int k = b.shape().dim(0);
        int n = b.shape().dim(1);
        byte[] rows = new byte[n * k];
        byte[] src = b.byteData();
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                rows[j * k + p] = src[b.offset() + p * n + j];
            }
        }
        boolean bSigned = b.type() == DataType.INT8;
        PackedInt8 weights = kernels.pack(rows, 0, k, n, k, bSigned);
        float sa = QuantizationInputs.scalar(in[1], "a_scale");
        int za = QuantizationInputs.scalarZero(in[2], "a_zero_point");
        float[] sb = QuantizationInputs.scales(in[4]);
        int[] zb = QuantizationInputs.zeros(in[5], sb.length);
        float sy = QuantizationInputs.scalar(in[6], "y_scale");
        int zy = QuantizationInputs.scalarZero(in[7], "y_zero_point");
        int[] zbU = new int[zb.length];
        for (int j = 0; j < zb.length; j++) {
            zbU[j] = zb[j] + (bSigned ? 128 : 0);
        }
        boolean aSigned = in[0].type() == DataType.INT8;
        Requantization rq = Requantization.forProduct(weights, zbU, aSigned ? za + 128 : za, null,
                QLinearConv.multipliers(sa, sb, sy, n), zy, AffineQuantization.typeMin(outType),
                AffineQuantization.typeMax(outType));
        Packed p = new Packed(b, kernels, weights, rq, new Int8MatrixColumns());
        ctx.setState(p);
        return p;
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        if (packable(inputs, ctx)) {
            Tensor a = inputs[0];
            Tensor y = outputs[0];
            Packed p = packed(inputs, y.type(), ctx);
            int k = p.weights.columns();
            int rows = a.size() / k;
            Int8MatrixColumns src = p.source.set(a.byteData(), a.offset(), k, k, rows, true,
                    a.type() == DataType.INT8);
            try {
                QuantizedGemm.multiply(p.weights, src, p.rq, y.byteData(), y.offset(), 1, p.weights.rows(),
                        ctx.threads());
            } finally {
                src.clear();
            }
            return;
        }
        Tensor a = inputs[0];
        Tensor b = inputs[3];
        Tensor y = outputs[0];
        float[] sa = QuantizationInputs.scales(inputs[1]);
        int[] za = QuantizationInputs.zeros(inputs[2], 1);
        float[] sb = QuantizationInputs.scales(inputs[4]);
        int[] zb = QuantizationInputs.zeros(inputs[5], 1);
        float sy = QuantizationInputs.scalar(inputs[6], "y_scale");
        int zy = QuantizationInputs.scalarZero(inputs[7], "y_zero_point");
        int qmin = AffineQuantization.typeMin(y.type());
        int qmax = AffineQuantization.typeMax(y.type());
        MatMulLayout l = new MatMulLayout(a.shape(), b.shape());
        FixedPointMultiplier[] f = new FixedPointMultiplier[sa.length * sb.length];
        for (int i = 0; i < sa.length; i++) {
            for (int j = 0; j < sb.length; j++) {
                f[i * sb.length + j] = FixedPointMultiplier.of(sa[i] * sb[j] / sy);
            }
        }
        // the int32 accumulators, kept in the node's state: no allocation per run
        int[] acc = ctx.state() instanceof int[] kept && kept.length == l.m * l.n ? kept : new int[l.m * l.n];
        ctx.setState(acc);
        byte[] out = y.byteData();
        for (int batch = 0; batch < l.batches; batch++) {
            QuantizedGemm.matmulNaive(l.m, l.n, l.k, a.byteData(), a.offset() + l.aOffset(batch),
                    a.type() == DataType.INT8, za, b.byteData(), b.offset() + l.bOffset(batch),
                    b.type() == DataType.INT8, zb, acc, 0);
            int base = y.offset() + batch * l.m * l.n;
            for (int i = 0; i < l.m; i++) {
                for (int j = 0; j < l.n; j++) {
                    FixedPointMultiplier fm = f[(sa.length == 1 ? 0 : i) * sb.length + (sb.length == 1 ? 0 : j)];
                    int q = zy + fm.apply(acc[i * l.n + j]);
                    out[base + i * l.n + j] = (byte) Math.max(qmin, Math.min(qmax, q));
                }
            }
        }
    }

    @Override
    public boolean isTrainableInput(int index) {
        return false;
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        return (long) outputs.get(0).shape().size() * inputs.get(0).shape().dim(-1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QLinearMatMul;
    }

    @Override
    public int hashCode() {
        return QLinearMatMul.class.hashCode();
    }

    @Override
    public String toString() {
        return "QLinearMatMul";
    }
}
