package dev.minnow.engine.io;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Minnow's native model file ({@code .mnw}): a graph with its weights and free-form metadata
 * (training recipe, accuracy, provenance), versioned and checksummed, written atomically.
 *
 * <pre>
 *   offset  size  field
 *   0       8     magic  0x89 'M' 'N' 'W' '\r' '\n' 0x1A '\n'
 *   8       4     format version, little-endian (currently 1)
 *   12      8     payload length in bytes, little-endian
 *   20      n     payload: an ONNX ModelProto (opset 13; Minnow's native ops kept in their
 *                 own domain; metadata in metadata_props)
 *   20+n    4     CRC-32 of bytes [0, 20+n), little-endian
 * </pre>
 * The magic follows PNG's design: the high byte catches 7-bit transfers, the CR-LF and the lone
 * LF catch line-ending conversions, and 0x1A stops a DOS {@code type}. The payload reuses the ONNX
 * encoding because Minnow already reads and writes it exactly, and it keeps every model a Minnow
 * file can hold inspectable with ONNX tools once the header is stripped.
 *
 * <p>Loading checks the magic, the version, the length and the checksum before parsing anything,
 * so a truncated or corrupted file gets a precise message. Saving goes through {@link AtomicFile}:
 * a crash mid-write leaves the previous file intact.
 */
public final class ModelFile {
    /** The current format version. */
    public static final int VERSION = 1;
    /** The conventional file extension. */
    public static final String EXTENSION = ".mnw";

    private static final byte[] MAGIC = {(byte) 0x89, 'M', 'N', 'W', '\r', '\n', 0x1A, '\n'};
    private static final int HEADER = 20;

    /** A loaded model. */
    public record Saved(Graph graph, Map<String, String> metadata) {
    }

    private ModelFile() {
    }

    /** Saves a graph with metadata, atomically. */
    public static void save(Graph graph, Map<String, String> metadata, Path file) throws IOException {
        AtomicFile.write(file, toBytes(graph, metadata));
    }

    /** The bytes of a model file. */
    public static byte[] toBytes(Graph graph, Map<String, String> metadata) {
        byte[] payload = OnnxWriter.toBytes(graph, metadata, false);
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putLong(payload.length).put(payload);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, HEADER + payload.length);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Loads a model file. */
    public static Saved load(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(file + ": " + size + " bytes is too large for a Minnow model file");
        }
        return fromBytes(Files.readAllBytes(file), file.toString());
    }

    /** Parses the bytes of a model file; {@code source} names it in messages. */
    public static Saved fromBytes(byte[] bytes, String source) throws ModelFormatException {
        if (!hasMagic(bytes)) {
            throw new ModelFormatException(source + ": not a Minnow model file (it does not start with the "
                    + "\\x89MNW signature)");
        }
        if (bytes.length < HEADER + 4) {
            throw new ModelFormatException(source + ": truncated: " + bytes.length + " bytes is shorter than the "
                    + (HEADER + 4) + "-byte header and checksum");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(8);
        if (version < 1 || version > VERSION) {
            throw new ModelFormatException(source + ": format version " + version + " is not supported (this Minnow"
                    + " reads versions 1 to " + VERSION + "; a newer Minnow wrote it?)");
        }
        long length = b.getLong(12);
        if (length < 0 || length != bytes.length - HEADER - 4L) {
            throw new ModelFormatException(source + ": the header declares a " + length + "-byte payload but the file"
                    + " holds " + (bytes.length - HEADER - 4) + " bytes after the header: truncated or corrupt");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, HEADER + (int) length);
        int stored = b.getInt(HEADER + (int) length);
        if (stored != (int) crc.getValue()) {
            throw new ModelFormatException(source + ": checksum mismatch (stored " + String.format("%08x", stored)
                    + ", computed " + String.format("%08x", (int) crc.getValue()) + "): the file is corrupt");
        }
        OnnxReader.Model m = OnnxReader.readModel(Arrays.copyOfRange(bytes, HEADER, HEADER + (int) length), source);
        return new Saved(m.graph(), m.metadata());
    }

    /** True when {@code bytes} starts with the Minnow signature. */
    public static boolean hasMagic(byte[] bytes) {
        return bytes.length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** True when the file starts with the Minnow signature (reads 8 bytes). */
    public static boolean isModelFile(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return hasMagic(in.readNBytes(MAGIC.length));
        }
    }
}
