package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a tensor into consecutive pieces along one axis, the inverse of {@link Concat}. Viewing
 * the input as {@code [outer, D, inner]} with {@code D} its size along {@code axis}, output
 * {@code k} of length {@code s_k} takes
 * <pre>
 *   out_k[o, j, i] = in[o, (s_0 + ... + s_{k-1}) + j, i]      j = 0 .. s_k - 1,   sum_k s_k = D
 * </pre>
 * ShuffleNet V2 (Ma et al. 2018, "ShuffleNet V2: Practical Guidelines for Efficient CNN
 * Architecture Design") opens each unit with a <em>channel split</em>: half the channels pass
 * through untouched, the other half go through the unit's convolutions, and the two halves are
 * concatenated and shuffled again.
 *
 * <p>The lengths come from input 1 ({@code split}, int64, opset 13's form, which must be known
 * when planning), or, when it is absent, from {@code num_outputs} equal parts: {@code ceil(D / n)}
 * each, the last one taking what remains (the rule of opset 18, whose attribute name this is; an
 * opset-13 file states the count only through the node's outputs, so the ONNX reader supplies it
 * from there). Any element type; a negative axis counts from the end.
 */
public final class Split implements Op {
    private final int axis;
    private final int numOutputs;

    /**
     * @param axis       the axis to cut
     * @param numOutputs the number of equal parts, or 0 when the lengths come from input 1
     */
    public Split(int axis, int numOutputs) {
        if (numOutputs < 0) {
            throw new IllegalArgumentException("Split num_outputs must be >= 1 (or 0 for lengths given as input 1), got "
                    + numOutputs);
        }
        this.axis = axis;
        this.numOutputs = numOutputs;
    }

    /** A split whose lengths come from input 1 ({@code split}). */
    public Split(int axis) {
        this(axis, 0);
    }

    public static Split fromOnnx(Attributes attributes) {
        attributes.requireOnly("Split", "axis", "num_outputs");
        int n = attributes.getInt("num_outputs", 0);
        if (attributes.has("num_outputs") && n < 1) {
            throw new IllegalArgumentException("Split num_outputs must be >= 1, got " + n);
        }
        return new Split(attributes.getInt("axis", 0), n);
    }

    public int axis() {
        return axis;
    }

    /** The number of equal parts, or 0 when the lengths come from input 1. */
    public int numOutputs() {
        return numOutputs;
    }

    @Override
    public String opType() {
        return "Split";
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        if (axis != 0) {
            b.set("axis", (long) axis);
        }
        if (numOutputs > 0) {
            b.set("num_outputs", (long) numOutputs);
        }
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 1, 2);
        ValueInfo x = OpChecks.require(inputs, 0, "input");
        Shape s = x.shape();
        if (s.rank() == 0) {
            throw new IllegalArgumentException("Split cannot cut a scalar (rank 0)");
        }
        int a = s.normalizeAxis(axis);
        int[] lengths = lengths(OpChecks.optional(inputs, 1), s.dim(a));
        List<ValueInfo> outs = new ArrayList<>(lengths.length);
        for (int len : lengths) {
            outs.add(ValueInfo.of(x.type(), s.withDim(a, len)));
        }
        return outs;
    }

    private int[] lengths(ValueInfo split, int total) {
        if (split == null) {
            if (numOutputs == 0) {
                throw new IllegalArgumentException("Split needs its lengths: input 1 (split) or num_outputs equal parts");
            }
            int chunk = (total + numOutputs - 1) / numOutputs;
            int[] lengths = new int[numOutputs];
            Arrays.fill(lengths, chunk);
            lengths[numOutputs - 1] = total - chunk * (numOutputs - 1);
            if (lengths[numOutputs - 1] < 0) {
                throw new IllegalArgumentException("cannot cut an axis of " + total + " into " + numOutputs
                        + " parts of " + chunk + " (the last part would be negative)");
            }
            return lengths;
        }
        if (!split.isConstant()) {
            throw new IllegalArgumentException("input 1 (split) must be a constant (an initializer, or computed only "
                    + "from initializers and shapes); found a run-time value");
        }
        OpChecks.requireType(split, DataType.INT64, "split");
        OpChecks.requireRank(split, 1, "split");
        long[] given = split.constant().toLongArray();
        if (numOutputs > 0 && given.length != numOutputs) {
            throw new IllegalArgumentException("split holds " + given.length + " lengths but num_outputs is " + numOutputs);
        }
        int[] lengths = new int[given.length];
        long sum = 0;
        for (int i = 0; i < given.length; i++) {
            if (given[i] < 0 || given[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("split lengths must be >= 0, found " + Arrays.toString(given));
            }
            lengths[i] = (int) given[i];
            sum += given[i];
        }
        if (sum != total) {
            throw new IllegalArgumentException("split lengths " + Arrays.toString(given) + " add up to " + sum
                    + " but the axis has " + total + " elements");
        }
        return lengths;
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Shape s = x.shape();
        int a = s.normalizeAxis(axis);
        int outer = s.sizeBetween(0, a);
        int inner = s.sizeBetween(a + 1, s.rank());
        int row = s.dim(a) * inner;
        int start = 0;
        for (int k = 0; k < outputs.length; k++) {
            int length = partLength(inputs, k, s.dim(a)) * inner;
            Tensor y = outputs[k];
            for (int o = 0; y != null && o < outer; o++) {
                ElementCopy.copy(x, o * row + start, y, o * length, length);
            }
            start += length;
        }
    }

    /** {@code dInput[slice k] += dOut_k}: each output's gradient flows back to the slice it came from. */
    @Override
    public void backward(Tensor[] inputs, Tensor[] outputs, Tensor[] outputGrads, Tensor[] inputGrads,
                         ExecutionContext ctx) {
        Tensor dx = inputGrads[0];
        if (dx == null) {
            return;
        }
        Shape s = dx.shape();
        int a = s.normalizeAxis(axis);
        int outer = s.sizeBetween(0, a);
        int inner = s.sizeBetween(a + 1, s.rank());
        int row = s.dim(a) * inner;
        float[] dxd = dx.data();
        int start = 0;
        for (int k = 0; k < outputGrads.length; k++) {
            int length = partLength(inputs, k, s.dim(a)) * inner;
            Tensor dy = outputGrads[k];
            for (int o = 0; dy != null && o < outer; o++) {
                float[] dyd = dy.data();
                int from = dy.offset() + o * length;
                int to = dx.offset() + o * row + start;
                for (int i = 0; i < length; i++) {
                    dxd[to + i] += dyd[from + i];
                }
            }
            start += length;
        }
    }

    /** The length of part {@code k} along an axis of {@code total} (the rule of {@link #lengths}). */
    private int partLength(Tensor[] inputs, int k, int total) {
        Tensor split = inputs.length > 1 ? inputs[1] : null;
        if (split != null) {
            return (int) split.longData()[split.offset() + k];
        }
        int chunk = (total + numOutputs - 1) / numOutputs;
        return k < numOutputs - 1 ? chunk : total - chunk * (numOutputs - 1);
    }

    @Override
    public boolean hasBackward() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Split other && other.axis == axis && other.numOutputs == numOutputs;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Split.class.hashCode() + axis) + numOutputs;
    }

    @Override
    public String toString() {
        return "Split(axis=" + axis + (numOutputs > 0 ? ", num_outputs=" + numOutputs : "") + ")";
    }
}
