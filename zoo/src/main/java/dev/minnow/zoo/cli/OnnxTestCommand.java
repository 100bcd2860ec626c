package dev.minnow.zoo.cli;

import dev.minnow.engine.io.onnx.ConformanceResult;
import dev.minnow.engine.io.onnx.OnnxConformance;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code minnow onnx-test}: runs the ONNX conformance tests and reports each one. */
final class OnnxTestCommand implements Command {

    /** The suites of the ONNX test data, in the order they are run. */
    static final List<String> SUITES = List.of("node", "pytorch-converted", "pytorch-operator", "simple");

    private static final ArgSpec SPEC = ArgSpec.builder("onnx-test", """
            Runs ONNX's own conformance tests (test_*/model.onnx with test_data_set_*/ inputs and
            expected outputs) and prints one line per test: PASS, FAIL with the reason, or SKIP when
            the model uses something Minnow does not implement; then the counts. Exit code 1 when
            any test failed. DIR may be the data root (holding node/, pytorch-converted/, ...), one
            suite, or one test directory; the default is the Debian package libonnx-testdata.""")
            .optionalArgument("DIR", "where the tests are (default: the libonnx-testdata directory)")
            .repeatableOption("filter", "TEXT", "run only the tests whose name contains TEXT (any of them when repeated)")
            .flag("quiet", "print only the failures and the counts")
            .example("minnow onnx-test", "every test of /usr/share/libonnx-testdata/data")
            .example("minnow onnx-test --filter conv --filter pool", "the tests whose name contains conv or pool")
            .example("minnow onnx-test /usr/share/libonnx-testdata/data/node/test_relu", "a single test")
            .build();

    @Override
    public String name() {
        return "onnx-test";
    }

    @Override
    public String summary() {
        return "run the ONNX conformance tests (libonnx-testdata) and count passes and failures";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path root = args.positional(0) != null ? root(Path.of(args.positional(0)), false)
                : root(OnnxConformance.defaultRoot(), true);
        List<Path> tests = filter(testsUnder(root), args.options("filter"));
        if (tests.isEmpty()) {
            throw CliException.badInput(args.options("filter").isEmpty()
                    ? "no ONNX tests (test_*/model.onnx) under " + root
                    : "no test under " + root + " has a name containing " + String.join(" or ", args.options("filter")));
        }
        boolean quiet = args.flag("quiet");
        Map<ConformanceResult.Status, Integer> counts = new EnumMap<>(ConformanceResult.Status.class);
        List<Object> results = new ArrayList<>();
        for (Path test : tests) {
            ConformanceResult r = runOne(test);
            String detail = r.detail() == null ? "" : r.detail().strip().replaceAll("\\s*\\R\\s*", " ");
            if (detail.startsWith(r.name() + ": ")) {
                detail = detail.substring(r.name().length() + 2);   // the line already names the test
            }
            counts.merge(r.status(), 1, Integer::sum);
            if (args.json()) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("name", r.name());
                j.put("status", r.status().name());
                j.put("detail", detail.isEmpty() ? null : detail);
                results.add(j);
            } else if (!quiet || r.status() == ConformanceResult.Status.FAIL) {
                boolean showDetail = !detail.isEmpty() && r.status() != ConformanceResult.Status.PASS;
                out.println(r.status() + " " + r.name() + (showDetail ? ": " + detail : ""));
                out.flush();
            }
        }
        int passed = counts.getOrDefault(ConformanceResult.Status.PASS, 0);
        int failed = counts.getOrDefault(ConformanceResult.Status.FAIL, 0);
        int skipped = counts.getOrDefault(ConformanceResult.Status.SKIP, 0);
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("root", root.toString());
            j.put("passed", passed);
            j.put("failed", failed);
            j.put("skipped", skipped);
            j.put("tests", results);
            out.println(JsonWriter.write(j));
        } else {
            out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped");
        }
        return failed > 0 ? CliException.CHECK_FAILED : CliException.OK;
    }

    /** The directory to run, checked; {@code isDefault} when the user did not name one. */
    static Path root(Path dir, boolean isDefault) throws CliException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        throw CliException.badInput(isDefault
                ? "no ONNX test data at " + dir + ": install the Debian package libonnx-testdata"
                        + " (apt-get install libonnx-testdata) or pass a directory"
                : "no directory " + dir);
    }

    /** One test directory, the suites under a data root, or whatever the runner discovers under {@code root}. */
    static List<Path> testsUnder(Path root) throws Exception {
        if (Files.exists(root.resolve("model.onnx"))) {
            return List.of(root);
        }
        Set<Path> found = new LinkedHashSet<>();
        boolean anySuite = false;
        for (String suite : SUITES) {
            Path dir = root.resolve(suite);
            if (Files.isDirectory(dir)) {
                anySuite = true;
                found.addAll(OnnxConformance.discover(dir));
            }
        }
        if (!anySuite) {
            found.addAll(OnnxConformance.discover(root));
        }
        return new ArrayList<>(found);
    }

    private static List<Path> filter(List<Path> tests, List<String> texts) {
        if (texts.isEmpty()) {
            return tests;
        }
        return tests.stream().filter(t -> texts.stream().anyMatch(x -> t.getFileName().toString().contains(x))).toList();
    }

    /** Runs one test; a crash of the runner itself is that test's failure, not the end of the run. */
    private static ConformanceResult runOne(Path test) {
        String name = test.getFileName().toString();
        try {
            ConformanceResult r = OnnxConformance.run(test);
            return r.name() == null ? new ConformanceResult(name, r.status(), r.detail()) : r;
        } catch (Exception | StackOverflowError e) {
            return new ConformanceResult(name, ConformanceResult.Status.FAIL, "crashed: " + e);
        }
    }
}
