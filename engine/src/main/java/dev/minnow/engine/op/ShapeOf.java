package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * ONNX {@code Shape}: the dimensions of the input as an int64 vector, optionally a slice
 * {@code [start, end)} of them (opset 15). Negative start/end count from the end; both are then
 * clamped to {@code [0, rank]}, and an empty slice gives an empty vector:
 * <pre>
 *   [3, 4, 5] -&gt; [3, 4, 5];   start=1 -&gt; [4, 5];   end=-1 -&gt; [3, 4];   start=-10 -&gt; [3, 4, 5]
 * </pre>
 * Named {@code ShapeOf} so as not to hide {@link Shape}. Plans are made for concrete shapes, so
 * {@link #inferOutputs} returns the vector as a constant: the planner never runs this node and
 * folds the {@code Shape -> Gather -> Concat -> Reshape} arithmetic exporters build on it.
 */
public final class ShapeOf implements Op {
    private final long start;
    private final Long end;

    /** The whole shape. */
    public ShapeOf() {
        this(0, null);
    }

    /** Dimensions {@code [start, end)}; {@code end == null} means up to the last. */
    public ShapeOf(long start, Long end) {
        this.start = start;
        this.end = end;
    }

    public static ShapeOf fromOnnx(Attributes attributes) {
        attributes.requireOnly("Shape", "start", "end");
        return new ShapeOf(attributes.getLong("start", 0),
                attributes.has("end") ? attributes.getLong("end", 0) : null);
    }

    @Override
    public String opType() {
        return "Shape";
    }

    @Override
    public Attributes attributes() {
        Attributes.Builder b = Attributes.builder();
        if (start != 0) {
            b.set("start", start);
        }
        if (end != null) {
            b.set("end", end.longValue());
        }
        return b.build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "data");
        return List.of(ValueInfo.constant(dims(x.shape())));
    }

    /** The (sliced) dimensions of {@code s} as an int64 vector. */
    public Tensor dims(Shape s) {
        int r = s.rank();
        int from = clamp(start, r);
        int to = end == null ? r : clamp(end, r);
        int n = Math.max(0, to - from);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = s.dim(from + i);
        }
        return Tensor.ofLongs(Shape.of(n), v);
    }

    private static int clamp(long index, int rank) {
        long i = index < 0 ? index + rank : index;
        return (int) Math.max(0, Math.min(rank, i));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Shape s = inputs[0].shape();
        Tensor y = outputs[0];
        int from = clamp(start, s.rank());
        long[] yd = y.longData();
        for (int i = 0; i < y.size(); i++) {
            yd[y.offset() + i] = s.dim(from + i);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShapeOf other && other.start == start && Objects.equals(other.end, end);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(start) + Objects.hashCode(end);
    }

    @Override
    public String toString() {
        if (start == 0 && end == null) {
            return "Shape";
        }
        return "Shape(start=" + start + ", end=" + (end == null ? "rank" : end) + ")";
    }
}
