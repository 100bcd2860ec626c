package dev.minnow.zoo.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A parsed command line: option values by name (without the dashes), flags, and positional
 * arguments, with typed getters whose errors are messages to the user. Asking for a name the
 * {@link ArgSpec} did not declare is a programming error and throws {@link IllegalArgumentException}.
 */
public final class Args {
    private final ArgSpec spec;
    private final Map<String, List<String>> values;
    private final List<String> positionals;

    Args(ArgSpec spec, Map<String, List<String>> values, List<String> positionals) {
        this.spec = spec;
        this.values = Map.copyOf(values);
        this.positionals = List.copyOf(positionals);
    }

    private List<String> raw(String name) {
        if (!spec.options().containsKey(name)) {
            throw new IllegalArgumentException("command " + spec.command() + " declares no option --" + name);
        }
        return values.getOrDefault(name, List.of());
    }

    /** True when the flag (or option) was given. */
    public boolean flag(String name) {
        return !raw(name).isEmpty();
    }

    public boolean json() {
        return flag("json");
    }

    public boolean verbose() {
        return flag("verbose");
    }

    /** The option's value, or {@code null} when absent. */
    public String option(String name) {
        List<String> v = raw(name);
        return v.isEmpty() ? null : v.get(0);
    }

    public String option(String name, String defaultValue) {
        String v = option(name);
        return v == null ? defaultValue : v;
    }

    /** Every value of a repeatable option, in command-line order. */
    public List<String> options(String name) {
        return raw(name);
    }

    /** An integer option of at least {@code min}, or {@code defaultValue} when absent. */
    public int intOption(String name, int defaultValue, int min) throws CliException {
        String v = option(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CliException.usage("--" + name + " expects a whole number of at least " + min + ", got '" + v + "'");
    }

    /** A finite number option of at least {@code min}, or {@code defaultValue} when absent. */
    public double doubleOption(String name, double defaultValue, double min) throws CliException {
        String v = option(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (Double.isFinite(d) && d >= min) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CliException.usage("--" + name + " expects a number of at least " + min + ", got '" + v + "'");
    }

    /** A 64-bit integer option (seeds), or {@code defaultValue} when absent. */
    public long longOption(String name, long defaultValue) throws CliException {
        String v = option(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage("--" + name + " expects a whole number, got '" + v + "'");
        }
    }

    /** A path option, or {@code null} when absent. */
    public Path pathOption(String name) {
        String v = option(name);
        return v == null ? null : Path.of(v);
    }

    /** A path that must name an existing regular file (checked up front, so the message is plain). */
    public static Path existingFile(String path) throws CliException {
        Path p;
        try {
            p = Path.of(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw CliException.badInput("not a valid path: " + path);
        }
        if (!java.nio.file.Files.exists(p)) {
            throw CliException.badInput("no such file: " + path);
        }
        if (java.nio.file.Files.isDirectory(p)) {
            throw CliException.badInput(path + " is a directory, not a file");
        }
        return p;
    }

    public List<String> positionals() {
        return positionals;
    }

    /** Positional argument {@code i}, or {@code null} when not given. */
    public String positional(int i) {
        return i < positionals.size() ? positionals.get(i) : null;
    }
}
