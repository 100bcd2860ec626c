package dev.minnow.compression.format;

import dev.minnow.compression.cluster.SharedWeights;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.io.AtomicFile;
import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Minnow's compressed model file ({@code .mnz}): a graph whose large weights are stored the Deep
 * Compression way (Han, Mao and Dally 2016), as sparse relative indices, a codebook of shared
 * values and Huffman-coded codes. Its size is the size of the file on disk, no zip needed.
 * <pre>
 *   offset  size  field
 *   0       8     magic  0x89 'M' 'N' 'Z' '\r' '\n' 0x1A '\n'
 *   8       4     format version, little-endian (currently 1)
 *   12      8     payload length n, little-endian
 *   20      n     payload
 *   20+n    4     CRC-32 of bytes [0, 20+n), little-endian
 * payload:
 *   varint  length of the graph, then the graph: an ONNX ModelProto (opset 13, metadata in
 *           metadata_props) holding the structure and every uncompressed tensor as float32
 *           (biases, BN); each compressed weight appears there as an extra graph input of its
 *           name, type and shape, a placeholder with no data
 *   varint  number of compressed layers L
 *   L x     layer section ({@link LayerCodec}): codebook, relative indices, codes
 * </pre>
 * The magic follows PNG's design, as {@code .mnw} does. Reading checks the magic, version, length
 * and checksum before parsing anything, and then bounds every count by the bytes left, so that a
 * corrupt or hostile file fails with a {@link ModelFormatException} that says what is wrong.
 * Decoding gives back exactly the shared values, so the graph read back computes bit-identical
 * outputs to the clustered graph written. Saving is atomic ({@link AtomicFile}).
 */
public final class MnzFile {
    /** The current format version. */
    public static final int VERSION = 1;
    /** The conventional file extension. */
    public static final String EXTENSION = ".mnz";

    private static final byte[] MAGIC = {(byte) 0x89, 'M', 'N', 'Z', '\r', '\n', 0x1A, '\n'};
    private static final int HEADER = 20;
    private static final int TRAILER = 4;

    /**
     * A file's bytes and what each part costs.
     *
     * @param bytes      the whole file
     * @param layers     each compressed layer's size
     * @param graphBytes the graph's encoding (structure and uncompressed tensors)
     */
    public record Encoded(byte[] bytes, List<LayerSize> layers, int graphBytes) {
        /** Header, checksum and counts: everything that is neither graph nor layer. */
        public int overheadBytes() {
            return bytes.length - graphBytes - layers.stream().mapToInt(LayerSize::sectionBytes).sum();
        }
    }

    /** A loaded file: the graph with its weights decoded, its metadata, and the clustering of each compressed weight. */
    public record Loaded(Graph graph, Map<String, String> metadata, Map<String, SharedWeights> layers) {
    }

    private MnzFile() {
    }

    /**
     * Encodes a clustered graph.
     *
     * @param graph     its compressed weights must hold exactly their shared values
     * @param layers    the clustering of the weights to compress (others stay float32)
     * @param indexBits relative-index width per layer (1 to 16 bits)
     * @param huffman   Huffman-code the streams (each stream keeps the smaller of fixed and Huffman)
     */
    public static Encoded encode(Graph graph, Map<String, String> metadata, Collection<SharedWeights> layers,
                                 Map<String, Integer> indexBits, boolean huffman) {
        Graph.Builder skeleton = graph.toBuilder();
        for (SharedWeights s : layers) {
            Tensor w = graph.initializer(s.name());
            if (w == null) {
                throw new IllegalArgumentException("graph '" + graph.name() + "' has no weight '" + s.name() + "'");
            }
            if (!w.contentEquals(s.toTensor())) {
                throw new IllegalArgumentException("weight '" + s.name() + "' does not hold its shared values; write"
                        + " them into the graph first (SharedWeights.writeTo)");
            }
            if (!indexBits.containsKey(s.name())) {
                throw new IllegalArgumentException("no relative-index width given for weight '" + s.name() + "'");
            }
            skeleton.removeInitializer(s.name()).input(s.name(), DataType.FLOAT, s.shape());
        }
        byte[] onnx = OnnxWriter.toBytes(skeleton.build(), metadata, false);
        PayloadWriter payload = new PayloadWriter();
        payload.varint(onnx.length).bytes(onnx).varint(layers.size());
        int graphBytes = payload.size();
        List<LayerSize> sizes = new ArrayList<>();
        for (SharedWeights s : layers) {
            sizes.add(LayerCodec.encode(s, indexBits.get(s.name()), huffman, payload));
        }
        byte[] body = payload.toByteArray();
        PayloadWriter file = new PayloadWriter();
        file.bytes(MAGIC).u32(VERSION).u64(body.length).bytes(body);
        byte[] withoutCrc = file.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(withoutCrc);
        file.u32((int) crc.getValue());
        return new Encoded(file.toByteArray(), sizes, onnx.length);
    }

