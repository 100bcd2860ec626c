package dev.minnow.engine.io.onnx;

/** Placeholder for the onnx branch's conformance result. */
public record ConformanceResult(String name, Status status, String detail) {
    public enum Status { PASS, FAIL, SKIP }
}
