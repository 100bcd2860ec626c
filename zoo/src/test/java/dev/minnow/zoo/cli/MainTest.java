package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @Test
    void helpListsEveryCommand() {
        CliRun r = CliRun.of("--help");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: minnow COMMAND");
        for (Command c : Main.COMMANDS) {
            assertThat(r.out()).contains("  " + c.name() + " ");
        }
        assertThat(CliRun.of("-h").out()).isEqualTo(r.out());
        assertThat(CliRun.of("help").out()).isEqualTo(r.out());
    }

    @Test
    void versionNamesTheProjectVersionAndJava() {
        CliRun r = CliRun.of("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("minnow 0.").contains("Java 17").doesNotContain("${");
    }

    @Test
    void everyCommandHasHelpWithExamples() {
        for (Command c : Main.COMMANDS) {
            for (String flag : new String[] {"--help", "-h"}) {
                CliRun r = CliRun.of(c.name(), "--bogus", flag);   // help wins over other mistakes
                assertThat(r.code()).as(c.name()).isZero();
                assertThat(r.out()).as(c.name()).startsWith("Usage: minnow " + c.name()).contains("Examples:", "--json");
                assertThat(r.err()).isEmpty();
            }
            assertThat(CliRun.of("help", c.name()).out()).isEqualTo(c.spec().usage());
        }
    }

    @Test
    void noCommandOrAnUnknownOneIsBadUsage() {
        String names = String.join(", ", Main.COMMANDS.stream().map(Command::name).toList());
        assertThat(names).startsWith("demo, train, eval, compress, run, summary, bench, onnx-test");
        CliRun none = CliRun.of();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.errLine()).isEqualTo("minnow: no command given; commands: " + names + " (minnow --help for more)");
        CliRun unknown = CliRun.of("summry", "x.onnx");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.errLine()).isEqualTo("minnow: unknown command 'summry' (did you mean 'summary'?);"
                + " commands: " + names + " (minnow --help for more)");
        assertThat(CliRun.of("--frobnicate").errLine()).startsWith("minnow: unknown option --frobnicate");
    }

    @Test
    void usageErrorsAreOneLineNamingTheCommand() {
        CliRun r = CliRun.of("run");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLine()).isEqualTo("minnow: run: missing MODEL.onnx (the model to run) (see minnow run --help)");
        CliRun bad = CliRun.of("summary", "m.onnx", "--input-shap", "1,2");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.errLine()).startsWith("minnow: summary: unknown option --input-shap (did you mean --input-shape?);"
                + " valid options: --input-shape, --optimized, --json, --verbose, --help");
        assertThat(CliRun.of("run", "m.onnx", "--threads").errLine())
                .isEqualTo("minnow: run: --threads needs a value: --threads T (see minnow run --help)");
    }

    @Test
    void badInputIsOneLineAndATraceOnlyWithVerbose(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("run", dir.resolve("missing.onnx").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLine()).startsWith("minnow: run: no such file: " + dir.resolve("missing.onnx"));

        CliRun threads = CliRun.of("run", "x.onnx", "--threads", "two");
        assertThat(threads.errLine()).contains("--threads expects a whole number of at least 1, got 'two'");

        CliRun notDir = CliRun.of("onnx-test", dir.resolve("nope").toString(), "--json");
        assertThat(notDir.code()).isEqualTo(2);
        assertThat(notDir.out()).isEmpty();
        assertThat(notDir.errLine()).isEqualTo("minnow: onnx-test: no directory " + dir.resolve("nope"));

        CliRun verbose = CliRun.of("onnx-test", dir.resolve("nope").toString(), "--verbose");
        assertThat(verbose.err()).startsWith("minnow: onnx-test: no directory").contains("\tat dev.minnow.zoo.cli.");
    }

    @Test
    void theDefaultConformanceRootExplainsHowToInstallIt(@TempDir Path dir) {
        Path absent = dir.resolve("libonnx-testdata");
        CliException e = org.junit.jupiter.api.Assertions.assertThrows(CliException.class,
                () -> OnnxTestCommand.root(absent, true));
        assertThat(e.exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).contains("install the Debian package libonnx-testdata"
                + " (apt-get install libonnx-testdata) or pass a directory");
    }

    @Test
    void describesExceptionsForPeople() throws Exception {
        assertThat(Main.describe(new java.nio.file.NoSuchFileException("a.onnx"))).isEqualTo("no such file: a.onnx");
        assertThat(Main.describe(new dev.minnow.engine.io.ModelFormatException("a.onnx: truncated\nat byte 7")))
                .isEqualTo("a.onnx: truncated at byte 7");
        assertThat(Main.describe(new NullPointerException("x"))).isEqualTo("internal error: java.lang.NullPointerException: x");
        Path f = Files.createTempFile("minnow", ".txt");
        try {
            assertThat(Main.describe(new java.nio.file.AccessDeniedException(f.toString())))
                    .isEqualTo("permission denied: " + f);
        } finally {
            Files.delete(f);
        }
    }
}
