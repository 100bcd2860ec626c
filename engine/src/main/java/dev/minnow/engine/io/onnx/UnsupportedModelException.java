package dev.minnow.engine.io.onnx;

import dev.minnow.engine.io.ModelFormatException;

/**
 * A well-formed ONNX file that uses something Minnow does not implement: an op or domain, an
 * element type (double, float16, strings), external or sparse data, subgraphs, an opset outside
 * the supported range. Distinct from a corrupt file so that callers (the conformance runner, the
 * CLI) can say "not supported" rather than "broken".
 */
public class UnsupportedModelException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    public UnsupportedModelException(String message) {
        super(message);
    }

    public UnsupportedModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