    /** Encodes and writes atomically; returns what was written (its {@code bytes.length} is the file size). */
    public static Encoded save(Graph graph, Map<String, String> metadata, Collection<SharedWeights> layers,
                               Map<String, Integer> indexBits, boolean huffman, Path file) throws IOException {
        Encoded e = encode(graph, metadata, layers, indexBits, huffman);
        AtomicFile.write(file, e.bytes());
        return e;
    }

    /** Loads a {@code .mnz} file. */
    public static Loaded load(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(file + ": " + size + " bytes is too large for a compressed model file");
        }
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** Decodes the bytes of a {@code .mnz} file; {@code source} names it in messages. */
    public static Loaded decode(byte[] bytes, String source) throws ModelFormatException {
        if (!hasMagic(bytes)) {
            throw new ModelFormatException(source + ": not a Minnow compressed model (it does not start with the"
                    + " \\x89MNZ signature)");
        }
        if (bytes.length < HEADER + TRAILER) {
            throw new ModelFormatException(source + ": truncated: " + bytes.length + " bytes is shorter than the "
                    + (HEADER + TRAILER) + "-byte header and checksum");
        }
        PayloadReader header = new PayloadReader(bytes, MAGIC.length, HEADER, source);
        int version = header.u32("version");
        if (version < 1 || version > VERSION) {
            throw new ModelFormatException(source + ": format version " + version + " is not supported (this Minnow"
                    + " reads versions 1 to " + VERSION + "; a newer Minnow wrote it?)");
        }
        long low = header.u32("length") & 0xFFFFFFFFL;
        long length = low | (long) header.u32("length") << 32;
        if (length != bytes.length - HEADER - TRAILER) {
            throw new ModelFormatException(source + ": the header declares a " + length + "-byte payload but the file"
                    + " holds " + (bytes.length - HEADER - TRAILER) + " bytes after the header: truncated or corrupt");
        }
        int end = HEADER + (int) length;
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, end);
        int stored = new PayloadReader(bytes, end, end + TRAILER, source).u32("checksum");
        if (stored != (int) crc.getValue()) {
            throw new ModelFormatException(source + ": checksum mismatch (stored " + String.format("%08x", stored)
                    + ", computed " + String.format("%08x", (int) crc.getValue()) + "): the file is corrupt");
        }
        try {
            return parsePayload(new PayloadReader(bytes, HEADER, end, source), source);
        } catch (ModelFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // a checksum-valid file that still does not make sense (written by a broken encoder)
            throw new ModelFormatException(source + ": corrupt compressed model: " + e.getMessage(), e);
        }
    }

    private static Loaded parsePayload(PayloadReader in, String source) throws ModelFormatException {
        int graphLength = in.varintInt("graph length", in.remaining());
        int at = in.skip(graphLength, "graph");
        OnnxReader.Model model = OnnxReader.readModel(java.util.Arrays.copyOfRange(in.array(), at, at + graphLength),
                source);
        Graph skeleton = model.graph();
        Map<String, GraphInput> placeholders = new LinkedHashMap<>();
        for (GraphInput gi : skeleton.inputs()) {
            placeholders.put(gi.name(), gi);
        }
        int count = in.varintInt("layer count", Math.max(0, skeleton.inputs().size() - 1));
        Map<String, SharedWeights> layers = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.string("layer name", 1 << 16);
            GraphInput slot = placeholders.get(name);
            if (slot == null || layers.containsKey(name)) {
                throw in.error("corrupt: compressed layer '" + name + "' is " + (slot == null
                        ? "not declared by the graph" : "stored twice"));
            }
            if (slot.type() != DataType.FLOAT || !slot.shape().isConcrete()) {
                throw in.error("corrupt: compressed layer '" + name + "' is declared as " + slot.type() + " "
                        + slot.shape() + ", expected a float tensor of known shape");
            }
            layers.put(name, LayerCodec.decode(in, name, slot.shape()));
        }
        if (in.remaining() != 0) {
            throw in.error("corrupt: " + in.remaining() + " unexpected bytes after the last layer");
        }
        Graph.Builder b = Graph.builder(skeleton.name());
        for (GraphInput gi : skeleton.inputs()) {
            if (!layers.containsKey(gi.name())) {
                b.input(gi.name(), gi.type(), gi.shape());
            }
        }
        skeleton.initializers().forEach(b::initializer);
        for (SharedWeights s : layers.values()) {
            b.initializer(s.name(), s.toTensor());
        }
        for (Node n : skeleton.nodes()) {
            b.node(n);
        }
        skeleton.outputs().forEach(b::output);
        return new Loaded(b.build(), model.metadata(), layers);
    }

    /** True when {@code bytes} starts with the {@code .mnz} signature. */
    public static boolean hasMagic(byte[] bytes) {
        if (bytes.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** True when the file starts with the {@code .mnz} signature (reads 8 bytes). */
    public static boolean isCompressedFile(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return hasMagic(in.readNBytes(MAGIC.length));
        }
    }
}
