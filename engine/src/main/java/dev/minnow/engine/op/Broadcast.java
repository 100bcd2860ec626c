package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Shape;
import java.util.Arrays;

/**
 * Numpy's multidirectional broadcasting of two shapes, and a walk over the output that visits
 * the elements of both operands in long contiguous runs.
 *
 * <p><b>The rule.</b> Align the two shapes at their last dimension, padding the shorter one with
 * leading 1s. In every dimension the sizes must be equal, or one of them must be 1; the output
 * size is the larger one, and an operand of size 1 is repeated along that dimension:
 * <pre>
 *   out[d] = max(a[d], b[d])                 allowed when a[d] == b[d], a[d] == 1 or b[d] == 1
 *   C[i_0, ..., i_{r-1}] = f(A[j_0, ...], B[k_0, ...])
 *        with j_d = 0 where a[d] == 1, else i_d   (and k_d likewise for B)
 * </pre>
 * Examples: {@code [2,3,4,5] + [5] -> [2,3,4,5]}; {@code [N,C,H,W] + [C,1,1]} adds a per-channel
 * bias; {@code [3,1] + [1,4] -> [3,4]} broadcasts both operands.
 *
 * <p><b>The walk.</b> Rather than computing two input indices per output element, the output is
 * cut into {@link #runCount()} runs of {@link #runLength()} consecutive elements over which each
 * operand either advances by one element ({@link #aStep()} = 1) or stays on one element
 * (step 0). The runs are as long as the shapes allow: equal shapes give one run over everything,
 * a scalar operand one run with step 0, a {@code [C,1,1]} bias over {@code [N,C,H,W]} runs of
 * {@code H*W} with the bias fixed. {@link #aStart(int)} and {@link #bStart(int)} give where each
 * operand starts in a run; run {@code r} starts at output element {@code r * runLength()}.
 *
 * <p>Immutable; ops keep one per node in the execution context and rebuild it only when shapes
 * change ({@link #fits}).
 */
public final class Broadcast {
    private final Shape aShape;
    private final Shape bShape;
    private final Shape output;
    private final int[] outerDims;
    private final int[] aOuterStrides;
    private final int[] bOuterStrides;
    private final int runLength;
    private final int runCount;
    private final int aStep;
    private final int bStep;

    private Broadcast(Shape a, Shape b) {
        this.aShape = a;
        this.bShape = b;
        this.output = outputShape(a, b);
        int rank = output.rank();
        int[] out = output.dims();
        int[] ad = aligned(a, rank);
        int[] bd = aligned(b, rank);
        // Grow the run inward-out while each operand stays "full" (step 1) or "repeated" (step 0).
        int aKind = 0;
        int bKind = 0; // 0 undecided, 1 full, -1 repeated
        int k = rank;
        while (k > 0) {
            int d = k - 1;
            int na = kindAfter(aKind, ad[d], out[d]);
            int nb = kindAfter(bKind, bd[d], out[d]);
            if (na == 2 || nb == 2) {
                break;
            }
            aKind = na;
            bKind = nb;
            k--;
        }
        this.aStep = aKind == 1 ? 1 : 0;
        this.bStep = bKind == 1 ? 1 : 0;
        long len = 1;
        for (int d = k; d < rank; d++) {
            len *= out[d];
        }
        this.runLength = (int) len;
        long count = 1;
        for (int d = 0; d < k; d++) {
            count *= out[d];
        }
        this.runCount = (int) count;
        this.outerDims = Arrays.copyOf(out, k);
        this.aOuterStrides = outerStrides(ad, k);
        this.bOuterStrides = outerStrides(bd, k);
    }

    /** The walk for operands of these shapes. */
    public static Broadcast of(Shape a, Shape b) {
        return new Broadcast(a, b);
    }

    /**
     * The broadcast output shape.
     *
     * @throws IllegalArgumentException naming both shapes and the first dimension that differs
     */
    public static Shape outputShape(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] ad = aligned(a, rank);
        int[] bd = aligned(b, rank);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            if (ad[i] == bd[i] || bd[i] == 1) {
                out[i] = ad[i];
            } else if (ad[i] == 1) {
                out[i] = bd[i];
            } else {
                throw new IllegalArgumentException("shapes " + a + " and " + b + " cannot be broadcast: "
                        + "dimension " + (i - rank) + " (counting from the end) is " + ad[i] + " vs " + bd[i]
                        + "; sizes must be equal or one of them 1");
            }
        }
        return Shape.of(out);
    }

    /** True when this walk was built for exactly these operand shapes. */
    public boolean fits(Shape a, Shape b) {
        return aShape.equals(a) && bShape.equals(b);
    }

    public Shape output() {
        return output;
    }

    public int runCount() {
        return runCount;
    }

    public int runLength() {
        return runLength;
    }

    /** 1 when operand a advances along a run, 0 when one of its elements is repeated. */
    public int aStep() {
        return aStep;
    }

    public int bStep() {
        return bStep;
    }

    /** Index (from a's first element) of a's element at the start of run {@code run}. */
    public int aStart(int run) {
        return start(run, aOuterStrides);
    }

    public int bStart(int run) {
        return start(run, bOuterStrides);
    }

    private int start(int run, int[] strides) {
        int idx = 0;
        int rest = run;
        for (int d = outerDims.length - 1; d >= 0; d--) {
            int size = outerDims[d];
            idx += (rest % size) * strides[d];
            rest /= size;
        }
        return idx;
    }

    /** Kind of an operand after including one more (outer) dimension in the run, or 2 when it cannot. */
    private static int kindAfter(int kind, int dim, int out) {
        if (out == 1) {
            return kind; // a size-1 output dimension fits any kind
        }
        int needed = dim == out ? 1 : -1;
        return kind == 0 || kind == needed ? needed : 2;
    }

    /** Row-major strides of an operand over the outer k dimensions, 0 where it is repeated. */
    private static int[] outerStrides(int[] dims, int k) {
        int[] s = new int[k];
        long acc = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            if (d < k) {
                s[d] = dims[d] == 1 ? 0 : (int) acc;
            }
            acc *= dims[d];
        }
        return s;
    }

    private static int[] aligned(Shape s, int rank) {
        int[] d = new int[rank];
        int pad = rank - s.rank();
        for (int i = 0; i < rank; i++) {
            d[i] = i < pad ? 1 : s.dim(i - pad);
        }
        return d;
    }

    @Override
    public String toString() {
        return "Broadcast(" + aShape + " with " + bShape + " -> " + output + ": " + runCount + " runs of "
                + runLength + ", steps " + aStep + "/" + bStep + ")";
    }
}
