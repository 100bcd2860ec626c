package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArgSpecTest {

    private static final ArgSpec SPEC = ArgSpec.builder("demo", "Demonstrates the parser.")
            .argument("MODEL", "the model")
            .optionalArgument("OUT", "where to write")
            .option("threads", "T", "threads")
            .option("seed", "S", "seed")
            .repeatableOption("input", "FILE", "an input")
            .flag("quiet", "less output")
            .example("minnow demo m.onnx --threads 2", "two threads")
            .build();

    private static Args parse(String... argv) throws CliException {
        return SPEC.parse(List.of(argv));
    }

    @Test
    void readsOptionsFlagsAndPositionalsInAnyOrder() throws CliException {
        Args a = parse("--threads", "4", "m.onnx", "--input=a.npy", "--quiet", "--input", "b.npy", "out", "--json");
        assertThat(a.positionals()).containsExactly("m.onnx", "out");
        assertThat(a.intOption("threads", 1, 1)).isEqualTo(4);
        assertThat(a.options("input")).containsExactly("a.npy", "b.npy");
        assertThat(a.flag("quiet")).isTrue();
        assertThat(a.json()).isTrue();
        assertThat(a.verbose()).isFalse();
        assertThat(a.option("seed")).isNull();
        assertThat(a.longOption("seed", 9)).isEqualTo(9);
        assertThat(a.positional(1)).isEqualTo("out");
    }

    @Test
    void acceptsNegativeNumbersDashAndDoubleDash() throws CliException {
        Args a = parse("--seed", "-5", "-", "--", "--not-an-option");
        assertThat(a.longOption("seed", 0)).isEqualTo(-5);
        assertThat(a.positionals()).containsExactly("-", "--not-an-option");
        assertThat(parse("m", "--seed=").option("seed")).isEmpty();
    }

    @Test
    void rejectsUnknownOptionsListingTheValidOnesAndTheNearest() {
        assertThatThrownBy(() -> parse("m", "--thread", "2"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("unknown option --thread (did you mean --threads?)")
                .hasMessageContaining("valid options: --threads, --seed, --input, --quiet, --json, --verbose, --help");
        assertThatThrownBy(() -> parse("m", "-x")).hasMessageContaining("unknown option -x;");
        assertThatThrownBy(() -> parse("m", "--zzzzzz=1")).hasMessageStartingWith("unknown option --zzzzzz;");
    }

    @Test
    void rejectsMissingValuesRepeatsAndValuedFlags() {
        assertThatThrownBy(() -> parse("m", "--threads"))
                .hasMessage("--threads needs a value: --threads T");
        assertThatThrownBy(() -> parse("m", "--threads", "--quiet"))
                .hasMessage("--threads needs a value: --threads T");
        assertThatThrownBy(() -> parse("m", "--seed", "1", "--seed", "2"))
                .hasMessageContaining("--seed is given twice ('1' and '2')");
        assertThatThrownBy(() -> parse("m", "--quiet=yes"))
                .hasMessageContaining("--quiet is a flag and takes no value");
    }

    @Test
    void checksPositionalCountAndTypedValues() throws CliException {
        assertThatThrownBy(() -> parse()).hasMessage("missing MODEL (the model)");
        assertThatThrownBy(() -> parse("a", "b", "c"))
                .hasMessage("unexpected argument 'c' (demo takes MODEL [OUT])");
        assertThatThrownBy(() -> parse("m", "--threads", "0").intOption("threads", 1, 1))
                .hasMessage("--threads expects a whole number of at least 1, got '0'");
        assertThatThrownBy(() -> parse("m", "--seed", "x").longOption("seed", 0))
                .hasMessage("--seed expects a whole number, got 'x'");
        assertThatThrownBy(() -> parse("m").option("undeclared"))
                .isInstanceOf(IllegalArgumentException.class);
        CliException e = org.junit.jupiter.api.Assertions.assertThrows(CliException.class, () -> parse());
        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.isUsage()).isTrue();
    }

    @Test
    void usageListsArgumentsOptionsAndExamples() {
        String u = SPEC.usage();
        assertThat(u).startsWith("Usage: minnow demo MODEL [OUT] [options]\n\nDemonstrates the parser.\n");
        assertThat(u).contains("  MODEL ", "  --threads T ", "  --input FILE ... ", "  --json ", "  -h, --help ",
                "Examples:\n  minnow demo m.onnx --threads 2\n      two threads\n");
        assertThat(ArgSpec.wantsHelp(List.of("m", "-h"))).isTrue();
        assertThat(ArgSpec.wantsHelp(List.of("--", "-h"))).isFalse();
    }

    @Test
    void editDistanceCountsSingleCharacterEdits() {
        assertThat(ArgSpec.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(ArgSpec.editDistance("", "abc")).isEqualTo(3);
        assertThat(ArgSpec.editDistance("same", "same")).isZero();
    }
}
