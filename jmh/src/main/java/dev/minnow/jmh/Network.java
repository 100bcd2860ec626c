package dev.minnow.jmh;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.tensor.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole networks of the speed issue: torchvision's models with random weights, exported to
 * ONNX (opset 13, eval mode, input {@code [N, 3, 224, 224]}) by {@code jmh/scripts/export_torchvision.py}.
 * Minnow and ONNX Runtime load the same file.
 *
 * <p>The files live in a git-ignored directory: {@code $MINNOW_MODELS} when set, else
 * {@code jmh/models} under the working directory (or {@code models} when the benchmarks run from
 * {@code jmh/} itself).
 */
public enum Network {
    SQUEEZENET1_1("squeezenet1_1", "SqueezeNet 1.1"),
    MOBILENET_V2("mobilenet_v2", "MobileNet-V2"),
    RESNET18("resnet18", "ResNet-18"),
    GOOGLENET("googlenet", "GoogLeNet");

    /** What to run when a model file is missing. */
    public static final String EXPORT_COMMAND = "/usr/bin/python3 jmh/scripts/export_torchvision.py";

    private final String fileStem;
    private final String description;

    Network(String fileStem, String description) {
        this.fileStem = fileStem;
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** {@code [batch, 3, 224, 224]}, the input the script exports with. */
    public Shape inputShape(int batch) {
        return Shape.of(batch, 3, 224, 224);
    }

    /** The ONNX file's path (it may not exist; see {@link #requireFile()}). */
    public Path file() {
        return modelsDirectory().resolve(fileStem + ".onnx");
    }

    /** The ONNX file, or an exception that says how to make it. */
    public Path requireFile() {
        Path f = file();
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException("missing model file " + f.toAbsolutePath() + ": export the torchvision"
                    + " models first, from the repository root: " + EXPORT_COMMAND
                    + " (or set MINNOW_MODELS to the directory holding them)");
        }
        return f;
    }

    /**
     * The model as Minnow runs it: read from the ONNX file, then the exact inference optimisations
     * that {@code ./minnow bench} applies on loading ({@link GraphOptimizer#standard()}: activations
     * fused into convolutions, BN folded, dropout removed), as ONNX Runtime runs it with its graph
     * optimisations at ALL.
     */
    public Graph graph() {
        return GraphOptimizer.standard().optimize(loaded()).graph();
    }

    /** The model exactly as the ONNX file describes it. */
    public Graph loaded() {
        try {
            return OnnxReader.read(requireFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file() + ": " + e.getMessage(), e);
        }
    }

    /** {@code $MINNOW_MODELS}, else {@code jmh/models} or, from inside {@code jmh/}, {@code models}. */
    public static Path modelsDirectory() {
        String env = System.getenv("MINNOW_MODELS");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path fromRoot = Path.of("jmh", "models");
        if (Files.isDirectory(fromRoot) || !Files.isDirectory(Path.of("models"))) {
            return fromRoot;
        }
        return Path.of("models");
    }
}
