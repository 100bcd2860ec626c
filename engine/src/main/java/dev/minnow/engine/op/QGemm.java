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
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * A quantized fully connected layer (Minnow's native QGemm, the signature of ONNX Runtime's
 * {@code com.microsoft.QGemm}): 8-bit input and weights, int32 bias, 8-bit output.
 * <pre>
 *   acc[i, j] = C[j] + sum_p (A[i, p] - Za) * (op(B)[p, j] - Zb[j])          op(B) = transB ? B^T : B
 *   Y[i, j]   = saturate(Zy + round(acc * Sa * Sb[j] / Sy))
 * </pre>
 * {@code C} is the int32 bias at scale {@code Sa * Sb[j]}; {@code b_scale, b_zero_point} are per
 * tensor or per output feature. A fused ReLU is the saturation at {@code Zy = qmin}, as in
 * {@link QLinearConv}. With constant weights and parameters the weights are packed once and the
 * product runs on the integer GEMM ({@link QuantizedGemm}; at batch 1 a matrix-vector product
 * reading one byte per weight); otherwise on the reference loops.
 *
 * <p>Inputs: {@code A, a_scale, a_zero_point, B, b_scale, b_zero_point, C, y_scale, y_zero_point}
 * ({@code C} may be absent). Only {@code transA = 0} and {@code alpha = 1}. Exported to ONNX as
 * DequantizeLinear, Gemm, QuantizeLinear (the QDQ form ONNX Runtime fuses back).
 */
public final class QGemm implements Op {
    private final boolean transB;

    public QGemm(boolean transB) {
        this.transB = transB;
    }

    /** {@code Y = A * B^T + C}: PyTorch's Linear weight layout {@code [out, in]}. */
    public static QGemm linear() {
        return new QGemm(true);
    }

    public static QGemm fromOnnx(Attributes a) {
        a.requireOnly("QGemm", "alpha", "transA", "transB");
        if (a.getLong("transA", 0) != 0) {
            throw new IllegalArgumentException("QGemm supports transA = 0 only, found " + a.getLong("transA", 0));
        }
        if (a.getFloat("alpha", 1f) != 1f) {
            throw new IllegalArgumentException("QGemm supports alpha = 1 only, found " + a.getFloat("alpha", 1f));
        }
        return new QGemm(a.getLong("transB", 0) != 0);
    }

    public boolean transB() {
        return transB;
    }

