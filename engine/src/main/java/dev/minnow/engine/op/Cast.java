package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Float16;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;

/**
 * Converts every element to the type {@code to} (an ONNX {@code TensorProto.DataType} code).
 * Exporters cast around shape arithmetic (int64 sizes to float for a scale and back); image
 * pipelines cast uint8 pixels to float. Between Minnow's types FLOAT, UINT8, INT8, INT32, INT64
 * and BOOL, as C's casts do it:
 * <ul>
 *   <li>float to integer truncates toward zero ({@code -2.7 -> -2}); NaN gives 0, values beyond
 *       the range of int32/int64 saturate, and to 8 bits the truncated value keeps its low bits
 *       (C leaves these cases undefined);</li>
 *   <li>integer to a narrower integer keeps the low bits ({@code 300 -> uint8 44});</li>
 *   <li>to BOOL: non-zero is true; from BOOL: 1 or 0.</li>
 * </ul>
 * int64 to float rounds to the nearest float. FLOAT16 and INT16 (16-bit storage of weights) convert
 * through float: a half widens exactly, a float narrows to the nearest half (ties to even,
 * {@link Float16}). Other targets (DOUBLE, STRING...) are refused with a message.
 */
public final class Cast implements Op {
    private final DataType to;

    public Cast(DataType to) {
        if (to == null) {
            throw new IllegalArgumentException("Cast needs a target type");
        }
        this.to = to;
    }

    /** Reads the {@code to} attribute; opset 19's {@code saturate} only concerns float8 types and is ignored. */
    public static Cast fromOnnx(Attributes attributes) {
        attributes.requireOnly("Cast", "to", "saturate");
        if (!attributes.has("to")) {
            throw new IllegalArgumentException("Cast needs the attribute 'to'");
        }
        int code = attributes.getInt("to", 0);
        DataType t = DataType.fromOnnx(code);
        if (t == null) {
            throw new IllegalArgumentException("Cast to " + DataType.onnxName(code) + " is not supported (Minnow "
                    + "supports FLOAT, FLOAT16, UINT8, INT8, INT16, INT32, INT64 and BOOL)");
        }
        return new Cast(t);
    }

    public DataType to() {
        return to;
    }

    @Override
    public String opType() {
        return "Cast";
    }

    @Override
    public Attributes attributes() {
        return Attributes.builder().set("to", (long) to.onnxCode()).build();
    }

    @Override
    public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
        ValueInfo x = OpChecks.single(inputs, "input");
        return List.of(ValueInfo.of(to, x.shape()));
    }

    @Override
    public void forward(Tensor[] inputs, Tensor[] outputs, ExecutionContext ctx) {
        Tensor x = inputs[0];
        Tensor y = outputs[0];
        if (x.type() == to) {
            y.copyFrom(x);
            return;
        }
        if (x.type() == DataType.FLOAT16) {
            x = Float16.widen(x);
            if (to == DataType.FLOAT) {
                y.copyFrom(x);
                return;
            }
        }
        int n = x.size();
        int yo = y.offset();
        switch (to) {
            case FLOAT -> {
                float[] yd = y.data();
                for (int i = 0; i < n; i++) {
                    yd[yo + i] = integerAt(x, i); // x is an integer type here
                }
            }
            case FLOAT16 -> {
                short[] yd = y.shortData();
                for (int i = 0; i < n; i++) {
                    yd[yo + i] = Float16.fromFloat(x.type() == DataType.FLOAT ? x.get(i) : (float) integerAt(x, i));
                }
            }
            case INT16 -> {
                short[] yd = y.shortData();
                for (int i = 0; i < n; i++) {
                    yd[yo + i] = (short) (x.type() == DataType.FLOAT ? (long) x.get(i) : integerAt(x, i));
                }
            }
            case INT64 -> {
                long[] yd = y.longData();
                for (int i = 0; i < n; i++) {
                    yd[yo + i] = x.type() == DataType.FLOAT ? (long) x.get(i) : integerAt(x, i);
                }
            }
            case INT32 -> {
                int[] yd = y.intData();
                for (int i = 0; i < n; i++) {
                    yd[yo + i] = x.type() == DataType.FLOAT ? (int) x.get(i) : (int) integerAt(x, i);
                }
            }
            case BOOL -> {
                byte[] yd = y.byteData();
                for (int i = 0; i < n; i++) {
                    boolean nonZero = x.type() == DataType.FLOAT ? x.get(i) != 0 : integerAt(x, i) != 0;
                    yd[yo + i] = (byte) (nonZero ? 1 : 0);
                }
            }
            case INT8, UINT8 -> {
                byte[] yd = y.byteData();
                for (int i = 0; i < n; i++) {
                    yd[yo + i] = (byte) (x.type() == DataType.FLOAT ? (long) x.get(i) : integerAt(x, i));
                }
            }
        }
    }

    /** Element {@code i} of an integer or BOOL tensor (uint8 read as 0..255). */
    private static long integerAt(Tensor x, int i) {
        int at = x.offset() + i;
        return switch (x.type()) {
            case INT64 -> x.longData()[at];
            case INT32 -> x.intData()[at];
            case UINT8 -> x.byteData()[at] & 0xFF;
            case INT8, BOOL -> x.byteData()[at];
            case INT16 -> x.shortData()[at];
            case FLOAT, FLOAT16 -> throw new IllegalStateException("not an integer tensor: " + x);
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cast other && other.to == to;
    }

    @Override
    public int hashCode() {
        return 31 * Cast.class.hashCode() + to.hashCode();
    }

    @Override
    public String toString() {
        return "Cast(to=" + to + ")";
    }
}
