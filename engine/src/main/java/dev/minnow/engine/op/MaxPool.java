package dev.minnow.engine.op;

import dev.minnow.engine.kernel.MaxPool2d;
import dev.minnow.engine.kernel.PoolKernels;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Max pooling over 1, 2 or 3 spatial axes: each output is the largest input the window covers.
 * <pre>
 *   Y[n, c, o] = max over kernel offsets j of X[n, c, o*stride - pad_begin + j*dilation]
 *   o_i = floor((D_i + pad_begin_i + pad_end_i - dilation_i*(k_i - 1) - 1) / stride_i) + 1   (ceil with ceil_mode)
 * </pre>
 * Padding never wins (it acts as -infinity); ceil_mode, auto_pad and dilations follow
 * {@link SlidingWindow}. Max pooling halves the resolution of feature maps in most CNNs since
 * AlexNet, which used overlapping 3x3 windows with stride 2 (Krizhevsky et al. 2012); GoogLeNet's
 * Caffe definition rounds up (ceil_mode).
 *
 * <p>The optional second output {@code Indices} (int64) gives the position of each maximum in the
 * flattened input {@code [0, N*C*D1*...*Dr)}: {@code (n*C + c) * plane + position} where position is
 * row-major ({@code storage_order = 0}) or column-major, the first spatial axis fastest
 * ({@code storage_order = 1}). Ties keep the first maximum in row-major order; a NaN wins.
 *
 * <p>Besides float, int8 and uint8 inputs are accepted (opset 12); they are pooled exactly through
 * float, which represents every 8-bit value.
 *
 * <p><b>Backward.</b> Within a window the max is the identity of its winner, so
 * {@code dL/dX[argmax] += dL/dY} and the other inputs receive nothing; an input that wins several
 * overlapping windows sums their gradients. The winners are found again from X in the backward
 * pass (same tie rule) rather than saved. At a tie the max is not differentiable; the first
 * maximum takes the whole gradient, as in PyTorch.
 */
public final class MaxPool implements Op {
    private final SlidingWindow window;
    private final int storageOrder;

    /**
     * @param window       kernel (required), strides, pads, dilations, auto_pad, ceil_mode
     * @param storageOrder 0: row-major Indices, 1: column-major
     */
    public MaxPool(SlidingWindow window, int storageOrder) {
        this.window = Objects.requireNonNull(window, "window");
        if (!window.hasKernel()) {
            throw new IllegalArgumentException("MaxPool needs kernel_shape");
        }
        if (storageOrder != 0 && storageOrder != 1) {
            throw new IllegalArgumentException("storage_order must be 0 (row-major) or 1 (column-major), found "
                    + storageOrder);
        }
        this.storageOrder = storageOrder;
    }

    public MaxPool(SlidingWindow window) {
        this(window, 0);
    }

    /** A square 2-D max pooling: {@code kernel x kernel}, stride and padding the same on both axes. */
    public static MaxPool of2d(int kernel, int stride, int pad) {
        return new MaxPool(SlidingWindow.of2d(kernel, stride, pad));
    }

    public static MaxPool fromOnnx(Attributes a) {
        a.requireOnly("MaxPool", "auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides");
        return new MaxPool(SlidingWindow.fromOnnx(a), a.getInt("storage_order", 0));
    }

    public SlidingWindow window() {
        return window;
    }

    public int storageOrder() {
        return storageOrder;
    }

