package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Gives the input a new shape with the same elements in the same (row-major) order. The target
 * comes from input 1, an int64 vector that must be known when planning (an initializer, or a
 * {@code Shape -> Gather -> Concat} chain the planner folds). Its entries mean:
 * <ul>
 *   <li>{@code n > 0}: that size;</li>
 *   <li>{@code 0}: the input's size at the same index (with {@code allowzero=1}: a literal 0,
 *       for empty tensors);</li>
 *   <li>{@code -1}, at most once: whatever makes the element counts match,
 *       {@code size(input) / product(other sizes)}.</li>
 * </ul>
 * Example: {@code [2, 3, 4]} with shape {@code [2, 0, -1]} gives {@code [2, 3, 4]}; with
 * {@code [-1]} gives {@code [24]}. Any element type; the planner aliases the storage.
 *
 * <p>Backward: {@code dL/dx} is {@code dL/dy} with the input's shape (the same elements in the
 * same order). The planner skips this op's forward (a view), but its backward runs.
 */
public final class Reshape implements ReshapeView {
    private final boolean allowZero;

    /** {@code allowZero}: a 0 in the target shape is a literal size 0, not "copy the input's size". */
    public Reshape(boolean allowZero) {
        this.allowZero = allowZero;
    }

    public Reshape() {
        this(false);
    }

    public static Reshape fromOnnx(Attributes attributes) {
        attributes.requireOnly("Reshape", "allowzero");
        long allowZero = attributes.getLong("allowzero", 0);
        if (allowZero != 0 && allowZero != 1) {
            throw new IllegalArgumentException("Reshape: allowzero must be 0 or 1, got " + allowZero);
        }
        return new Reshape(allowZero == 1);
    }

    public boolean allowZero() {
        return allowZero;
    }

    @Override
    public String opType() {
        return "Reshape";
    }

    @Override
    public Attributes attributes() {
        return allowZero ? Attributes.builder().set("allowzero", 1L).build() : Attributes.empty();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        OpChecks.requireCount(inputs, 2, 2);
        ValueInfo data = OpChecks.require(inputs, 0, "data");
        ValueInfo shape = OpChecks.requireConstant(inputs, 1, "shape");
        OpChecks.requireType(shape, DataType.INT64, "shape");
        OpChecks.requireRank(shape, 1, "shape");
        return List.of(ValueInfo.of(data.type(), targetShape(data.shape(), shape.constant().toLongArray(), allowZero)));
    }

    /**
     * The shape that {@code spec} (Reshape's shape input) gives an input of shape {@code input}.
     *
     * @throws IllegalArgumentException for two -1s, an entry below -1, a 0 beyond the input's rank,
     *         or element counts that cannot match, naming the input shape and the spec
     */
    public static Shape targetShape(Shape input, long[] spec, boolean allowZero) {
        String what = "cannot reshape " + input + " (" + input.size() + " elements) to " + Arrays.toString(spec);
        int[] dims = new int[spec.length];
        int inferred = -1;
        boolean hasZero = false;
        long known = 1;
        for (int i = 0; i < spec.length; i++) {
            long v = spec[i];
            if (v == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException(what + ": more than one -1 (at indices " + inferred + " and "
                            + i + "); only one size can be inferred");
                }
                inferred = i;
                continue;
            }
            if (v < -1 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + ": entry " + i + " is " + v + "; sizes must be >= 0, "
                        + "0 copies the input's size, -1 infers one size");
            }
            if (v == 0 && !allowZero) {
                if (i >= input.rank()) {
                    throw new IllegalArgumentException(what + ": entry " + i + " is 0 (copy the input's size) but "
                            + "the input has only " + input.rank() + " dimensions");
                }
                v = input.dim(i);
            } else if (v == 0) {
                hasZero = true;
            }
            dims[i] = (int) v;
            known *= v;
        }
        if (inferred >= 0) {
            if (hasZero) {
                throw new IllegalArgumentException(what + ": with allowzero=1 a shape cannot hold both 0 and -1");
            }
            if (known == 0 || input.size() % known != 0) {
                throw new IllegalArgumentException(what + ": the -1 cannot be inferred, " + input.size()
                        + " elements are not a multiple of the other sizes' product " + known);
            }
            dims[inferred] = (int) (input.size() / known);
        } else if (known != input.size()) {
            throw new IllegalArgumentException(what + ": that shape has " + known + " elements");
        }
        return Shape.of(dims);
    }

    /** Only {@code data} is trainable; {@code shape} is a setting. */
    @Override
    public boolean isTrainableInput(int index) {
        return index == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reshape other && other.allowZero == allowZero;
    }

    @Override
    public int hashCode() {
        return Reshape.class.hashCode() + (allowZero ? 1 : 0);
    }

    @Override
    public String toString() {
        return allowZero ? "Reshape(allowzero=1)" : "Reshape";
    }
}
