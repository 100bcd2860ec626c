package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import java.util.List;

/**
 * The checks every op repeats while inferring shapes, each failing with a message that says
 * what was expected and what was found (the planner adds the node's name).
 */
public final class OpChecks {
    private OpChecks() {
    }

    /** Exactly one input, present. */
    public static ValueInfo single(List<ValueInfo> inputs, String name) {
        requireCount(inputs, 1, 1);
        return require(inputs, 0, name);
    }

    /** Between {@code min} and {@code max} inputs (trailing absent ones count as absent). */
    public static void requireCount(List<ValueInfo> inputs, int min, int max) {
        if (inputs.size() < min || inputs.size() > max) {
            throw new IllegalArgumentException(min == max
                    ? "expected " + min + " input(s), got " + inputs.size()
                    : "expected " + min + " to " + max + " inputs, got " + inputs.size());
        }
    }

    /** Input {@code i}, which must be present. */
    public static ValueInfo require(List<ValueInfo> inputs, int i, String name) {
        if (i >= inputs.size() || inputs.get(i) == null) {
            throw new IllegalArgumentException("input " + i + " (" + name + ") is required but absent");
        }
        return inputs.get(i);
    }

    /** Input {@code i}, or {@code null} when absent. */
    public static ValueInfo optional(List<ValueInfo> inputs, int i) {
        return i < inputs.size() ? inputs.get(i) : null;
    }

    public static void requireType(ValueInfo v, DataType type, String name) {
        if (v.type() != type) {
            throw new IllegalArgumentException(name + " must be " + type + ", found " + v.type());
        }
    }

    public static void requireRank(ValueInfo v, int rank, String name) {
        if (v.shape().rank() != rank) {
            throw new IllegalArgumentException(name + " must have rank " + rank + ", found shape " + v.shape());
        }
    }

    /** A constant input (Reshape's shape, Pad's pads...), which must be known when planning. */
    public static ValueInfo requireConstant(List<ValueInfo> inputs, int i, String name) {
        ValueInfo v = require(inputs, i, name);
        if (!v.isConstant()) {
            throw new IllegalArgumentException("input " + i + " (" + name + ") must be a constant "
                    + "(an initializer, or computed only from initializers and shapes); found a run-time value");
        }
        return v;
    }
}
