package dev.minnow.zoo.cli;

import dev.minnow.compression.format.MnzFile;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.zoo.models.Zoo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Turns what a user types as MODEL into a graph: a zoo name ({@code resnet18}), a Minnow model
 * file ({@code .mnw}), a compressed Minnow model ({@code .mnz}, decoded to its shared weights),
 * both recognised by their signatures whatever the file's name, or an ONNX file. Every command that takes a
 * model goes through here, so they all accept the same things.
 */
final class ModelSource {

    /** A loaded model and where it came from ({@code zoo}, {@code native}, {@code compressed} or {@code onnx}). */
    record Loaded(Graph graph, Map<String, String> metadata, String kind, String source) {
    }

    private ModelSource() {
    }

    static Loaded load(String spec) throws IOException, CliException {
        Path file = Path.of(spec);
        if (Files.isRegularFile(file)) {
            if (ModelFile.isModelFile(file)) {
                ModelFile.Saved s = ModelFile.load(file);
                return new Loaded(s.graph(), s.metadata(), "native", spec);
            }
            if (MnzFile.isCompressedFile(file)) {
                MnzFile.Loaded c = MnzFile.load(file);
                return new Loaded(c.graph(), c.metadata(), "compressed", spec);
            }
            OnnxReader.Model m = OnnxReader.readModel(Files.readAllBytes(file), spec);
            return new Loaded(m.graph(), m.metadata(), "onnx", spec);
        }
        if (Zoo.names().contains(spec)) {
            return new Loaded(Zoo.build(spec), Map.of(), "zoo", spec);
        }
        if (Files.exists(file)) {
            throw CliException.badInput(spec + " is not a regular file");
        }
        throw CliException.badInput("no such file: " + spec + " (nor a zoo model of that name; zoo models: "
                + String.join(", ", Zoo.names()) + ")");
    }
}
