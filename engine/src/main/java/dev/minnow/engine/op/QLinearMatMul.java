package dev.minnow.engine.op;

import dev.minnow.engine.kernel.FixedPointMultiplier;
import dev.minnow.engine.kernel.QuantizedGemm;
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
 * {@link QLinearConv}. Runs the reference loops ({@link QuantizedGemm#matmulNaive}); quantized
 * fully connected layers with constant weights use {@link QGemm}, which packs them.
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

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
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
