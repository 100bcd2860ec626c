package dev.minnow.engine.io.onnx;

import java.nio.file.Path;
import java.util.List;

/** Placeholder for the onnx branch's conformance runner, so that the CLI compiles before it lands. */
public final class OnnxConformance {
    private OnnxConformance() {
    }

    public static Path defaultRoot() {
        throw new UnsupportedOperationException("provided by the onnx branch");
    }

    public static List<Path> discover(Path root) {
        throw new UnsupportedOperationException("provided by the onnx branch");
    }

    public static ConformanceResult run(Path testDir) {
        throw new UnsupportedOperationException("provided by the onnx branch");
    }
}
