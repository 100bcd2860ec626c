package dev.minnow.engine.io.npy;

import dev.minnow.engine.io.AtomicFile;
import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes NumPy's {@code .npy} files, the simplest way to move one tensor between
 * Python and Minnow ({@code np.save("x.npy", a)} / {@code np.load("y.npy")}).
 *
 * <p>The format (NEP 1): the magic {@code \x93NUMPY}, a major and minor version byte, the header
 * length (2 bytes little-endian in version 1.0, 4 bytes in 2.0 and 3.0), the header (a Python dict
 * literal giving {@code descr}, {@code fortran_order} and {@code shape}; Latin-1 text, UTF-8 in
 * 3.0), then the raw elements. See {@link NpyHeader} for the dict and {@link NpyType} for the
 * element types read; {@code float64} and {@code float16} become float tensors. Column-major
 * ({@code fortran_order: True}) data is transposed into Minnow's row-major order.
 *
 * <p>Files are untrusted: every length is checked against the bytes actually present before
 * anything is allocated, so a corrupt or hostile file gets a {@link ModelFormatException} naming
 * the file and the problem, never an {@code OutOfMemoryError} or a hang.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER_BYTES = 1 << 20;
    private static final int CHUNK_BYTES = 1 << 16;

    private Npy() {
    }

    /** Reads a tensor from a {@code .npy} file. */
    public static Tensor read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, not a .npy file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(ch, ch.size(), file.toString());
        }
    }

    /**
     * Reads a tensor from the bytes of a {@code .npy} file.
     *
     * @param source how messages name the bytes (a file name, an archive entry)
     */
    public static Tensor read(byte[] bytes, String source) throws ModelFormatException {
        try {
            return read(Channels.newChannel(new ByteArrayInputStream(bytes)), bytes.length, source);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("reading from memory cannot fail: " + e.getMessage(), e);
        }
    }

    private static Tensor read(ReadableByteChannel ch, long length, String source) throws IOException {
        if (length < 10) {
            throw new ModelFormatException(source + ": " + length + " bytes is too short for a .npy file");
        }
        ByteBuffer prefix = readExactly(ch, 8, source, "the magic and version");
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix.get(i) != MAGIC[i]) {
                throw new ModelFormatException(source + ": not a .npy file (it does not start with \\x93NUMPY)");
            }
        }
        int major = prefix.get(6) & 0xFF;
        int minor = prefix.get(7) & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw new ModelFormatException(source + ": .npy format version " + major + "." + minor
                    + " is not supported (Minnow reads 1.0, 2.0 and 3.0)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer lenField = readExactly(ch, lengthBytes, source, "the header length");
        long headerLength = major == 1 ? lenField.getShort(0) & 0xFFFFL : lenField.getInt(0) & 0xFFFFFFFFL;
        long dataStart = 8 + lengthBytes + headerLength;
        if (dataStart > length) {
            throw new ModelFormatException(source + ": the header length " + headerLength
                    + " goes beyond the end of the file (" + length + " bytes)");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new ModelFormatException(source + ": the header length " + headerLength
                    + " is larger than the " + MAX_HEADER_BYTES + " bytes Minnow accepts");
        }
        ByteBuffer headerBytes = readExactly(ch, (int) headerLength, source, "the header");
        String text;
        try {
            text = (major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(source + ": the header is not valid UTF-8");
        }
        NpyHeader header = NpyHeader.parse(text, source);

        long elements = header.shape().size();
        long dataBytes = elements * header.type().byteSize;
        long present = length - dataStart;
        if (present < dataBytes) {
            throw new ModelFormatException(source + ": the data is truncated: shape " + header.shape() + " of "
                    + header.type().descr() + " needs " + dataBytes + " bytes, the file has " + present);
        }
        if (present > dataBytes) {
            throw new ModelFormatException(source + ": " + (present - dataBytes) + " unexpected bytes after the "
                    + dataBytes + " bytes of data declared by shape " + header.shape());
        }
        Shape storedShape = header.fortranOrder() ? reversed(header.shape()) : header.shape();
        Tensor stored = Tensor.zeros(storedShape, header.type().dataType);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = CHUNK_BYTES / header.type().byteSize;
        for (int done = 0; done < elements; ) {
            int count = (int) Math.min(elements - done, perChunk);
            chunk.clear().limit(count * header.type().byteSize);
            fill(ch, chunk, source, "the data");
            chunk.flip();
            header.type().decode(chunk, stored, done, count);
            done += count;
        }
        return header.fortranOrder() ? columnMajorToRowMajor(stored, header.shape()) : stored;
    }

    private static ByteBuffer readExactly(ReadableByteChannel ch, int n, String source, String what)
            throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        fill(ch, b, source, what);
        b.flip();
        return b;
    }

    private static void fill(ReadableByteChannel ch, ByteBuffer b, String source, String what) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new ModelFormatException(source + ": the file ends inside " + what);
            }
        }
    }

    private static Shape reversed(Shape s) {
        int[] d = s.dims();
        int[] r = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = d[d.length - 1 - i];
        }
        return Shape.of(r);
    }

    /**
     * Reorders column-major elements into row-major. In column-major order the first index varies
     * fastest: element {@code (i0, ..., ik)} sits at {@code sum(ij * prod(d0..d(j-1)))}. The
     * {@code stored} tensor holds the elements in file order.
     */
    private static Tensor columnMajorToRowMajor(Tensor stored, Shape shape) {
        int[] dims = shape.dims();
        int rank = dims.length;
        int[] fStride = new int[rank];
        for (int j = 0, acc = 1; j < rank; j++) {
            fStride[j] = acc;
            acc *= dims[j];
        }
        Tensor out = Tensor.zeros(shape, stored.type());
        int[] index = new int[rank];
        int n = shape.size();
        int src = 0;
        for (int dst = 0; dst < n; dst++) {
            copyElement(stored, src, out, dst);
            for (int j = rank - 1; j >= 0; j--) {
                index[j]++;
                src += fStride[j];
                if (index[j] < dims[j]) {
                    break;
                }
                src -= fStride[j] * index[j];
                index[j] = 0;
            }
        }
        return out;
    }

    private static void copyElement(Tensor from, int i, Tensor to, int j) {
        switch (from.type()) {
            case FLOAT -> to.data()[j] = from.data()[i];
            case INT64 -> to.longData()[j] = from.longData()[i];
            case INT32 -> to.intData()[j] = from.intData()[i];
            default -> to.byteData()[j] = from.byteData()[i];
        }
    }

    /**
     * The bytes of a {@code .npy} file holding the tensor: version 1.0 (2.0 when the header is too
     * long), little-endian, C order; float tensors as {@code <f4}.
     */
    public static byte[] toBytes(Tensor tensor) {
        NpyType type = NpyType.forTensor(tensor.type());
        byte[] header = NpyHeader.encode(type, tensor.shape());
        long total = header.length + (long) tensor.size() * type.byteSize;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a tensor of shape " + tensor.shape() + " needs " + total
                    + " bytes, more than a byte array holds; use Npy.write(tensor, path)");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(header);
        type.encode(tensor, 0, tensor.size(), out);
        return out.array();
    }

    /**
     * Writes the tensor as a {@code .npy} file (see {@link #toBytes}). The bytes go to a temporary
     * file in the same directory, which then replaces {@code file} in one step, so a reader never
     * sees half a file and a failed write leaves any old file intact.
     */
    public static void write(Tensor tensor, Path file) throws IOException {
        NpyType type = NpyType.forTensor(tensor.type());
        AtomicFile.write(file, ch -> {
            writeFully(ch, ByteBuffer.wrap(NpyHeader.encode(type, tensor.shape())));
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            int perChunk = CHUNK_BYTES / type.byteSize;
            for (int done = 0, n = tensor.size(); done < n; done += perChunk) {
                chunk.clear();
                type.encode(tensor, done, Math.min(perChunk, n - done), chunk);
                chunk.flip();
                writeFully(ch, chunk);
            }
        });
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
