package dev.minnow.zoo.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The {@code minnow} command: {@code minnow COMMAND [ARGS] [OPTIONS]}.
 *
 * <p>Every command follows the same conventions: {@code -h/--help} prints its usage with
 * examples; {@code --json} prints one JSON object on stdout with the same figures as the text;
 * exit code 0 means all is well, 1 that a check ran and failed, 2 a bad command line or unusable
 * input; an error is one line on stderr, {@code minnow: <command>: <message>}, and a stack trace
 * follows only with {@code --verbose}.
 */
public final class Main {

    /** Every command, in the order {@code minnow --help} lists them. Add new commands here. */
    static final List<Command> COMMANDS = List.of(
            new DemoCommand(),
            new TrainCommand(),
            new EvalCommand(),
            new CompressCommand(),
            new RunCommand(),
            new SummaryCommand(),
            new BenchCommand(),
            new OnnxTestCommand(),
            new ImportCommand(),
            new ClassifyCommand(),
            new ProfileCommand(),
            new FuseCommand(),
            new RebirthCommand(),
            new PruneCommand(),
            new SensitivityCommand(),
            new LotteryCommand(),
            new QuantizeCommand(),
            new DecomposeCommand(),
            new DistillCommand(),
            new CompareCommand());

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs a command line with the given streams and returns the exit code (the testable entry point). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> argv = Arrays.asList(args);
        if (argv.isEmpty()) {
            err.println("minnow: no command given; commands: " + commandNames() + " (minnow --help for more)");
            return CliException.USAGE;
        }
        String first = argv.get(0);
        if (first.equals("--help") || first.equals("-h") || (first.equals("help") && argv.size() == 1)) {
            out.print(usage());
            return CliException.OK;
        }
        if (first.equals("--version")) {
            out.println(versionLine());
            return CliException.OK;
        }
        if (first.equals("help")) {
            return run(new String[] {argv.get(1), "--help"}, out, err);
        }
        Command command = COMMANDS.stream().filter(c -> c.name().equals(first)).findFirst().orElse(null);
        if (command == null) {
            String what = first.startsWith("-") ? "unknown option " + first : "unknown command '" + first + "'";
            err.println("minnow: " + what + suggestion(first) + "; commands: " + commandNames()
                    + " (minnow --help for more)");
            return CliException.USAGE;
        }
        List<String> rest = argv.subList(1, argv.size());
        if (ArgSpec.wantsHelp(rest)) {
            out.print(command.spec().usage());
            return CliException.OK;
        }
        boolean verbose = rest.contains("--verbose");
        try {
            Args parsed = command.spec().parse(rest);
            return command.run(parsed, out, err);
        } catch (CliException e) {
            err.println("minnow: " + command.name() + ": " + oneLine(e.getMessage())
                    + (e.isUsage() ? " (see minnow " + command.name() + " --help)" : ""));
            printTrace(e, verbose, err);
            return e.exitCode();
        } catch (OutOfMemoryError e) {
            err.println("minnow: " + command.name() + ": out of memory; give Java more heap, e.g. "
                    + "MINNOW_JAVA_OPTS=-Xmx8g ./minnow ...");
            printTrace(e, verbose, err);
            return CliException.BAD_INPUT;
        } catch (Exception | StackOverflowError e) {
            String description = describe(e);
            err.println("minnow: " + command.name() + ": " + description
                    + (verbose || !description.startsWith("internal error") ? "" : " (--verbose shows the stack trace)"));
            printTrace(e, verbose, err);
            return CliException.BAD_INPUT;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** A person's account of an exception: file errors by kind, our own messages as they are, others with their type. */
    static String describe(Throwable e) {
        String m = e.getMessage() == null ? "" : oneLine(e.getMessage());
        if (e instanceof NoSuchFileException f) {
            return "no such file: " + f.getFile();
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() == null ? e.getClass().getSimpleName() : f.getReason());
        }
        if (e instanceof IOException || e instanceof IllegalArgumentException
                || e instanceof UnsupportedOperationException || e.getClass().getName().startsWith("dev.minnow.")) {
            return m.isEmpty() ? e.getClass().getSimpleName() : m;
        }
        return "internal error: " + e.getClass().getName() + (m.isEmpty() ? "" : ": " + m);
    }

    private static void printTrace(Throwable e, boolean verbose, PrintStream err) {
        if (verbose) {
            e.printStackTrace(err);
        }
    }

    static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static String commandNames() {
        return String.join(", ", COMMANDS.stream().map(Command::name).toList());
    }

    private static String suggestion(String typed) {
        String name = typed.replaceFirst("^-+", "");
        for (Command c : COMMANDS) {
            if (ArgSpec.editDistance(name, c.name()) <= 2) {
                return " (did you mean '" + c.name() + "'?)";
            }
        }
        return "";
    }

    /** The text of {@code minnow --help}. */
    static String usage() {
        StringBuilder sb = new StringBuilder("""
                Usage: minnow COMMAND [ARGS] [OPTIONS]

                Minnow: a neural-network engine in pure Java, with a model-compression toolkit.

                Commands:
                """);
        int width = COMMANDS.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Command c : COMMANDS) {
            sb.append(String.format("  %-" + width + "s  %s%n", c.name(), c.summary()));
        }
        sb.append("""

                minnow COMMAND --help    usage and examples of one command
                minnow --version         the version, Java and SIMD support

                Every command takes --json (one JSON object on stdout) and --verbose (stack traces).
                Exit codes: 0 ok, 1 a check failed, 2 bad usage or unusable input.
                """);
        return sb.toString();
    }

    /** {@code minnow 0.1.0 (Java 17.0.15, 2 cores, SIMD: jdk.incubator.vector)}. */
    static String versionLine() {
        boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        return "minnow " + version() + " (Java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, SIMD: " + (vector ? "jdk.incubator.vector" : "off, run java with --add-modules jdk.incubator.vector")
                + ")";
    }

    /** The project version, filled in by Maven's resource filtering. */
    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "(unknown version)";
    }
}
