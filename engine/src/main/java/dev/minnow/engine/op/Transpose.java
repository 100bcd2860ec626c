package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Permutes the axes: output axis {@code j} is input axis {@code perm[j]}, so
 * <pre>
 *   out.shape[j] = in.shape[perm[j]]
 *   out[i_0, ..., i_{r-1}] = in[k]   with k[perm[j]] = i_j
 * </pre>
 * Without {@code perm} the axes are reversed (a matrix transpose for rank 2). NCHW to NHWC is
 * {@code perm = [0, 2, 3, 1]}; PixelShuffle and channel shuffle are a Reshape, a Transpose and a
 * Reshape. Any element type.
 *
 * <p>The output is written row by row (its last axis); each row reads the input with the stride
 * of input axis {@code perm[r-1]}, which is a plain block copy when that axis is the input's last.
 *
 * <p>Backward: a transpose only moves elements, one to one, so the gradient moves back along the
 * same paths, {@code dL/din[k] = dL/dout[i]}: the transpose by the inverse permutation
 * ({@code perm^-1[perm[j]] = j}). Computed by walking the forward's rows and adding
 * {@code dY[row, i]} into {@code dX[src + i * step]} (float only).
 */
public final class Transpose implements Op {
    private final int[] perm;

    /** A transpose with this permutation of the input's axes. */
    public Transpose(int... perm) {
        boolean[] seen = new boolean[perm.length];
        for (int p : perm) {
            if (p < 0 || p >= perm.length || seen[p]) {
                throw new IllegalArgumentException("perm " + Arrays.toString(perm) + " is not a permutation of 0.."
                        + (perm.length - 1));
            }
            seen[p] = true;
        }
        this.perm = perm.clone();
    }

    /** Reverses the axes, whatever the rank. */
    public static Transpose reversed() {
        return new Transpose(REVERSED);
    }

    private static final Void REVERSED = null;

    /** The transpose that reverses the axes (no perm attribute). */
    private Transpose(Void reversed) {
        this.perm = null;
    }

    public static Transpose fromOnnx(Attributes attributes) {
        attributes.requireOnly("Transpose", "perm");
        int[] p = attributes.getInts("perm", null);
        return p == null ? reversed() : new Transpose(p);
    }

    /** The permutation, or {@code null} when the axes are reversed whatever the rank. */
    public int[] perm() {
        return perm == null ? null : perm.clone();
    }

    @Override
    public String opType() {
        return "Transpose";
    }

    @Override
    public Attributes attributes() {
        return perm == null ? Attributes.empty() : Attributes.builder().set("perm", perm).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "data");
        Shape s = x.shape();
        if (perm != null && perm.length != s.rank()) {
            throw new IllegalArgumentException("perm " + Arrays.toString(perm) + " has " + perm.length
                    + " entries but the input " + s + " has rank " + s.rank());
        }
        int[] dims = new int[s.rank()];
        for (int j = 0; j < dims.length; j++) {
            dims[j] = s.dim(axisOf(j, dims.length));
        }
        return List.of(ValueInfo.of(x.type(), Shape.of(dims)));
    }

    /** The input axis that output axis {@code j} comes from. */
    private int axisOf(int j, int rank) {
        return perm == null ? rank - 1 - j : perm[j];
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        Shape in = x.shape();
        Shape out = y.shape();
        int r = in.rank();
        if (r == 0 || y.size() == 0) {
            if (y.size() == 1) {
                ElementCopy.copy(x, 0, y, 0, 1);
            }
            return;
        }
        int width = out.dim(r - 1);
        int step = in.sizeBetween(axisOf(r - 1, r) + 1, r);
        int rows = y.size() / width;
        for (int row = 0; row < rows; row++) {
            copyStrided(x, rowSource(row, in, out), step, y, row * width, width);
        }
    }

    /** Adds {@code dY} into {@code dX} along the paths the forward copied: {@code dX[src + i*step] += dY[row, i]}. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dy = outputGrads[0];
        Tensor dx = inputGrads[0];
        if (dy == null || dx == null || dx.type() != DataType.FLOAT || dy.size() == 0) {
            return;
        }
        Shape in = dx.shape();
        Shape out = dy.shape();
        int r = in.rank();
        if (r == 0) {
            ElementCopy.accumulate(dy, 0, dx, 0, 1);
            return;
        }
        int width = out.dim(r - 1);
        int step = in.sizeBetween(axisOf(r - 1, r) + 1, r);
        int rows = dy.size() / width;
        float[] dyd = dy.data();
        float[] dxd = dx.data();
        for (int row = 0; row < rows; row++) {
            int src = dx.offset() + rowSource(row, in, out);
            int g = dy.offset() + row * width;
            for (int i = 0; i < width; i++) {
                dxd[src + i * step] += dyd[g + i];
            }
        }
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    /** Where in the input output row {@code row} (over all output axes but the last) starts reading. */
    private int rowSource(int row, Shape in, Shape out) {
        int r = in.rank();
        int src = 0;
        int rest = row;
        for (int j = r - 2; j >= 0; j--) {
            int size = out.dim(j);
            src += (rest % size) * in.sizeBetween(axisOf(j, r) + 1, r);
            rest /= size;
        }
        return src;
    }

    /** {@code y[dst + i] = x[src + i * step]} for {@code i < n}. */
    private static void copyStrided(Tensor x, int src, int step, Tensor y, int dst, int n) {
        if (step == 1) {
            ElementCopy.copy(x, src, y, dst, n);
            return;
        }
        int xi = x.offset() + src;
        int yi = y.offset() + dst;
        switch (x.type()) {
            case FLOAT -> {
                float[] xd = x.data();
                float[] yd = y.data();
                for (int i = 0; i < n; i++) {
                    yd[yi + i] = xd[xi + i * step];
                }
            }
            case INT64 -> {
                long[] xd = x.longData();
                long[] yd = y.longData();
                for (int i = 0; i < n; i++) {
                    yd[yi + i] = xd[xi + i * step];
                }
            }
            case INT32 -> {
                int[] xd = x.intData();
                int[] yd = y.intData();
                for (int i = 0; i < n; i++) {
                    yd[yi + i] = xd[xi + i * step];
                }
            }
            default -> {
                byte[] xd = x.byteData();
                byte[] yd = y.byteData();
                for (int i = 0; i < n; i++) {
                    yd[yi + i] = xd[xi + i * step];
                }
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Transpose other && Arrays.equals(other.perm, perm);
    }

    @Override
    public int hashCode() {
        return 31 * Transpose.class.hashCode() + Arrays.hashCode(perm);
    }

    @Override
    public String toString() {
        return "Transpose(perm=" + (perm == null ? "reversed" : Arrays.toString(perm)) + ")";
    }
}
