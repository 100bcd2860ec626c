package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a window (a convolution kernel or a pooling region) sits on the spatial axes of an
 * {@code N x C x D1 x ... x Dr} tensor: the geometry that {@link Conv}, {@link MaxPool} and
 * {@link AveragePool} share, with ONNX's attributes {@code kernel_shape}, {@code strides},
 * {@code pads}, {@code dilations}, {@code auto_pad} and {@code ceil_mode}.
 *
 * <p>Along one spatial axis of input length {@code in}, with kernel length {@code k}, stride
 * {@code s}, dilation {@code d} and padding {@code pb} before and {@code pe} after:
 * <pre>
 *   extent = d * (k - 1) + 1                      (the span a dilated kernel covers)
 *   window o reads input positions  o*s - pb + j*d,  j = 0 .. k-1
 *   out    = floor((in + pb + pe - extent) / s) + 1
 * </pre>
 * Dilation inserts {@code d - 1} holes between kernel taps, enlarging the receptive field without
 * more weights (Yu &amp; Koltun 2016, "Multi-Scale Context Aggregation by Dilated Convolutions").
 *
 * <p>With {@code ceil_mode} the division rounds up, so a last, partial window may hang over the end;
 * as in PyTorch and ONNX Runtime, that last window must still <em>start</em> inside the input or
 * the left padding: if {@code (out - 1) * s >= in + pb} the output loses one position.
 *
 * <p>{@code auto_pad} chooses the padding instead of {@code pads}: {@code VALID} means none;
 * {@code SAME_UPPER} and {@code SAME_LOWER} give {@code out = ceil(in / s)} with a total padding
 * {@code max(0, (out - 1) * s + extent - in)} split evenly, the odd element going at the end
 * (UPPER) or at the beginning (LOWER).
 *
 * <p>{@code pads} holds {@code [begin_1, ..., begin_r, end_1, ..., end_r]} as in ONNX. A {@code null}
 * list means the ONNX default (strides and dilations 1, pads 0) whatever the rank; a {@code null}
 * kernel (only for {@code Conv}) means "take it from the weights". Immutable.
 */
public final class SlidingWindow {

    /** ONNX's {@code auto_pad}. */
    public enum AutoPad {
        /** Use the explicit {@code pads}. */
        NOTSET,
        /** {@code out = ceil(in / stride)}, odd padding at the end. */
        SAME_UPPER,
        /** {@code out = ceil(in / stride)}, odd padding at the beginning. */
        SAME_LOWER,
        /** No padding. */
        VALID;

