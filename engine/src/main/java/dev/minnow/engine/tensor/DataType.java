package dev.minnow.engine.tensor;

/**
 * Element types a {@link Tensor} can hold. Networks compute in {@link #FLOAT}; the integer types
 * exist because ONNX graphs carry shapes and indices as int64 and quantized models carry int8,
 * uint8 and int32, and 16-bit models carry int16 or float16 weights (storage only: they are widened
 * to float before any arithmetic). The numeric codes are ONNX's {@code TensorProto.DataType}.
 */
public enum DataType {
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    INT16(5, 2),
    INT32(6, 4),
    INT64(7, 8),
    BOOL(9, 1),
    /** IEEE 754 half precision, a storage type only (weights kept in 2 bytes; computed in float). */
    FLOAT16(10, 2);

    private final int onnxCode;
    private final int byteSize;

    DataType(int onnxCode, int byteSize) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
    }

    /** The {@code TensorProto.DataType} number. */
    public int onnxCode() {
        return onnxCode;
    }

    /** Bytes per element in ONNX's raw_data and our files. */
    public int byteSize() {
        return byteSize;
    }

    /** The type for an ONNX code, or {@code null} when Minnow has no such type. */
    public static DataType fromOnnx(int code) {
        for (DataType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        return null;
    }

    /** ONNX's name for a type code, for error messages about types we do not support. */
    public static String onnxName(int code) {
        String[] names = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
            "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
        return code >= 0 && code < names.length ? names[code] : "type " + code;
    }
}
