package dev.minnow.zoo.cli;

import java.io.PrintStream;

/**
 * One sub-command of {@code minnow}. {@link Main} parses the command line with {@link #spec()},
 * answers {@code --help} from it, then calls {@link #run}; errors are reported by {@code Main} as
 * one line, {@code minnow: <command>: <message>}.
 *
 * <p>Conventions every command keeps: results on {@code out}, progress and warnings on {@code
 * err}; with {@code --json}, exactly one JSON object on {@code out} holding the same figures as
 * the text; exit code {@link CliException#OK} when all is well, {@link CliException#CHECK_FAILED}
 * when a check ran and failed. A bad command line or unusable input is a thrown {@link
 * CliException}; I/O errors, unreadable models ({@code ModelFormatException}) and graphs that
 * cannot be planned may simply propagate: {@code Main} turns them into exit code 2.
 */
public interface Command {

    /** The name typed after {@code minnow}, e.g. {@code run}. */
    String name();

    /** One line for the command list of {@code minnow --help}. */
    String summary();

    /** Arguments, options, description and examples. */
    ArgSpec spec();

    /**
     * Does the work.
     *
     * @return {@link CliException#OK} or {@link CliException#CHECK_FAILED}
     */
    int run(Args args, PrintStream out, PrintStream err) throws Exception;
}
