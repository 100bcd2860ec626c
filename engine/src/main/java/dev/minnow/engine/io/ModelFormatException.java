package dev.minnow.engine.io;

import java.io.IOException;

/**
 * A model or data file that cannot be read: truncated, corrupt, hostile, or using a feature Minnow
 * does not support. The message names the file and says what is wrong and where (byte offset,
 * node, tensor).
 */
public class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
