package dev.minnow.zoo.cli;

/**
 * A command that cannot go on, with the message the user sees (one line, after
 * {@code minnow: <command>: }) and the process exit code: {@link #USAGE} for a bad command line,
 * {@link #BAD_INPUT} for a file or value that cannot be used.
 */
public final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Exit code of a command that ran and found nothing wrong. */
    public static final int OK = 0;
    /** Exit code of a check that ran and failed (a conformance failure, an accuracy below a bar). */
    public static final int CHECK_FAILED = 1;
    /** Exit code of a bad command line or unusable input. */
    public static final int USAGE = 2;
    /** Same code as {@link #USAGE}: scripts need only tell "failed check" from "could not run". */
    public static final int BAD_INPUT = 2;

    private final int exitCode;
    private final boolean usage;

    private CliException(String message, int exitCode, boolean usage) {
        super(message);
        this.exitCode = exitCode;
        this.usage = usage;
    }

    /** The command line is wrong; the message ends with a pointer to {@code --help}. */
    public static CliException usage(String message) {
        return new CliException(message, USAGE, true);
    }

    /** An input file or value cannot be used. */
    public static CliException badInput(String message) {
        return new CliException(message, BAD_INPUT, false);
    }

    public int exitCode() {
        return exitCode;
    }

    /** True for command-line mistakes, which deserve a pointer to the command's help. */
    public boolean isUsage() {
        return usage;
    }
}