    @Override
    public String opType() {
        return "MaxPool";
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        window.exportTo(b);
        if (window.ceilMode()) {
            b.set("ceil_mode", 1L);
        }
        if (storageOrder != 0) {
            b.set("storage_order", storageOrder);
        }
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "X");
        if (x.type() != DataType.FLOAT && x.type() != DataType.INT8 && x.type() != DataType.UINT8) {
            throw new IllegalArgumentException("X must be FLOAT, INT8 or UINT8, found " + x.type());
        }
        Shape y = window.resolve(x.shape(), null).outputShape(x.shape().dim(1));
        return List.of(ValueInfo.of(x.type(), y), ValueInfo.of(DataType.INT64, y));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        Tensor indices = outputs.length > 1 ? outputs[1] : null;
        WindowGeometry g = window.geometry(x.shape(), null, ctx);
        int planes = x.shape().dim(0) * x.shape().dim(1);
        int outSize = planes * g.outPlane();
        long[] id = indices == null ? null : indices.longData();
        int idOff = indices == null ? 0 : indices.offset();
        if (x.type() == DataType.FLOAT && id == null && y != null && isPlain2d(g) && ctx.training()) {
            // remember each window's winner: the backward pass is then a scatter
            Winners w = g.opCache instanceof Winners old && old.index.length == outSize ? old : new Winners(outSize);
            g.opCache = w;
            PoolKernels.maxPool2dWithWinners(x.data(), x.offset(), y.data(), y.offset(), w.index, planes, g.in[1],
                    g.in[2], g.out[1], g.out[2], g.kernel[1], g.kernel[2], g.strides[1], g.strides[2], g.padBegin[1],
                    g.padBegin[2], ctx.threads());
            w.input = x;
            return;
        }
        if (x.type() == DataType.FLOAT && id == null && y != null && isPlain2d(g)) {
            MaxPool2d.forward(x.data(), x.offset(), y.data(), y.offset(), planes, g.in[1], g.in[2], g.out[1],
                    g.out[2], g.kernel[1], g.kernel[2], g.strides[1], g.strides[2], g.padBegin[1], g.padBegin[2],
                    ctx.threads());
            return;
        }
        if (x.type() == DataType.FLOAT) {
            float[] yd = y == null ? ctx.scratch(outSize) : y.data();
            PoolKernels.maxPoolNaive(x.data(), x.offset(), yd, y == null ? 0 : y.offset(), id, idOff,
                    storageOrder == 1, planes, g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
            return;
        }
        // int8 / uint8: widen to float (exact), pool, narrow back (exact: the max is one of the inputs)
        int inSize = x.size();
        float[] buf = ctx.scratch(inSize + outSize);
        byte[] xb = x.byteData();
        boolean unsigned = x.type() == DataType.UINT8;
        for (int i = 0; i < inSize; i++) {
            byte v = xb[x.offset() + i];
            buf[i] = unsigned ? v & 0xFF : v;
        }
        PoolKernels.maxPoolNaive(buf, 0, buf, inSize, id, idOff, storageOrder == 1, planes,
                g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
        if (y != null) {
            byte[] yb = y.byteData();
            for (int i = 0; i < outSize; i++) {
                yb[y.offset() + i] = (byte) (int) buf[inSize + i];
            }
        }
    }

    /**
     * {@code dX[argmax of each window] += dY}. Only float inputs are differentiable; the Indices
     * output carries no gradient.
     */
    /** Where each output's maximum came from, recorded by a training forward pass for the backward. */
    private static final class Winners {
        final int[] index;
        Tensor input;

        Winners(int outputs) {
            index = new int[outputs];
        }
    }

    /** 2-D (or 1-D) pooling without dilation: what the fast kernels handle. */
    private static boolean isPlain2d(WindowGeometry g) {
        return g.in[0] == 1 && g.kernel[0] == 1 && g.dilations[1] == 1 && g.dilations[2] == 1;
    }

    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null) {
            return;
        }
        if (x.type() != DataType.FLOAT) {
            throw new IllegalStateException("MaxPool backward needs a FLOAT input, found " + x.type());
        }
        WindowGeometry g = window.geometry(x.shape(), null, ctx);
        if (g.opCache instanceof Winners w && w.input == x && w.index.length == dy.size()) {
            PoolKernels.maxPoolScatter(w.index, dy.size(), dy.data(), dy.offset(), dx.data(), dx.offset());
            return;
        }
        PoolKernels.maxPoolBackward(x.data(), x.offset(), dy.data(), dy.offset(), dx.data(), dx.offset(),
                x.shape().dim(0) * x.shape().dim(1), g.in, g.out, g.kernel, g.strides, g.padBegin, g.dilations);
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaxPool m && m.storageOrder == storageOrder && m.window.equals(window);
    }

    @Override
    public int hashCode() {
        return Objects.hash(window, storageOrder);
    }

    @Override
    public String toString() {
        return "MaxPool" + attributes();
    }
}
