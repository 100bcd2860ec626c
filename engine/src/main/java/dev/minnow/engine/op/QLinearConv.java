package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ConvGemm;
import dev.minnow.engine.kernel.FixedPointMultiplier;
import dev.minnow.engine.kernel.Int8Kernels;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.PackedInt8;
import dev.minnow.engine.kernel.QuantizedConv;
import dev.minnow.engine.kernel.QuantizedDepthwise;
import dev.minnow.engine.kernel.Requantization;
import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Quantized convolution (ONNX QLinearConv): 8-bit input and weights, int32 accumulation, 8-bit
 * output, the layer of Jacob et al. 2018's integer-only inference. With real values
 * {@code r = S * (q - Z)} for x, w and y:
 * <pre>
 *   acc[n, oc, o] = B[oc] + sum over ic', taps of (w[oc, ic', t] - Zw[oc]) * (x[n, ic, o*s - p + t*d] - Zx)
 *   y[n, oc, o]   = saturate(Zy + round(acc * M[oc])),     M[oc] = Sx * Sw[oc] / Sy
 * </pre>
 * (eq. 4 of the paper, with the convolution's geometry as {@link Conv}). {@code B} is an optional
 * int32 bias at scale {@code Sx * Sw[oc]}; {@code w_scale} and {@code w_zero_point} are per tensor
 * or per output channel; the output type is {@code y_zero_point}'s. A ReLU or ReLU6 fused into the
 * layer needs no op: its output range starts at 0, so {@code Zy} is the type's minimum and the
 * saturation clamps exactly as the activation would.
 *
 * <p><b>Computation.</b> When the weights and quantization parameters are constants of the plan,
 * they are prepared once: filters packed for the integer GEMM ({@link QuantizedConv}) and the
 * output stage folded ({@link Requantization}: zero-point corrections folded into the bias,
 * {@code M} as a fixed-point multiplier {@code M0 * 2^-n}); depthwise layers get
 * {@link QuantizedDepthwise}. The arithmetic is integer-only. Otherwise (weights computed at run
 * time) the reference loops of {@link QuantizedConv#convolutionNaive} run, with the same
 * fixed-point requantization.
 *
 * <p>Inputs: {@code x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point[, B]}.
 * Cost: {@code macs} as {@link Conv}.
 */
public final class QLinearConv implements Op {
    private final SlidingWindow window;
    private final int group;

    public QLinearConv(SlidingWindow window, int group) {
        this.window = Objects.requireNonNull(window, "window");
        if (group < 1) {
            throw new IllegalArgumentException("group must be >= 1, found " + group);
        }
        if (window.ceilMode()) {
            throw new IllegalArgumentException("QLinearConv has no ceil_mode (it is a pooling attribute)");
        }
        this.group = group;
    }

    public static QLinearConv fromOnnx(Attributes a) {
        a.requireOnly("QLinearConv", "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
        return new QLinearConv(SlidingWindow.fromOnnx(a), a.getInt("group", 1));
    }

    public SlidingWindow window() {
        return window;
    }

    public int group() {
        return group;
    }

    @Override
    public String opType() {
        return "QLinearConv";
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        window.exportConvolutionTo(b, group);
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 8, 9);
        ValueInfo x = OpChecks.require(inputs, 0, "x");
        ValueInfo w = OpChecks.require(inputs, 3, "w");
        QuantizationInputs.require8Bit(x, "x");
        QuantizationInputs.require8Bit(w, "w");
        Shape ys = new Conv(window, group).inferOutputs(List.of(ValueInfo.of(x.shape()), ValueInfo.of(w.shape())))
                .get(0).shape();
        int filters = w.shape().dim(0);
        checkPair(inputs, 1, 2, "x_scale", "x_zero_point", x.type(), 0);
        checkPair(inputs, 4, 5, "w_scale", "w_zero_point", w.type(), filters);
        checkPair(inputs, 6, 7, "y_scale", "y_zero_point", null, 0);
        ValueInfo b = OpChecks.optional(inputs, 8);
        if (b != null) {
            OpChecks.requireType(b, DataType.INT32, "B");
            if (b.shape().rank() != 1 || b.shape().dim(0) != filters) {
                throw new IllegalArgumentException("B must have shape [C_out] = [" + filters + "], found " + b.shape());
            }
        }
        ValueInfo yz = OpChecks.optional(inputs, 7);
        return List.of(ValueInfo.of(QuantizationInputs.quantizedType(yz), ys));
    }

    static void checkPair(List<ValueInfo> inputs, int si, int zi, String scaleName, String zeroName, DataType type,
                          int count) {
        ValueInfo s = OpChecks.require(inputs, si, scaleName);
        ValueInfo z = OpChecks.optional(inputs, zi);
        QuantizationInputs.check(s, z, scaleName, zeroName, count);
        if (z != null) {
            QuantizationInputs.require8Bit(z, zeroName);
            if (type != null && z.type() != type) {
                throw new IllegalArgumentException(zeroName + " must have the type of its tensor (" + type + "), found "
                        + z.type());
            }
        }
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor w = inputs[3];
        Tensor y = outputs[0];
        WindowGeometry g = window.geometry(x.shape(), w.shape(), ctx);
        boolean constant = true;
        for (int i = 1; i < inputs.length; i++) {
            constant &= inputs[i] == null || ctx.isConstantInput(i);
        }
        if (constant) {
            Prepared p = prepared(g, inputs, y.type());
            run(p, g, x, y, ctx.threads());
            return;
        }
        forwardNaive(inputs, y, g);
    }

    /** What is derived once from constant weights and parameters, with the kernels in use. */
    private record Prepared(Tensor w, Tensor b, Int8Kernels kernels, ConvGemm.Shape shape, PackedInt8[] packed,
                            Requantization[] rq, int[] centred, Requantization depthwiseRq,
                            QuantizedConv.Sources sources, boolean xSigned, int xZero) {
    }

    private Prepared prepared(WindowGeometry g, Tensor[] in, DataType outType) {
        Int8Kernels kernels = KernelProvider.int8();
        Tensor w = in[3];
        Tensor b = in.length > 8 ? in[8] : null;
        if (g.opCache instanceof Prepared p && p.w == w && p.b == b && p.kernels == kernels) {
            return p;
        }
        Tensor x = in[0];
        int inChannels = x.shape().dim(1);
        int outChannels = w.shape().dim(0);
        float sx = QuantizationInputs.scalar(in[1], "x_scale");
        int zx = QuantizationInputs.scalarZero(in[2], "x_zero_point");
        float[] sw = QuantizationInputs.scales(in[4]);
        int[] zw = QuantizationInputs.zeros(in[5], sw.length);
        float sy = QuantizationInputs.scalar(in[6], "y_scale");
        int zy = QuantizationInputs.scalarZero(in[7], "y_zero_point");
        int[] bias = b == null ? null : biasValues(b);
        double[] mult = multipliers(sx, sw, sy, outChannels);
        int qmin = AffineQuantization.typeMin(outType);
        int qmax = AffineQuantization.typeMax(outType);
        boolean xSigned = x.type() == DataType.INT8;
        boolean wSigned = w.type() == DataType.INT8;
        ConvGemm.Shape shape = ConvGemm.Shape.of(x.shape().dim(0), inChannels, outChannels, group, g.in, g.out,
                g.kernel, g.strides, g.padBegin, g.dilations);
        Prepared p;
        if (isDepthwise(g, inChannels)) {
            int[] centred = QuantizedDepthwise.centredWeights(w.byteData(), w.offset(), wSigned, zw, outChannels,
                    g.kernel[1] * g.kernel[2]);
            p = new Prepared(w, b, kernels, shape, null, null, centred,
                    Requantization.forCentredSums(outChannels, bias, mult, zy, qmin, qmax), null, xSigned, zx);
        } else {
            PackedInt8[] packed = QuantizedConv.packWeights(kernels, shape, w.byteData(), w.offset(), wSigned);
            int m = outChannels / group;
            Requantization[] rq = new Requantization[group];
            for (int gi = 0; gi < group; gi++) {
                rq[gi] = Requantization.forProduct(packed[gi], unsignedSlice(zw, wSigned, gi * m, m),
                        xSigned ? zx + 128 : zx, slice(bias, gi * m, m), slice(mult, gi * m, m), zy, qmin, qmax);
            }
            p = new Prepared(w, b, kernels, shape, packed, rq, null, null, new QuantizedConv.Sources(), xSigned, zx);
        }
        g.opCache = p;
        return p;
    }

    /** One input channel per group, at most two spatial axes: the depthwise kernel applies. */
    private boolean isDepthwise(WindowGeometry g, int inChannels) {
        return inChannels / group == 1 && g.in[0] == 1 && g.kernel[0] == 1;
    }

    private void run(Prepared p, WindowGeometry g, Tensor x, Tensor y, int threads) {
        if (p.centred != null) {
            int c = x.shape().dim(1);
            QuantizedDepthwise.forward(p.kernels, x.byteData(), x.offset(), p.xSigned, p.xZero, p.centred,
                    p.depthwiseRq, y.byteData(), y.offset(), x.shape().dim(0), c, y.shape().dim(1) / c,
                    g.in[1], g.in[2], g.out[1], g.out[2], g.kernel[1], g.kernel[2], g.strides[1], g.strides[2],
                    g.dilations[1], g.dilations[2], g.padBegin[1], g.padBegin[2], threads);
            return;
        }
        QuantizedConv.forwardPacked(p.shape, p.packed, p.rq, x.byteData(), x.offset(), p.xSigned, p.xZero,
                y.byteData(), y.offset(), p.sources, threads);
    }

    /** The reference path: int32 accumulators from the direct loops, then the same output stage. */
    private void forwardNaive(Tensor[] in, Tensor y, WindowGeometry g) {
        Tensor x = in[0];
        Tensor w = in[3];
        int inChannels = x.shape().dim(1);
        int outChannels = w.shape().dim(0);
        float sx = QuantizationInputs.scalar(in[1], "x_scale");
        int zx = QuantizationInputs.scalarZero(in[2], "x_zero_point");
        float[] sw = QuantizationInputs.scales(in[4]);
        int[] zw = QuantizationInputs.zeros(in[5], sw.length);
        float sy = QuantizationInputs.scalar(in[6], "y_scale");
        int zy = QuantizationInputs.scalarZero(in[7], "y_zero_point");
        Tensor b = in.length > 8 ? in[8] : null;
        int[] bias = b == null ? null : biasValues(b);
        double[] mult = multipliers(sx, sw, sy, outChannels);
        int[] acc = new int[y.size()];
        QuantizedConv.convolutionNaive(x.byteData(), x.offset(), x.type() == DataType.INT8, zx, w.byteData(),
                w.offset(), w.type() == DataType.INT8, zw, acc, 0, x.shape().dim(0), inChannels, outChannels, group,
                g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
        requantizeNaive(acc, bias, mult, zy, y, outChannels, g.outPlane());
    }

    /** {@code y = saturate(zy + round((acc + B[c]) * M[c]))} over NCHW accumulators. */
    static void requantizeNaive(int[] acc, int[] bias, double[] mult, int zy, Tensor y, int channels, int plane) {
        int qmin = AffineQuantization.typeMin(y.type());
        int qmax = AffineQuantization.typeMax(y.type());
        FixedPointMultiplier[] f = new FixedPointMultiplier[channels];
        for (int c = 0; c < channels; c++) {
            f[c] = FixedPointMultiplier.of(mult.length == 1 ? mult[0] : mult[c]);
        }
        byte[] out = y.byteData();
        int yo = y.offset();
        for (int i = 0; i < acc.length; i++) {
            int c = (i / plane) % channels;
            int q = zy + f[c].apply(acc[i] + (bias == null ? 0 : bias[c]));
            out[yo + i] = (byte) Math.max(qmin, Math.min(qmax, q));
        }
    }

    /** {@code M[c] = Sx * Sw[c] / Sy}, in float as ONNX's reference computes it. */
    static double[] multipliers(float sx, float[] sw, float sy, int channels) {
        double[] m = new double[sw.length == 1 ? 1 : channels];
        for (int c = 0; c < m.length; c++) {
            m[c] = sx * sw[c] / sy;
        }
        return m;
    }

    static int[] biasValues(Tensor b) {
        int[] r = new int[b.size()];
        System.arraycopy(b.intData(), b.offset(), r, 0, r.length);
        return r;
    }

    private static int[] slice(int[] v, int from, int count) {
        if (v == null) {
            return null;
        }
        int[] r = new int[count];
        System.arraycopy(v, from, r, 0, count);
        return r;
    }

    private static double[] slice(double[] v, int from, int count) {
        if (v.length == 1) {
            return v;
        }
        double[] r = new double[count];
        System.arraycopy(v, from, r, 0, count);
        return r;
    }

    /** Zero points of one group's rows, as unsigned values (int8 + 128). */
    private static int[] unsignedSlice(int[] zw, boolean signed, int from, int count) {
        int[] r = new int[zw.length == 1 ? 1 : count];
        for (int i = 0; i < r.length; i++) {
            r[i] = (zw.length == 1 ? zw[0] : zw[from + i]) + (signed ? 128 : 0);
        }
        return r;
    }

    @Override
    public boolean isTrainableInput(int index) {
        return false;
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        Shape ws = inputs.get(3).shape();
        return (long) outputs.get(0).shape().size() * ws.sizeBetween(1, ws.rank());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QLinearConv c && c.group == group && c.window.equals(window);
    }

    @Override
    public int hashCode() {
        return Objects.hash(window, group, "QLinearConv");
    }

    @Override
    public String toString() {
        return "QLinearConv" + attributes();
    }
}
