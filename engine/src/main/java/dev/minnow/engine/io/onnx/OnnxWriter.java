package dev.minnow.engine.io.onnx;

import dev.minnow.engine.graph.Graph;
import java.io.IOException;
import java.nio.file.Path;

/** Placeholder for the onnx branch's writer, so that the CLI compiles before it lands. */
public final class OnnxWriter {
    private OnnxWriter() {
    }

    public static void write(Graph graph, Path file) throws IOException {
        throw new UnsupportedOperationException("provided by the onnx branch");
    }
}
