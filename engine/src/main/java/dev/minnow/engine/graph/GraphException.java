package dev.minnow.engine.graph;

/**
 * A graph that cannot be planned or run: a missing tensor, a cycle, a node whose inputs do not
 * fit. The message names the node and says what was expected and what was found.
 */
public class GraphException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GraphException(String message) {
        super(message);
    }

    public GraphException(String message, Throwable cause) {
        super(message, cause);
    }
}
