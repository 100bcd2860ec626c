package dev.minnow.engine.data;

import dev.minnow.engine.io.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian header
 * {@code 0x00 0x00 <type> <rank>}, then {@code rank} 32-bit sizes, then the elements row-major.
 * Files may be gzip-compressed ({@code .gz}, detected by content, not by name).
 *
 * <p>Only unsigned bytes (type {@code 0x08}) are accepted, which is what the image and label files
 * hold. The header is checked against the bytes actually present before anything is allocated,
 * so a corrupt or hostile file gets a message, not an {@code OutOfMemoryError}.
 */
public final class Idx {
    /** Largest file (after decompression) we agree to read: 2 GiB, a Java array's limit. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 16L;

    /**
     * The contents of an IDX file.
     *
     * @param dims sizes, outermost first (e.g. {@code [60000, 28, 28]})
     * @param data the elements as unsigned bytes, row-major
     */
    public record Array(int[] dims, byte[] data) {
        /** Number of items (the first dimension). */
        public int count() {
            return dims[0];
        }

        /** Elements per item (product of the other dimensions). */
        public int itemSize() {
            int n = 1;
            for (int i = 1; i < dims.length; i++) {
                n *= dims[i];
            }
            return n;
        }
    }

    private Idx() {
    }

    /** Reads a raw or gzip-compressed IDX file. */
    public static Array read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /** Reads a raw or gzip-compressed IDX stream (e.g. a class-path resource); {@code source} names it in messages. */
    public static Array read(InputStream in, String source) throws IOException {
        byte[] bytes = readAll(in, source);
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B) {
            try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes), 1 << 16)) {
                bytes = readAll(gz, source);
            } catch (java.util.zip.ZipException e) {
                throw new ModelFormatException(source + ": corrupt gzip data (" + e.getMessage() + ")", e);
            } catch (java.io.EOFException e) {
                throw new ModelFormatException(source + ": gzip data ends early", e);
            }
        }
        return parse(bytes, source);
    }

    /** Parses the bytes of an uncompressed IDX file; {@code source} names it in messages. */
    public static Array parse(byte[] bytes, String source) throws ModelFormatException {
        if (bytes.length < 4) {
            throw new ModelFormatException(source + ": " + bytes.length + " bytes is too short for an IDX header");
        }
        if (bytes[0] != 0 || bytes[1] != 0) {
            throw new ModelFormatException(source + ": not an IDX file (magic starts with "
                    + String.format("0x%02x 0x%02x", bytes[0] & 0xFF, bytes[1] & 0xFF) + ", expected 0x00 0x00)");
        }
        int type = bytes[2] & 0xFF;
        if (type != 0x08) {
            throw new ModelFormatException(source + ": IDX element type 0x" + Integer.toHexString(type)
                    + " is not supported (only unsigned bytes, 0x08)");
        }
        int rank = bytes[3] & 0xFF;
        if (rank < 1 || rank > 4) {
            throw new ModelFormatException(source + ": IDX rank " + rank + " is not supported (1 to 4)");
        }
        int header = 4 + 4 * rank;
        if (bytes.length < header) {
            throw new ModelFormatException(source + ": header declares rank " + rank + " but the file ends after "
                    + bytes.length + " bytes");
        }
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            int o = 4 + 4 * i;
            long d = ((bytes[o] & 0xFFL) << 24) | ((bytes[o + 1] & 0xFFL) << 16) | ((bytes[o + 2] & 0xFFL) << 8)
                    | (bytes[o + 3] & 0xFFL);
            if (d > Integer.MAX_VALUE) {
                throw new ModelFormatException(source + ": dimension " + i + " = " + d + " is too large");
            }
            dims[i] = (int) d;
            count *= d;
            if (count > bytes.length) {
                break;
            }
        }
        if (count != bytes.length - header) {
            throw new ModelFormatException(source + ": header declares " + java.util.Arrays.toString(dims) + " = "
                    + (count > bytes.length ? "more than " + bytes.length : Long.toString(count))
                    + " elements but the file holds " + (bytes.length - header));
        }
        byte[] data = java.util.Arrays.copyOfRange(bytes, header, bytes.length);
        return new Array(dims, data);
    }

    private static byte[] readAll(InputStream in, String source) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (total > MAX_BYTES) {
                throw new ModelFormatException(source + ": larger than " + MAX_BYTES + " bytes; not an IDX data file");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