    @Override
    public String opType() {
        return "QGemm";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        return transB ? Attributes.builder().set("transB", 1L).build() : Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 9, 9);
        ValueInfo a = OpChecks.require(inputs, 0, "A");
        ValueInfo b = OpChecks.require(inputs, 3, "B");
        QuantizationInputs.require8Bit(a, "A");
        QuantizationInputs.require8Bit(b, "B");
        OpChecks.requireRank(a, 2, "A");
        OpChecks.requireRank(b, 2, "B");
        int k = a.shape().dim(1);
        int kb = transB ? b.shape().dim(1) : b.shape().dim(0);
        int n = transB ? b.shape().dim(0) : b.shape().dim(1);
        if (k != kb) {
            throw new IllegalArgumentException("A " + a.shape() + " has K = " + k + " but B " + b.shape()
                    + (transB ? " (transposed)" : "") + " has K = " + kb);
        }
        QLinearConv.checkPair(inputs, 1, 2, "a_scale", "a_zero_point", a.type(), 0);
        QLinearConv.checkPair(inputs, 4, 5, "b_scale", "b_zero_point", b.type(), n);
        ValueInfo c = inputs.get(6);
        if (c != null) {
            OpChecks.requireType(c, DataType.INT32, "C");
            if (c.shape().size() != n || c.shape().rank() > 2) {
                throw new IllegalArgumentException("C must hold one int32 bias per output (" + n + "), found "
                        + c.shape());
            }
        }
        QLinearConv.checkPair(inputs, 7, 8, "y_scale", "y_zero_point", null, 0);
        return List.of(ValueInfo.of(QuantizationInputs.quantizedType(inputs.get(8)), Shape.of(a.shape().dim(0), n)));
    }

    /** Packed weights and the folded output stage, made once per plan. */
    private record Prepared(Tensor b, Int8Kernels kernels, PackedInt8 packed, Requantization rq,
                            Int8MatrixColumns source, boolean aSigned) {
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        boolean constant = true;
        for (int i = 1; i < inputs.length; i++) {
            constant &= inputs[i] == null || ctx.isConstantInput(i);
        }
        Tensor a = inputs[0];
        Tensor y = outputs[0];
        int m = a.shape().dim(0);
        int k = a.shape().dim(1);
        int n = y.shape().dim(1);
        if (constant) {
            Prepared p = prepared(inputs, y.type(), ctx);
            Int8MatrixColumns src = p.source.set(a.byteData(), a.offset(), k, k, m, true, p.aSigned);
            try {
                QuantizedGemm.multiply(p.packed, src, p.rq, y.byteData(), y.offset(), 1, n, ctx.threads());
            } finally {
                src.clear();
            }
            return;
        }
        forwardNaive(inputs, y, m, k, n);
    }

    private Prepared prepared(Tensor[] in, DataType outType, ExecutionContext ctx) {
        Int8Kernels kernels = KernelProvider.int8();
        Tensor b = in[3];
        if (ctx.state() instanceof Prepared p && p.b == b && p.kernels == kernels) {
            return p;
        }
        int n = transB ? b.shape().dim(0) : b.shape().dim(1);
        int k = transB ? b.shape().dim(1) : b.shape().dim(0);
        byte[] rows = transB ? b.byteData() : transpose(b, k, n);
        int off = transB ? b.offset() : 0;
        boolean bSigned = b.type() == DataType.INT8;
        boolean aSigned = in[0].type() == DataType.INT8;
        PackedInt8 packed = kernels.pack(rows, off, k, n, k, bSigned);
        float sa = QuantizationInputs.scalar(in[1], "a_scale");
        int za = QuantizationInputs.scalarZero(in[2], "a_zero_point");
        float[] sb = QuantizationInputs.scales(in[4]);
        int[] zb = QuantizationInputs.zeros(in[5], sb.length);
        float sy = QuantizationInputs.scalar(in[7], "y_scale");
        int zy = QuantizationInputs.scalarZero(in[8], "y_zero_point");
        int[] zbU = new int[zb.length];
        for (int i = 0; i < zb.length; i++) {
            zbU[i] = zb[i] + (bSigned ? 128 : 0);
        }
        int[] bias = in[6] == null ? null : QLinearConv.biasValues(in[6]);
        Requantization rq = Requantization.forProduct(packed, zbU, aSigned ? za + 128 : za, bias,
                QLinearConv.multipliers(sa, sb, sy, n), zy, AffineQuantization.typeMin(outType),
                AffineQuantization.typeMax(outType));
        Prepared p = new Prepared(b, kernels, packed, rq, new Int8MatrixColumns(), aSigned);
        ctx.setState(p);
        return p;
    }

    private static byte[] transpose(Tensor b, int k, int n) {
        byte[] src = b.byteData();
        byte[] t = new byte[k * n];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                t[j * k + p] = src[b.offset() + p * n + j];
            }
        }
        return t;
    }

    private void forwardNaive(Tensor[] in, Tensor y, int m, int k, int n) {
        Tensor a = in[0];
        Tensor b = in[3];
        float sa = QuantizationInputs.scalar(in[1], "a_scale");
        int za = QuantizationInputs.scalarZero(in[2], "a_zero_point");
        float[] sb = QuantizationInputs.scales(in[4]);
        int[] zb = QuantizationInputs.zeros(in[5], sb.length);
        float sy = QuantizationInputs.scalar(in[7], "y_scale");
        int zy = QuantizationInputs.scalarZero(in[8], "y_zero_point");
        int[] bias = in[6] == null ? null : QLinearConv.biasValues(in[6]);
        double[] mult = QLinearConv.multipliers(sa, sb, sy, n);
        boolean aSigned = a.type() == DataType.INT8;
        boolean bSigned = b.type() == DataType.INT8;
        int qmin = AffineQuantization.typeMin(y.type());
        int qmax = AffineQuantization.typeMax(y.type());
        byte[] ab = a.byteData();
        byte[] bb = b.byteData();
        for (int j = 0; j < n; j++) {
            FixedPointMultiplier f = FixedPointMultiplier.of(mult.length == 1 ? mult[0] : mult[j]);
            int zbj = zb.length == 1 ? zb[0] : zb[j];
            for (int i = 0; i < m; i++) {
                int acc = bias == null ? 0 : bias[j];
                for (int p = 0; p < k; p++) {
                    int bv = bb[b.offset() + (transB ? j * k + p : p * n + j)];
                    acc += (QuantizedGemm.value(ab[a.offset() + i * k + p], aSigned) - za)
                            * ((bSigned ? bv : bv & 0xFF) - zbj);
                }
                int q = zy + f.apply(acc);
                y.byteData()[y.offset() + i * n + j] = (byte) Math.max(qmin, Math.min(qmax, q));
            }
        }
    }

    @Override
    public boolean isTrainableInput(int index) {
        return false;
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        return (long) outputs.get(0).shape().size() * inputs.get(0).shape().dim(1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QGemm q && q.transB == transB;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(transB) + 31 * QGemm.class.hashCode();
    }

    @Override
    public String toString() {
        return "QGemm" + attributes();
    }
}