        static AutoPad fromOnnx(String value) {
            for (AutoPad p : values()) {
                if (p.name().equals(value)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("auto_pad must be one of NOTSET, SAME_UPPER, SAME_LOWER, VALID; found '"
                    + value + "'");
        }
    }

    /** The largest number of spatial axes the kernels handle (1-D, 2-D and 3-D inputs). */
    public static final int MAX_SPATIAL_AXES = 3;

    private final int[] kernel;
    private final int[] strides;
    private final int[] pads;
    private final int[] dilations;
    private final AutoPad autoPad;
    private final boolean ceilMode;

    /**
     * @param kernel    window length per spatial axis, or {@code null} to take it from the weights (Conv)
     * @param strides   per axis, or {@code null} for all 1
     * @param pads      {@code [begins..., ends...]}, or {@code null} for all 0
     * @param dilations per axis, or {@code null} for all 1
     * @param autoPad   {@code null} means {@link AutoPad#NOTSET}
     * @param ceilMode  round the output length up instead of down (pooling only)
     */
    public SlidingWindow(int[] kernel, int[] strides, int[] pads, int[] dilations, AutoPad autoPad, boolean ceilMode) {
        this.kernel = positive("kernel_shape", kernel);
        this.strides = positive("strides", strides);
        this.dilations = positive("dilations", dilations);
        this.pads = pads == null ? null : pads.clone();
        this.autoPad = autoPad == null ? AutoPad.NOTSET : autoPad;
        this.ceilMode = ceilMode;
        if (this.pads != null) {
            if (this.pads.length % 2 != 0) {
                throw new IllegalArgumentException("pads must hold a begin and an end per spatial axis, found "
                        + this.pads.length + " values " + Arrays.toString(this.pads));
            }
            for (int p : this.pads) {
                if (p < 0) {
                    throw new IllegalArgumentException("pads must be >= 0, found " + Arrays.toString(this.pads));
                }
            }
            if (this.autoPad != AutoPad.NOTSET && Arrays.stream(this.pads).anyMatch(p -> p != 0)) {
                throw new IllegalArgumentException("pads " + Arrays.toString(this.pads) + " cannot be combined with auto_pad "
                        + this.autoPad + " (explicit pads need auto_pad NOTSET)");
            }
        }
        int r = -1;
        for (int[] list : new int[][] {this.kernel, this.strides, this.dilations, this.pads}) {
            if (list == null) {
                continue;
            }
            int len = list == this.pads ? list.length / 2 : list.length;
            if (r >= 0 && len != r) {
                throw new IllegalArgumentException("inconsistent numbers of spatial axes: " + describe());
            }
            r = len;
        }
    }

    /** A window of the given kernel with stride 1, no padding and no dilation. */
    public static SlidingWindow of(int... kernel) {
        return new SlidingWindow(kernel, null, null, null, AutoPad.NOTSET, false);
    }

    /** A square 2-D window: {@code kernel x kernel}, the same stride on both axes, {@code pad} on every side. */
    public static SlidingWindow of2d(int kernel, int stride, int pad) {
        return new SlidingWindow(new int[] {kernel, kernel}, new int[] {stride, stride},
                new int[] {pad, pad, pad, pad}, null, AutoPad.NOTSET, false);
    }

    /** Reads {@code kernel_shape, strides, pads, dilations, auto_pad} and {@code ceil_mode} (absent ones default). */
    public static SlidingWindow fromOnnx(Attributes a) {
        return new SlidingWindow(a.getInts("kernel_shape", null), a.getInts("strides", null), a.getInts("pads", null),
                a.getInts("dilations", null), AutoPad.fromOnnx(a.getString("auto_pad", "NOTSET")),
                a.getLong("ceil_mode", 0) != 0);
    }

    public SlidingWindow withStrides(int... s) {
        return new SlidingWindow(kernel, s, pads, dilations, autoPad, ceilMode);
    }

    /** Explicit pads, ONNX order {@code [begin_1, ..., begin_r, end_1, ..., end_r]}. */
    public SlidingWindow withPads(int... p) {
        return new SlidingWindow(kernel, strides, p, dilations, autoPad, ceilMode);
    }

    public SlidingWindow withDilations(int... d) {
        return new SlidingWindow(kernel, strides, pads, d, autoPad, ceilMode);
    }

    /** The same window with another auto_pad; switching modes drops explicit pads (ONNX forbids both). */
    public SlidingWindow withAutoPad(AutoPad p) {
        return new SlidingWindow(kernel, strides, autoPad == p ? pads : null, dilations, p, ceilMode);
    }

    public SlidingWindow withCeilMode(boolean c) {
        return new SlidingWindow(kernel, strides, pads, dilations, autoPad, c);
    }

    /** Writes the non-default attributes (not {@code ceil_mode}, which only pooling ops export). */
    void exportTo(Attributes.Builder b) {
        if (autoPad != AutoPad.NOTSET) {
            b.set("auto_pad", autoPad.name());
        }
        if (kernel != null) {
            b.set("kernel_shape", kernel);
        }
        if (strides != null) {
            b.set("strides", strides);
        }
        if (pads != null && autoPad == AutoPad.NOTSET) {
            b.set("pads", pads);
        }
        if (dilations != null) {
            b.set("dilations", dilations);
        }
    }

    /** The attributes of a convolution over this window: {@link #exportTo} and {@code group} when not 1. */
    void exportConvolutionTo(Attributes.Builder b, int group) {
        exportTo(b);
        if (group != 1) {
            b.set("group", group);
        }
    }

    /** The kernel lengths, or {@code null} when taken from the weights. */
    public int[] kernel() {
        return kernel == null ? null : kernel.clone();
    }

    public boolean hasKernel() {
        return kernel != null;
    }

    public boolean hasDilations() {
        return dilations != null;
    }

    public AutoPad autoPad() {
        return autoPad;
    }

    public boolean ceilMode() {
        return ceilMode;
    }

    /** Stride along spatial axis {@code i} (0-based). */
    public int stride(int i) {
        return strides == null ? 1 : strides[i];
    }

    public int dilation(int i) {
        return dilations == null ? 1 : dilations[i];
    }

    /**
     * Resolves the window for input {@code x} ({@code N x C x D1 x ... x Dr}, r = 1..3), checking
     * that the attributes fit the input.
     *
     * @param weights the shape of Conv's {@code W} ({@code C_out x C_in/group x k1 x ... x kr}), whose
     *                spatial dimensions are the kernel (and must equal {@code kernel_shape} when both are
     *                given); {@code null} for pooling
     */
    WindowGeometry resolve(Shape x, Shape weights) {
        int r = x.rank() - 2;
        if (r < 1 || r > MAX_SPATIAL_AXES) {
            throw new IllegalArgumentException("X must be N x C x D1 [x D2 [x D3]] (1 to " + MAX_SPATIAL_AXES
                    + " spatial axes), found shape " + x);
        }
        int[] kernelFromWeights = null;
        if (weights != null) {
            kernelFromWeights = new int[weights.rank() - 2];
            for (int i = 0; i < kernelFromWeights.length; i++) {
                kernelFromWeights[i] = weights.dim(2 + i);
                if (kernelFromWeights[i] < 1) {
                    throw new IllegalArgumentException("W " + weights + " has an empty kernel axis");
                }
            }
        }
        int[] k = kernel != null ? kernel : kernelFromWeights;
        if (k == null) {
            throw new IllegalArgumentException("kernel_shape is required");
        }
        checkLength("kernel_shape", k.length, r, x);
        checkLength("strides", strides == null ? r : strides.length, r, x);
        checkLength("dilations", dilations == null ? r : dilations.length, r, x);
        checkLength("pads", pads == null ? r : pads.length / 2, r, x);
        if (kernel != null && kernelFromWeights != null && !Arrays.equals(kernel, kernelFromWeights)) {
            throw new IllegalArgumentException("kernel_shape " + Arrays.toString(kernel)
                    + " does not match the spatial dimensions of W " + Arrays.toString(kernelFromWeights));
        }
        WindowGeometry g = new WindowGeometry(this, x, weights);
        int lead = MAX_SPATIAL_AXES - r;
        for (int i = 0; i < r; i++) {
            int in = x.dim(2 + i);
            int ext = dilation(i) * (k[i] - 1) + 1;
            int s = stride(i);
            int pb;
            int pe;
            int out;
            if (autoPad == AutoPad.SAME_UPPER || autoPad == AutoPad.SAME_LOWER) {
                out = (in + s - 1) / s;
                int total = Math.max(0, (out - 1) * s + ext - in);
                pb = autoPad == AutoPad.SAME_UPPER ? total / 2 : total - total / 2;
                pe = total - pb;
            } else {
                pb = autoPad == AutoPad.VALID || pads == null ? 0 : pads[i];
                pe = autoPad == AutoPad.VALID || pads == null ? 0 : pads[r + i];
                int span = in + pb + pe - ext;
                if (span < 0) {
                    throw new IllegalArgumentException("spatial axis " + i + " of X " + x + ": input length " + in
                            + " plus padding " + pb + "+" + pe + " is shorter than the kernel extent " + ext
                            + " (kernel " + k[i] + ", dilation " + dilation(i) + ")");
                }
                out = ceilMode ? (span + s - 1) / s + 1 : span / s + 1;
                if (ceilMode && (out - 1) * s >= in + pb) {
                    out--; // the last window would start in the right padding
                }
            }
            int a = lead + i;
            g.in[a] = in;
            g.out[a] = out;
            g.kernel[a] = k[i];
            g.strides[a] = s;
            g.dilations[a] = dilation(i);
            g.padBegin[a] = pb;
            g.padEnd[a] = pe;
        }
        return g;
    }

    /**
     * The geometry for this input, cached in the node's state slot of {@code ctx} so that a run
     * with an unchanged shape allocates nothing.
     */
    WindowGeometry geometry(Shape x, Shape weights, ExecutionContext ctx) {
        if (ctx.state() instanceof WindowGeometry g && g.window == this && g.input.equals(x)
                && Objects.equals(g.weights, weights)) {
            return g;
        }
        WindowGeometry g = resolve(x, weights);
        ctx.setState(g);
        return g;
    }

    private static void checkLength(String name, int length, int r, Shape x) {
        if (length != r) {
            throw new IllegalArgumentException(name + " has " + length + " value(s) per side but X " + x + " has "
                    + r + " spatial axes");
        }
    }

    private static int[] positive(String name, int[] values) {
        if (values == null) {
            return null;
        }
        for (int v : values) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be positive, found " + Arrays.toString(values));
            }
        }
        return values.clone();
    }

