package dev.minnow.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that a failure at any point never leaves a half-written file and never destroys
 * the previous version: the bytes go to a temporary file in the same directory, are forced to the
 * disk, and the temporary file is then renamed over the target in one atomic step.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** Writes the contents of a file into an open channel. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(FileChannel channel) throws IOException;
    }

    /**
     * Temporary files are created readable by their owner only; a model or data file should be
     * readable like any other file: keep the permissions of the file being replaced, or give a new
     * one {@code rw-r--r--}.
     */
    private static void usualPermissions(Path tmp, Path target) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    /** Replaces {@code file}'s contents with {@code bytes}, atomically. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, ch -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        });
    }

    /** Replaces {@code file}'s contents with what {@code contents} writes, atomically. */
    public static void write(Path file, Contents contents) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "the directory does not exist");
        }
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            usualPermissions(tmp, target);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                contents.writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException ex) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
