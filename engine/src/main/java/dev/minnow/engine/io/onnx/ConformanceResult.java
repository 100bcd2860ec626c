package dev.minnow.engine.io.onnx;

/**
 * The outcome of one ONNX conformance test directory.
 *
 * @param name   the suite and test, e.g. {@code node/test_relu}
 * @param status {@link Status#PASS}, {@link Status#FAIL} or {@link Status#SKIP}
 * @param detail why it failed or was skipped (the first mismatch, the unsupported op), or a
 *               short note for a pass
 */
public record ConformanceResult(String name, Status status, String detail) {

    /** PASS: every output within tolerance; FAIL: a wrong result or an error; SKIP: uses what Minnow lacks. */
    public enum Status { PASS, FAIL, SKIP }
}
