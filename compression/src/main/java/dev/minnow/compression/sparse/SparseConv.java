package dev.minnow.compression.sparse;

import dev.minnow.engine.kernel.ConvKernels;
import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.SlidingWindow;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A convolution whose filters are mostly zeros, computed from their CSR form: the sparse twin of
 * {@link Conv}. Per image and group, the dense convolution is the product
 * {@code Y_g [M, P] = W_g [M, K] * col [K, P]} of the filters with the im2col column matrix
 * ({@code M = C_out/group} filters of {@code K = C_in/group * prod(k)} taps, {@code P} output
 * positions); here {@code W_g} is a band of rows of one CSR matrix of all the filters, and each
 * non-zero tap multiplies a whole row of the column matrix into its filter's output plane
 * ({@link SparseKernels#csrTimesDense}). A pointwise convolution (1x1, stride 1, no padding)
 * reads the input directly.
 *
 * <p>Sparse convolution pays less than a sparse fully connected layer: the dense convolution is a
 * matrix-matrix product that runs near the machine's peak arithmetic rate (each weight is reused P
 * times from registers), while the sparse one streams a row of the column matrix per non-zero; it
 * needs a much lower density to win (see docs/pruning.md). Weights and attributes export as the
 * dense {@code Conv}, as for {@link SparseGemm}. Depthwise convolutions (one input channel per
 * group, group &gt; 1) are not supported: they have too few taps per filter to gain anything.
 */
public final class SparseConv implements Op {
    private final Conv dense;
    private final Shape weightShape;
    private final CsrMatrix weight;
    private final SparseKernels kernels;
    private final int[] pads;
    private final SlidingWindow.AutoPad autoPad;

    /**
     * @param dense       the convolution replaced
     * @param weightShape W's shape {@code [C_out, C_in/group, k...]}
     * @param weight      W viewed as {@code [C_out, C_in/group * prod(k)]}, in CSR
     */
    public SparseConv(Conv dense, Shape weightShape, CsrMatrix weight) {
        this(dense, weightShape, weight, SparseKernelProvider.kernels());
    }

    /** With explicit kernels (tests, benchmarks). */
    public SparseConv(Conv dense, Shape weightShape, CsrMatrix weight, SparseKernels kernels) {
        this.dense = Objects.requireNonNull(dense, "dense");
        this.weightShape = Objects.requireNonNull(weightShape, "weightShape");
        this.weight = Objects.requireNonNull(weight, "weight");
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        if (weightShape.rank() < 3 || weightShape.rank() > 2 + SlidingWindow.MAX_SPATIAL_AXES) {
            throw new IllegalArgumentException("SparseConv needs W of rank 3 to 5, found " + weightShape);
        }
        if (weight.rows() != weightShape.dim(0) || (long) weight.rows() * weight.cols() != weightShape.size()) {
            throw new IllegalArgumentException("CSR weight " + weight.rows() + " x " + weight.cols()
                    + " does not match W " + weightShape);
        }
        if (weightShape.dim(1) == 1 && dense.group() > 1) {
            throw new IllegalArgumentException("SparseConv does not support depthwise convolutions (W " + weightShape
                    + " has one input channel per group, group = " + dense.group() + ")");
        }
        Attributes a = dense.attributes();
        this.pads = a.getInts("pads", null);
        this.autoPad = SlidingWindow.AutoPad.valueOf(a.getString("auto_pad", "NOTSET"));
    }

    /** The sparse form of {@code dense} for the constant filters {@code w}. */
    public static SparseConv of(Conv dense, Tensor w) {
        return new SparseConv(dense, w.shape(), CsrMatrix.fromDense(w));
    }

    public Conv dense() {
        return dense;
    }

    public CsrMatrix weight() {
        return weight;
    }

    @Override
    public String opType() {
        return dense.opType();
    }

    @Override
    public Attributes attributes() {
        return dense.attributes();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        List<ValueInfo> out = dense.inferOutputs(inputs);
        if (!inputs.get(1).shape().equals(weightShape)) {
            throw new IllegalArgumentException("W " + inputs.get(1).shape() + " does not match the sparse filters "
                    + weightShape);
        }
        return out;
    }

    /** The geometry of one input shape in the kernels' three-axis form, kept in the node's state. */
    private static final class State {
        final CsrJob job;
        Shape input;
        final int[] in = {1, 1, 1};
        final int[] out = {1, 1, 1};
        final int[] kernel = {1, 1, 1};
        final int[] strides = {1, 1, 1};
        final int[] dilations = {1, 1, 1};
        final int[] padBegin = {0, 0, 0};

        State(SparseKernels kernels) {
            job = new CsrJob(kernels);
        }
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor b = inputs.length > 2 ? inputs[2] : null;
        Tensor y = outputs[0];
        State s = state(ctx, x.shape());
        int batch = x.shape().dim(0);
        int channels = x.shape().dim(1);
        int filters = weightShape.dim(0);
        int group = dense.group();
        int cin = channels / group;
        int m = filters / group;
        int k = weight.cols();
        int inPlane = s.in[0] * s.in[1] * s.in[2];
        int p = s.out[0] * s.out[1] * s.out[2];
        boolean pointwise = ConvKernels.isPointwise(s.kernel, s.strides, s.padBegin, s.in, s.out);
        float[] col = pointwise ? null : ctx.scratch(k * p);
        float[] xd = x.data();
        float[] yd = y.data();
        for (int n = 0; n < batch; n++) {
            int yImage = y.offset() + n * filters * p;
            for (int g = 0; g < group; g++) {
                int xg = x.offset() + (n * channels + g * cin) * inPlane;
                if (pointwise) {
                    s.job.timesDense(weight, g * m, (g + 1) * m, p, xd, xg, p, yd, yImage, p, ctx.threads());
                } else {
                    ConvKernels.im2col(xd, xg, cin, s.in, s.out, s.kernel, s.strides, s.padBegin, s.dilations, col, 0);
                    s.job.timesDense(weight, g * m, (g + 1) * m, p, col, 0, p, yd, yImage, p, ctx.threads());
                }
            }
            if (b != null) {
                for (int f = 0; f < filters; f++) {
                    float bias = b.data()[b.offset() + f];
                    int row = yImage + f * p;
                    for (int i = 0; i < p; i++) {
                        yd[row + i] += bias;
                    }
                }
            }
        }
    }

    private State state(ExecutionContext ctx, Shape x) {
        if (ctx.state() instanceof State s && x.equals(s.input)) {
            return s;
        }
        State s = ctx.state() instanceof State old ? old : new State(kernels);
        resolve(x, s);
        ctx.setState(s);
        return s;
    }

    /** ONNX's output-size rule, as {@link SlidingWindow} applies it for Conv (no ceil mode). */
    private void resolve(Shape x, State s) {
        int r = x.rank() - 2;
        int lead = SlidingWindow.MAX_SPATIAL_AXES - r;
        SlidingWindow w = dense.window();
        Arrays.fill(s.in, 1);
        Arrays.fill(s.out, 1);
        Arrays.fill(s.kernel, 1);
        Arrays.fill(s.strides, 1);
        Arrays.fill(s.dilations, 1);
        Arrays.fill(s.padBegin, 0);
        for (int i = 0; i < r; i++) {
            int in = x.dim(2 + i);
            int kk = weightShape.dim(2 + i);
            int stride = w.stride(i);
            int dilation = w.dilation(i);
            int ext = dilation * (kk - 1) + 1;
            int pb;
            int out;
            if (autoPad == SlidingWindow.AutoPad.SAME_UPPER || autoPad == SlidingWindow.AutoPad.SAME_LOWER) {
                out = (in + stride - 1) / stride;
                int total = Math.max(0, (out - 1) * stride + ext - in);
                pb = autoPad == SlidingWindow.AutoPad.SAME_UPPER ? total / 2 : total - total / 2;
            } else {
                pb = autoPad == SlidingWindow.AutoPad.VALID || pads == null ? 0 : pads[i];
                int pe = autoPad == SlidingWindow.AutoPad.VALID || pads == null ? 0 : pads[r + i];
                out = (in + pb + pe - ext) / stride + 1;
            }
            int a = lead + i;
            s.in[a] = in;
            s.out[a] = out;
            s.kernel[a] = kk;
            s.strides[a] = stride;
            s.dilations[a] = dilation;
            s.padBegin[a] = pb;
        }
        s.input = x;
    }

    @Override
    public long macs(List<ValueInfo> inputs, List<ValueInfo> outputs) {
        Shape ys = outputs.get(0).shape();
        long positions = ys.size() / Math.max(1, ys.dim(1));
        return positions * weight.nnz();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseConv s && s.dense.equals(dense) && s.weightShape.equals(weightShape)
                && s.weight.equals(weight);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dense, weightShape, weight);
    }

    @Override
    public String toString() {
        return "SparseConv(" + dense + ", " + weight + ")";
    }
}
