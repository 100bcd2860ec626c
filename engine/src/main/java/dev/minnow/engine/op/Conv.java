package dev.minnow.engine.op;

import dev.minnow.engine.kernel.ConvGemm;
import dev.minnow.engine.kernel.ConvKernels;
import dev.minnow.engine.kernel.DepthwiseConv;
import dev.minnow.engine.kernel.ImageConvGradients;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.PackedLeft;
import dev.minnow.engine.kernel.SimdKernels;
import dev.minnow.engine.kernel.WinogradConv;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Convolution (cross-correlation, as in every deep-learning framework) over 1, 2 or 3 spatial axes.
 *
 * <p>Inputs {@code X [N, C_in, D1..Dr]}, weights {@code W [C_out, C_in/group, k1..kr]}, optional bias
 * {@code B [C_out]}; output {@code Y [N, C_out, o1..or]}:
 * <pre>
 *   Y[n, oc, o] = B[oc] + sum over ic &lt; C_in/group and kernel offsets j of
 *                 W[oc, ic, j] * X[n, g*C_in/group + ic, o*stride - pad_begin + j*dilation]
 *   g = oc / (C_out/group)                    (the group output channel oc belongs to)
 *   o_i = floor((D_i + pad_begin_i + pad_end_i - dilation_i*(k_i - 1) - 1) / stride_i) + 1
 * </pre>
 * Positions outside the input read as zero. The window geometry (strides, pads, dilations,
 * {@code auto_pad}) is a {@link SlidingWindow}; {@code kernel_shape} may be omitted, in which case it
 * is W's spatial shape.
 *
 * <p><b>Groups.</b> With {@code group = G} the channels split into G independent convolutions, each
 * seeing {@code C_in/G} inputs and producing {@code C_out/G} outputs, which divides weights and MACs
 * by G. AlexNet used G = 2 to split the network over two GPUs (Krizhevsky et al. 2012); ResNeXt made
 * it a design axis ("cardinality", Xie et al. 2017). {@code G = C_in} is the <em>depthwise</em>
 * convolution of MobileNet (Howard et al. 2017): one filter per channel, or {@code C_out = m * C_in}
 * filters with a channel multiplier {@code m}; followed by a 1x1 (<em>pointwise</em>) convolution it
 * forms the depthwise-separable block. <b>Dilation</b>: see {@link SlidingWindow} (Yu &amp; Koltun 2016).
 *
 * <p><b>Computation.</b> Per image and group the convolution is one matrix product,
 * {@code Y_g = W_g * im2col(X_g)} with {@code W_g} viewed as {@code [C_out/G, C_in/G * prod(k)]}
 * and the column matrix {@code [C_in/G * prod(k), prod(o)]} ({@link ConvKernels#im2col}), run on the
 * blocked GEMM; a pointwise (1x1, stride 1, unpadded) convolution multiplies by X directly. A
 * convolution with one input channel per group (depthwise) gains nothing from the unfolding: in
 * 2-D with stride 1 or 2 and no dilation it runs the vectorised {@link DepthwiseConv} kernel,
 * otherwise the direct loops of {@link ConvKernels#convolutionNaive}, which remain the reference.
 *
 * <p><b>Backward.</b> Y is linear in each of X, W and B, so with {@code col = im2col(X_g)}:
 * <pre>
 *   dL/dB[oc] = sum over n and o of dY[n, oc, o]
 *   dL/dW_g   = sum over n of dY_g * col^T
 *   dL/dX_g   = col2im(W_g^T * dY_g)      (col2im, the adjoint of im2col, sums overlapping windows)
 * </pre>
 * ({@link ConvGemm}, which multiplies whole blocks of images at once). The column buffer comes from the
 * context's scratch.
 *
 * <p>Cost: {@code macs = N * C_out * prod(o_i) * (C_in/G) * prod(k_i)}.
 */
public final class Conv implements Op {
    private final SlidingWindow window;
    private final int group;
    private final Activation activation;

    /**
     * @param window kernel (or {@code null} kernel to take it from W), strides, pads, dilations, auto_pad;
     *               no ceil_mode
     * @param group  number of channel groups, {@code >= 1}
     */
    public Conv(SlidingWindow window, int group) {
        this(window, group, null);
    }

    /**
     * A convolution whose output goes through {@code activation} as it is written (an inference
     * optimisation made by the fusion pass; such an op is called FusedConv, lives in Minnow's
     * domain, and exports to ONNX as a Conv followed by the activation node).
     */
    public Conv(SlidingWindow window, int group, Activation activation) {
        this.activation = activation;
        this.window = Objects.requireNonNull(window, "window");
        if (group < 1) {
            throw new IllegalArgumentException("group must be >= 1, found " + group);
        }
        if (window.ceilMode()) {
            throw new IllegalArgumentException("Conv has no ceil_mode (it is a pooling attribute)");
        }
        this.group = group;
    }

    /** A square 2-D convolution: {@code kernel x kernel}, stride and padding the same on both axes. */
    public static Conv of2d(int kernel, int stride, int pad) {
        return new Conv(SlidingWindow.of2d(kernel, stride, pad), 1);
    }

    /** A square 2-D convolution with dilation and groups. */
    public static Conv of2d(int kernel, int stride, int pad, int dilation, int group) {
        return new Conv(SlidingWindow.of2d(kernel, stride, pad).withDilations(dilation, dilation), group);
    }

    /**
     * A square 2-D depthwise convolution over {@code channels} input channels ({@code group = channels});
     * W then has shape {@code [m * channels, 1, kernel, kernel]} for a channel multiplier {@code m}.
     */
    public static Conv depthwise2d(int kernel, int stride, int pad, int channels) {
        return new Conv(SlidingWindow.of2d(kernel, stride, pad), channels);
    }

    public static Conv fromOnnx(Attributes a) {
        a.requireOnly("Conv", "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
        return new Conv(SlidingWindow.fromOnnx(a), a.getInt("group", 1));
    }

    /** A FusedConv as Minnow's native format stores it: Conv's attributes plus the activation. */
    public static Conv fromOnnxFused(Attributes a) {
        a.requireOnly("FusedConv", "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides",
                "activation", "activation_params");
        Attributes.Builder conv = Attributes.builder();
        for (var e : a.asMap().entrySet()) {
            if (!e.getKey().startsWith("activation")) {
                Object v = e.getValue();
                if (v instanceof Long l) {
                    conv.set(e.getKey(), (long) l);
                } else if (v instanceof String str) {
                    conv.set(e.getKey(), str);
                } else if (v instanceof long[] ls) {
                    conv.set(e.getKey(), ls);
                }
            }
        }
        Attributes c = conv.build();
        return new Conv(SlidingWindow.fromOnnx(c), c.getInt("group", 1), Activation.fromAttributes(a, "FusedConv"));
    }

    /** This convolution with an activation fused into its output. */
    public Conv withActivation(Activation act) {
        return new Conv(window, group, act);
    }

    /** The fused activation, or null. */
    public Activation activation() {
        return activation;
    }

    public SlidingWindow window() {
        return window;
    }

    public int group() {
        return group;
    }

    @Override
    public String opType() {
        return activation == null ? "Conv" : "FusedConv";
    }

    @Override
    public String domain() {
        return activation == null ? "" : OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        window.exportConvolutionTo(b, group);
        if (activation != null) {
            activation.exportTo(b);
        }
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 3);
        ValueInfo x = OpChecks.require(inputs, 0, "X");
        ValueInfo w = OpChecks.require(inputs, 1, "W");
        ValueInfo b = OpChecks.optional(inputs, 2);
        OpChecks.requireType(x, DataType.FLOAT, "X");
        OpChecks.requireType(w, DataType.FLOAT, "W");
        Shape xs = x.shape();
        Shape ws = w.shape();
        if (xs.rank() < 3) {
            throw new IllegalArgumentException("X must be N x C x D1 [x D2 [x D3]], found shape " + xs);
        }
        if (ws.rank() != xs.rank()) {
            throw new IllegalArgumentException("W must have the rank of X (" + xs.rank()
                    + "): C_out x C_in/group x kernel, found shape " + ws);
        }
        int channels = xs.dim(1);
        int filters = ws.dim(0);
        if (channels % group != 0) {
            throw new IllegalArgumentException("X has " + channels + " channels, which group = " + group
                    + " does not divide");
        }
        if (ws.dim(1) != channels / group) {
            throw new IllegalArgumentException("W has " + ws.dim(1) + " input channels per group but X has "
                    + channels + " channels and group = " + group + " (expected " + channels / group + ")");
        }
        if (filters % group != 0) {
            throw new IllegalArgumentException("W has " + filters + " filters (output channels), which group = "
                    + group + " does not divide");
        }
        if (b != null) {
            OpChecks.requireType(b, DataType.FLOAT, "B");
            if (b.shape().rank() != 1 || b.shape().dim(0) != filters) {
                throw new IllegalArgumentException("B must have shape [C_out] = [" + filters + "], found " + b.shape());
            }
        }
        return List.of(ValueInfo.of(window.resolve(xs, ws).outputShape(filters)));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        boolean activated = convolve(inputs, outputs, ctx);
        if (activation != null && !activated) {
            Tensor y = outputs[0];
            activation.apply(y.data(), y.offset(), y.size(), ctx.threads());
        }
    }

    /** The convolution itself; returns true when it also applied the fused activation. */
    private boolean convolve(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        Tensor b = inputs.length > 2 ? inputs[2] : null;
        Tensor y = outputs[0];
        WindowGeometry g = window.geometry(x.shape(), w.shape(), ctx);
        int inChannels = x.shape().dim(1);
        // One input channel per group takes the depthwise kernel, except a training pass over a
        // single-channel image (LeNet's first layer): its backward pass runs the GEMM path, which
        // reuses the column matrix this forward pass keeps, and the GEMM is faster at batch 64.
        if (inChannels / group == 1 && !(ctx.training() && group == 1)) {
            if (isPlainDepthwise(g)) {
                boolean clamp = activation != null && activation.isClamp();
                DepthwiseConv.forward(KernelProvider.kernels(), x.data(), x.offset(), w.data(), w.offset(),
                        b == null ? null : b.data(), b == null ? 0 : b.offset(), y.data(), y.offset(),
                        x.shape().dim(0), inChannels, w.shape().dim(0) / inChannels, g.in[1], g.in[2],
                        g.out[1], g.out[2], g.kernel[1], g.kernel[2], g.strides[1], g.padBegin[1], g.padBegin[2],
                        clamp ? activation.lo() : Float.NEGATIVE_INFINITY,
                        clamp ? activation.hi() : Float.POSITIVE_INFINITY, ctx.threads());
                return clamp;
            }
            ConvKernels.convolutionNaive(x.data(), x.offset(), w.data(), w.offset(),
                    b == null ? null : b.data(), b == null ? 0 : b.offset(), y.data(), y.offset(),
                    x.shape().dim(0), inChannels, w.shape().dim(0), group,
                    g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
            return false;
        }
        if (ctx.isConstantInput(1) && !ctx.training()) {
            boolean clamp = activation != null && activation.isClamp();
            float lo = clamp ? activation.lo() : Float.NEGATIVE_INFINITY;
            float hi = clamp ? activation.hi() : Float.POSITIVE_INFINITY;
            if (WinogradConv.chosen(inChannels / group, w.shape().dim(0) / group, g.in, g.out, g.kernel, g.strides,
                    g.padBegin, g.dilations)) {
                WinogradConv.forward(winogradWeights(g, x, w), x.data(), x.offset(),
                        b == null ? null : b.data(), b == null ? 0 : b.offset(), y.data(), y.offset(), lo, hi,
                        ctx.threads());
                return clamp;
            }
            Packed packed = packedWeights(g, x, w);
            ConvGemm.forwardPacked(packed.shape, packed.weights, x.data(), x.offset(),
                    b == null ? null : b.data(), b == null ? 0 : b.offset(), y.data(), y.offset(), lo, hi,
                    packed.sources, ctx.threads());
            return clamp;
        }
        ConvGemm.Shape shape = convGemmShape(g, x, w);
        if (ctx.training() && ImageConvGradients.chosen(shape, ctx.threads())) {
            // image by image, as the backward pass will run (the step's weights packed afresh)
            ConvGemm.Sources sources = g.opCache instanceof ConvGemm.Sources old ? old : new ConvGemm.Sources();
            g.opCache = sources;
            ConvGemm.forwardPacked(shape, ConvGemm.packWeights(KernelProvider.kernels(), shape, w.data(), w.offset()),
                    x.data(), x.offset(), b == null ? null : b.data(), b == null ? 0 : b.offset(), y.data(), y.offset(),
                    Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, sources, ctx.threads());
            return false;
        }
        float[] keep = null;
        if (ctx.training()) {
            long size = ConvGemm.keptColumnsSize(shape);
            if (size > 0 && size <= MAX_KEPT_COLUMNS) {
                Columns c = g.opCache instanceof Columns old && old.data.length == size ? old : new Columns((int) size);
                c.input = x;
                g.opCache = c;
                keep = c.data;
            }
        }
        ConvGemm.forward(shape, x.data(), x.offset(), w.data(), w.offset(),
                b == null ? null : b.data(), b == null ? 0 : b.offset(), y.data(), y.offset(),
                ctx.scratch(ConvGemm.workSize(shape)), keep, ctx.threads());
        return false;
    }

    /** The largest column matrix (floats) a training forward pass keeps for the backward pass: 16 MB. */
    private static final long MAX_KEPT_COLUMNS = 1 << 22;

    /** The im2col matrices of the last training forward pass, and the input they came from. */
    private static final class Columns {
        final float[] data;
        Tensor input;

        Columns(int size) {
            data = new float[size];
        }
    }

    /** 2-D, equal strides of 1 or 2, no dilation: what the {@link DepthwiseConv} kernels handle. */
    private static boolean isPlainDepthwise(WindowGeometry g) {
        return g.in[0] == 1 && g.kernel[0] == 1 && g.strides[1] == g.strides[2]
                && DepthwiseConv.supports(g.strides[1], g.strides[2], g.dilations[1], g.dilations[2]);
    }

    private ConvGemm.Shape convGemmShape(WindowGeometry g, Tensor x, Tensor w) {
        return ConvGemm.Shape.of(x.shape().dim(0), x.shape().dim(1), w.shape().dim(0), group,
                g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
    }

    /**
     * Weights packed once per plan (they are a constant of it) with the kernels in use, and the
     * GEMM geometry, so that a steady-state inference allocates nothing.
     */
    private record Packed(Tensor source, SimdKernels kernels, ConvGemm.Shape shape, PackedLeft[] weights,
                          ConvGemm.Sources sources) {
    }

    private Packed packedWeights(WindowGeometry g, Tensor x, Tensor w) {
        SimdKernels kernels = KernelProvider.kernels();
        if (g.opCache instanceof Packed p && p.source == w && p.kernels == kernels) {
            return p;
        }
        ConvGemm.Shape shape = convGemmShape(g, x, w);
        Packed p = new Packed(w, kernels, shape, ConvGemm.packWeights(kernels, shape, w.data(), w.offset()),
                new ConvGemm.Sources());
        g.opCache = p;
        return p;
    }

    /** Weights transformed and packed once per plan for {@link WinogradConv}. */
    private record Winograd(Tensor source, SimdKernels kernels, WinogradConv.Prepared prepared) {
    }

    private WinogradConv.Prepared winogradWeights(WindowGeometry g, Tensor x, Tensor w) {
        SimdKernels kernels = KernelProvider.kernels();
        if (g.opCache instanceof Winograd p && p.source == w && p.kernels == kernels) {
            return p.prepared;
        }
        WinogradConv.Prepared prepared = WinogradConv.prepare(kernels, x.shape().dim(0), x.shape().dim(1),
                w.shape().dim(0), group, g.in[1], g.in[2], g.out[1], g.out[2], g.padBegin, g.dilations,
                w.data(), w.offset());
        g.opCache = new Winograd(w, kernels, prepared);
        return prepared;
    }

    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        if (dy == null) {
            return;
        }
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        Tensor dx = inputGrads[0];
        Tensor dw = inputGrads[1];
        Tensor db = inputGrads.length > 2 ? inputGrads[2] : null;
        WindowGeometry g = window.geometry(x.shape(), w.shape(), ctx);
        int inChannels = x.shape().dim(1);
        if (inChannels == group && inChannels > 1 && isPlainDepthwise(g)) {
            DepthwiseConv.backward(KernelProvider.kernels(), x.data(), x.offset(), w.data(), w.offset(),
                    dy.data(), dy.offset(), dx == null ? null : dx.data(), dx == null ? 0 : dx.offset(),
                    dw == null ? null : dw.data(), dw == null ? 0 : dw.offset(),
                    db == null ? null : db.data(), db == null ? 0 : db.offset(),
                    x.shape().dim(0), inChannels, w.shape().dim(0) / inChannels, g.in[1], g.in[2], g.out[1], g.out[2],
                    g.kernel[1], g.kernel[2], g.strides[1], g.padBegin[1], g.padBegin[2], ctx.threads());
            return;
        }
        ConvGemm.Shape shape = convGemmShape(g, x, w);
        if (ImageConvGradients.chosen(shape, ctx.threads())) {
            ImageConvGradients.backward(KernelProvider.kernels(), shape, x.data(), x.offset(), w.data(), w.offset(),
                    dy.data(), dy.offset(),
                    dx == null ? null : dx.data(), dx == null ? 0 : dx.offset(),
                    dw == null ? null : dw.data(), dw == null ? 0 : dw.offset(),
                    db == null ? null : db.data(), db == null ? 0 : db.offset(), ctx.threads());
            return;
        }
        float[] kept = g.opCache instanceof Columns c && c.input == x
                && c.data.length == ConvGemm.keptColumnsSize(shape) ? c.data : null;
        ConvGemm.backward(shape, x.data(), x.offset(), w.data(), w.offset(), dy.data(), dy.offset(),
                dx == null ? null : dx.data(), dx == null ? 0 : dx.offset(),
                dw == null ? null : dw.data(), dw == null ? 0 : dw.offset(),
                db == null ? null : db.data(), db == null ? 0 : db.offset(),
                ctx.scratch(ConvGemm.workSize(shape)), kept, ctx.threads());
    }

    @Override
    public boolean hasBackward() {
        return activation == null;   // fused activations exist only in inference graphs
    }

    /** W and B are weights; so is X in the rare graph that holds it as an initializer. */
    @Override
    public boolean isTrainableInput(int index) {
        return true;
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        Shape ws = inputs.get(1).shape();
        Shape ys = outputs.get(0).shape();
        long kernelTaps = ws.sizeBetween(1, ws.rank()); // C_in/group * prod(k)
        return (long) ys.size() * kernelTaps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Conv c && c.group == group && c.window.equals(window)
                && Objects.equals(c.activation, activation);
    }

    @Override
    public int hashCode() {
        return Objects.hash(window, group, activation);
    }

    @Override
    public String toString() {
        return opType() + attributes();
    }
}
