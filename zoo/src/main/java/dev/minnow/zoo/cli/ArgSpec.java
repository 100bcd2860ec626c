package dev.minnow.zoo.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command accepts: positional arguments, options with a value ({@code --name value} or
 * {@code --name=value}, possibly repeated) and flags ({@code --name}); plus its description and
 * examples, from which {@link #usage()} writes the {@code --help} text. Every command also gets
 * the common flags {@code --json}, {@code --verbose} and {@code -h/--help}.
 *
 * <p>{@link #parse} turns a command line into {@link Args} or throws a {@link CliException} whose
 * message says what is wrong: an unknown option (listing the valid ones, with the nearest as a
 * suggestion), a missing value, a missing or extra argument. A lone {@code --} ends the options.
 */
public final class ArgSpec {

    /** An option; {@code valueName} is null for a flag. */
    public record Option(String name, String valueName, String help, boolean repeatable) {
        boolean isFlag() {
            return valueName == null;
        }

        String display() {
            return (name.equals("help") ? "-h, " : "") + "--" + name + (isFlag() ? "" : " " + valueName);
        }
    }

    /** A positional argument. */
    public record Positional(String name, String help, boolean required) {
    }

    private final String command;
    private final String description;
    private final List<Positional> positionals;
    private final boolean lastRepeats;
    private final Map<String, Option> options;
    private final List<String[]> examples;

    private ArgSpec(Builder b) {
        this.command = b.command;
        this.description = b.description;
        this.positionals = List.copyOf(b.positionals);
        this.lastRepeats = b.lastRepeats;
        this.options = new LinkedHashMap<>(b.options);
        this.options.put("json", new Option("json", null, "print one JSON object (the same figures) instead of text", false));
        this.options.put("verbose", new Option("verbose", null, "on an error, print the stack trace too", false));
        this.options.put("help", new Option("help", null, "print this help and exit", false));
        this.examples = List.copyOf(b.examples);
    }

    /**
     * Starts a spec.
     *
     * @param command     the sub-command's name, e.g. {@code run}
     * @param description a few sentences shown under the usage line
     */
    public static Builder builder(String command, String description) {
        return new Builder(command, description);
    }

    public String command() {
        return command;
    }

    public List<Positional> positionals() {
        return positionals;
    }

    public Map<String, Option> options() {
        return java.util.Collections.unmodifiableMap(options);
    }

    /** True when the command line asks for help ({@code -h} or {@code --help} before any {@code --}). */
    public static boolean wantsHelp(List<String> argv) {
        for (String a : argv) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("-h") || a.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    /** Parses a command line (without the command name). */
    public Args parse(List<String> argv) throws CliException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<String> pos = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (optionsEnded || !looksLikeOption(a)) {
                pos.add(a);
                continue;
            }
            if (a.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (a.equals("-h")) {
                a = "--help";
            }
            int eq = a.indexOf('=');
            String name = a.substring(2, eq < 0 ? a.length() : eq);
            Option opt = a.startsWith("--") ? options.get(name) : null;
            if (opt == null) {
                throw CliException.usage("unknown option " + (eq < 0 ? a : a.substring(0, eq))
                        + suggestion(name) + "; valid options: " + String.join(", ", optionNames()));
            }
            String value;
            if (opt.isFlag()) {
                if (eq >= 0) {
                    throw CliException.usage("--" + name + " is a flag and takes no value (found '" + a + "')");
                }
                value = "";
            } else if (eq >= 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < argv.size() && !argv.get(i + 1).startsWith("--")) {
                value = argv.get(++i);
            } else {
                throw CliException.usage("--" + name + " needs a value: --" + name + " " + opt.valueName());
            }
            List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>());
            if (!list.isEmpty() && !opt.repeatable()) {
                throw CliException.usage("--" + name + " is given twice ('" + list.get(0) + "' and '" + value
                        + "'); give it once");
            }
            list.add(value);
        }
        int required = (int) positionals.stream().filter(Positional::required).count();
        if (pos.size() < required) {
            throw CliException.usage("missing " + positionals.get(pos.size()).name()
                    + " (" + positionals.get(pos.size()).help() + ")");
        }
        if (pos.size() > positionals.size() && !lastRepeats) {
            String takes = positionals.isEmpty() ? "no arguments"
                    : String.join(" ", positionals.stream().map(p -> p.required() ? p.name() : "[" + p.name() + "]").toList());
            throw CliException.usage("unexpected argument '" + pos.get(positionals.size()) + "' (" + command
                    + " takes " + takes + ")");
        }
        return new Args(this, values, pos);
    }

    /** {@code --x}, {@code -h}, {@code -x}; but not {@code -} (standard input) or {@code -5} (a number). */
    private static boolean looksLikeOption(String a) {
        return a.startsWith("--") || (a.startsWith("-") && a.length() > 1 && !Character.isDigit(a.charAt(1))
                && a.charAt(1) != '.');
    }

    private List<String> optionNames() {
        return options.keySet().stream().map(n -> "--" + n).toList();
    }

    private String suggestion(String name) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : options.keySet()) {
            int d = editDistance(name, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean --" + best + "?)";
    }

    /** Levenshtein distance: the fewest single-character edits turning {@code a} into {@code b}. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The {@code --help} text. */
    public String usage() {
        StringBuilder sb = new StringBuilder("Usage: minnow ").append(command);
        for (Positional p : positionals) {
            sb.append(' ').append(p.required() ? p.name() : "[" + p.name() + "]");
        }
        if (lastRepeats) {
            sb.append("...");
        }
        sb.append(" [options]\n\n").append(description.strip()).append('\n');
        int width = 0;
        for (Positional p : positionals) {
            width = Math.max(width, p.name().length());
        }
        for (Option o : options.values()) {
            width = Math.max(width, o.display().length() + (o.repeatable() ? 5 : 0));
        }
        String format = "  %-" + width + "s  %s%n";
        if (!positionals.isEmpty()) {
            sb.append("\nArguments:\n");
            for (Positional p : positionals) {
                sb.append(String.format(format, p.name(), p.help()));
            }
        }
        sb.append("\nOptions:\n");
        for (Option o : options.values()) {
            sb.append(String.format(format, o.display() + (o.repeatable() ? " ... " : ""), o.help()));
        }
        if (!examples.isEmpty()) {
            sb.append("\nExamples:\n");
            for (String[] e : examples) {
                sb.append("  ").append(e[0]).append('\n');
                if (!e[1].isEmpty()) {
                    sb.append("      ").append(e[1]).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** Collects a command's arguments, options, flags and examples. */
    public static final class Builder {
        private final String command;
        private final String description;
        private final List<Positional> positionals = new ArrayList<>();
        private boolean lastRepeats;
        private final Map<String, Option> options = new LinkedHashMap<>();
        private final List<String[]> examples = new ArrayList<>();

        private Builder(String command, String description) {
            this.command = command;
            this.description = description;
        }

        /** A required positional argument; required ones come before optional ones. */
        public Builder argument(String name, String help) {
            if (lastRepeats) {
                throw new IllegalStateException("argument " + name + " after a repeated one");
            }
            if (positionals.stream().anyMatch(p -> !p.required())) {
                throw new IllegalStateException("required argument " + name + " after an optional one");
            }
            positionals.add(new Positional(name, help, true));
            return this;
        }

        /** A required positional argument that takes every remaining argument too ({@code IMAGE...}); it comes last. */
        public Builder repeatedArgument(String name, String help) {
            argument(name, help);
            lastRepeats = true;
            return this;
        }

        public Builder optionalArgument(String name, String help) {
            if (lastRepeats) {
                throw new IllegalStateException("argument " + name + " after a repeated one");
            }
            positionals.add(new Positional(name, help, false));
            return this;
        }

        /** {@code --name VALUE}, at most once. */
        public Builder option(String name, String valueName, String help) {
            return add(new Option(name, valueName, help, false));
        }

        /** {@code --name VALUE}, any number of times. */
        public Builder repeatableOption(String name, String valueName, String help) {
            return add(new Option(name, valueName, help, true));
        }

        /** {@code --name}, present or not. */
        public Builder flag(String name, String help) {
            return add(new Option(name, null, help, false));
        }

        /** A command line shown under "Examples", with what it does (may be empty). */
        public Builder example(String commandLine, String what) {
            examples.add(new String[] {commandLine, what});
            return this;
        }

        private Builder add(Option o) {
            if (options.put(o.name(), o) != null || List.of("json", "verbose", "help").contains(o.name())) {
                throw new IllegalStateException("option --" + o.name() + " is declared twice");
            }
            return this;
        }

        public ArgSpec build() {
            return new ArgSpec(this);
        }
    }
}
