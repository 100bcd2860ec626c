package dev.minnow.engine.op;

import dev.minnow.engine.kernel.BinaryConv;
import dev.minnow.engine.kernel.BinaryKernels;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.PaddedBinaryConv;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * An XNOR-Net convolution (Rastegari et al. 2016; Minnow's native {@code XnorConv}): binary
 * weights <em>and</em> binary activations, computed with XOR and popcount ({@link BinaryConv}).
 * <pre>
 *   Y[n, oc] = beta_n * alpha[oc] * (sign(X[n]) (*) sign(W[oc])) + B[oc]
 *   beta_n   = mean over c, h, w of |X[n, c, h, w]|      (scale_activations = 1, the default)
 *   beta_n   = 1                                         (scale_activations = 0)
 * </pre>
 * where {@code (*)} is the convolution of the {@code +-1} tensors with zero padding, {@code sign(v)
 * = +1 for v >= 0}, and {@code alpha[oc]} the filter's scale ({@code E|W[oc]|}, XNOR-Net eq. 3).
 * The activation scale is the simpler form of the paper's: XNOR-Net's {@code K} is a map over output
 * positions (the channel-mean of |X| averaged over each window, sec. 3.2); Minnow uses one number per
 * image and layer, which the straight-through training in {@code compression.lowbit} learns with.
 *
 * <p>Inputs: {@code X [N, C, H, W]} float (binarised here, on the fly: 1 bit per value, packed
 * channel-innermost); {@code W [C_out, kh, kw, ceil(C/64)]} INT64, the weight signs packed by
 * {@link BinaryConv#packWeights} (bit set = +1); {@code alpha [C_out]} float; optional
 * {@code B [C_out]}. Attributes: Conv's window attributes (no groups; 2-D only) and
 * {@code scale_activations}. Inference only (training uses the float graph with straight-through
 * binarisation).
 *
 * <p>Each run packs the image's signs once into a zero-bordered bit plane, gathers the windows of
 * four output positions at a time, and counts disagreements with {@link KernelProvider#binary()}
 * ({@link PaddedBinaryConv}); threads take ranges of filters. The weights are re-laid-out, and the
 * border corrections summed, once per plan while W is a constant.
 *
 * <p>Cost: {@code macs} counts the binary multiply-adds as Conv would count float ones,
 * {@code N * C_out * H_out * W_out * C * kh * kw}; the kernel does them 64 at a time.
 */
public final class XnorConv implements Op {
    private final SlidingWindow window;
    private final boolean scaleActivations;

    public XnorConv(SlidingWindow window, boolean scaleActivations) {
        this.window = Objects.requireNonNull(window, "window");
        if (window.ceilMode()) {
            throw new IllegalArgumentException("XnorConv has no ceil_mode (it is a pooling attribute)");
        }
        this.scaleActivations = scaleActivations;
    }

    public static XnorConv fromOnnx(Attributes a) {
        a.requireOnly("XnorConv", "auto_pad", "dilations", "kernel_shape", "pads", "strides", "scale_activations");
        return new XnorConv(SlidingWindow.fromOnnx(a), a.getInt("scale_activations", 1) != 0);
    }

    public SlidingWindow window() {
        return window;
    }

    public boolean scaleActivations() {
        return scaleActivations;
    }

    @Override
    public String opType() {
        return "XnorConv";
    }

    @Override
    public String domain() {
        return OpRegistry.NATIVE_DOMAIN;
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        window.exportTo(b);
        if (!scaleActivations) {
            b.set("scale_activations", 0);
        }
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 3, 4);
        ValueInfo x = OpChecks.require(inputs, 0, "X");
        ValueInfo w = OpChecks.require(inputs, 1, "W");
        ValueInfo alpha = OpChecks.require(inputs, 2, "alpha");
        ValueInfo b = OpChecks.optional(inputs, 3);
        OpChecks.requireType(x, DataType.FLOAT, "X");
        OpChecks.requireType(w, DataType.INT64, "W (packed sign bits)");
        OpChecks.requireType(alpha, DataType.FLOAT, "alpha");
        if (x.shape().rank() != 4) {
            throw new IllegalArgumentException("XnorConv is 2-D: X must be N x C x H x W, found shape " + x.shape());
        }
        Shape ws = w.shape();
        int channels = x.shape().dim(1);
        if (ws.rank() != 4 || ws.dim(3) != BinaryConv.words(channels)) {
            throw new IllegalArgumentException("W must be C_out x kh x kw x ceil(C/64) = C_out x kh x kw x "
                    + BinaryConv.words(channels) + " words for X's " + channels + " channels, found shape " + ws);
        }
        int filters = ws.dim(0);
        if (alpha.shape().rank() != 1 || alpha.shape().dim(0) != filters) {
            throw new IllegalArgumentException("alpha must have shape [C_out] = [" + filters + "], found " + alpha.shape());
        }
        if (b != null) {
            OpChecks.requireType(b, DataType.FLOAT, "B");
            if (b.shape().rank() != 1 || b.shape().dim(0) != filters) {
                throw new IllegalArgumentException("B must have shape [C_out] = [" + filters + "], found " + b.shape());
            }
        }
        return List.of(ValueInfo.of(window.resolve(x.shape(), floatWeightShape(ws, channels)).outputShape(filters)));
    }

    /** The shape of the float weights W stands for, {@code [C_out, C, kh, kw]}, from which the window takes its kernel. */
    private static Shape floatWeightShape(Shape packed, int channels) {
        return Shape.of(packed.dim(0), channels, packed.dim(1), packed.dim(2));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        Tensor alpha = inputs[2];
        Tensor b = inputs.length > 3 ? inputs[3] : null;
        Tensor y = outputs[0];
        int channels = x.shape().dim(1);
        WindowGeometry g = window.geometry(x.shape(), floatWeightShape(w.shape(), channels), ctx);
        BinaryConv.Shape s = new BinaryConv.Shape(channels, g.in[1], g.in[2], w.shape().dim(0), g.kernel[1],
                g.kernel[2], g.strides[1], g.strides[2], g.padBegin[1], g.padBegin[2], g.dilations[1], g.dilations[2],
                g.out[1], g.out[2]);
        FilterWork work = g.opCache instanceof FilterWork r && r.layer.shape().equals(s) ? r : new FilterWork(s);
        g.opCache = work;
        work.prepareWeights(w, ctx.isConstantInput(1));
        int imageSize = channels * s.height() * s.width();
        int outImage = s.outChannels() * s.outH() * s.outW();
        float[] xd = x.data();
        for (int n = 0; n < x.shape().dim(0); n++) {
            int xo = x.offset() + n * imageSize;
            double absSum = work.layer.packImage(xd, xo);
            float beta = scaleActivations ? (float) (absSum / imageSize) : 1f;
            work.set(alpha, b, beta, y, y.offset() + n * outImage);
            Parallel.forRange(ctx.threads(), s.outChannels(), work);
        }
    }

    /**
     * The layer's buffers ({@link PaddedBinaryConv.Layer}: the weights laid out once while W is the
     * same constant tensor) and one image's arguments: a reusable loop body over filters, so that a
     * run allocates nothing.
     */
    private static final class FilterWork implements Parallel.RangeBody {
        final PaddedBinaryConv.Layer layer;
        final BinaryKernels kernels = KernelProvider.binary();
        private Tensor preparedFrom;
        private Tensor alpha;
        private Tensor bias;
        private float beta;
        private Tensor y;
        private int yOff;

        FilterWork(BinaryConv.Shape s) {
            layer = new PaddedBinaryConv.Layer(s);
        }

        /** Lays W out unless this constant tensor was laid out already (a non-constant W is redone every run). */
        void prepareWeights(Tensor w, boolean constant) {
            if (constant && preparedFrom == w) {
                return;
            }
            layer.prepareWeights(w.longData(), w.offset());
            preparedFrom = constant ? w : null;
        }

        void set(Tensor scales, Tensor b, float imageScale, Tensor out, int outOff) {
            alpha = scales;
            bias = b;
            beta = imageScale;
            y = out;
            yOff = outOff;
        }

        @Override
        public void run(int from, int to) {
            layer.forwardFilters(kernels, alpha.data(), alpha.offset(), beta, bias == null ? null : bias.data(),
                    bias == null ? 0 : bias.offset(), y.data(), yOff, from, to);
        }
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        Shape ws = inputs.get(1).shape();
        long taps = (long) inputs.get(0).shape().dim(1) * ws.dim(1) * ws.dim(2);
        return outputs.get(0).shape().size() * taps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XnorConv c && c.window.equals(window) && c.scaleActivations == scaleActivations;
    }

    @Override
    public int hashCode() {
        return Objects.hash(window, scaleActivations);
    }

    @Override
    public String toString() {
        return opType() + attributes();
    }
}