    private String describe() {
        return "kernel_shape=" + Arrays.toString(kernel) + ", strides=" + Arrays.toString(strides)
                + ", pads=" + Arrays.toString(pads) + ", dilations=" + Arrays.toString(dilations);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlidingWindow w && Arrays.equals(kernel, w.kernel) && Arrays.equals(strides, w.strides)
                && Arrays.equals(pads, w.pads) && Arrays.equals(dilations, w.dilations) && autoPad == w.autoPad
                && ceilMode == w.ceilMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(kernel), Arrays.hashCode(strides), Arrays.hashCode(pads),
                Arrays.hashCode(dilations), autoPad, ceilMode);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SlidingWindow(");
        sb.append(kernel == null ? "kernel from W" : "kernel=" + Arrays.toString(kernel));
        if (strides != null) {
            sb.append(", strides=").append(Arrays.toString(strides));
        }
        if (pads != null) {
            sb.append(", pads=").append(Arrays.toString(pads));
        }
        if (dilations != null) {
            sb.append(", dilations=").append(Arrays.toString(dilations));
        }
        if (autoPad != AutoPad.NOTSET) {
            sb.append(", auto_pad=").append(autoPad.name().toLowerCase(Locale.ROOT));
        }
        if (ceilMode) {
            sb.append(", ceil_mode");
        }
        return sb.append(')').toString();
    }
}
