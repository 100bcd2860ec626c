package dev.minnow.jmh;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.kernel.Gemm;
import dev.minnow.engine.tensor.Shape;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * One thread against two, and optionally one build against another, measured <em>interleaved</em>
 * in one JVM: rounds of a fraction of a second alternate between the configurations, so that the
 * minute-to-minute changes of a shared machine's speed hit all of them alike. Separate JMH forks
 * minutes apart do not have that property: on the benchmark VM the same code measured up to 2x
 * apart in two forks of one run (docs/performance.md, "Two threads").
 * <pre>
 * java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar dev.minnow.jmh.Interleaved \
 *     [--jars OLD.jar,NEW.jar[@scalar][@name=value]] [--rounds 8] [--round-seconds 0.4] SUBJECT ...
 * SUBJECT: gemmN (an N x N x N product), LAYER:BATCH (a {@link ConvLayer}), a {@link Network},
 *          conv:IN,OUT,SIZE,K,STRIDE,GROUPS,DILATION,BATCH (any one convolution, {@link ConvSubject}),
 *          FLOAT3X3_256_14 or XNOR3X3_256_14 (the two layers of {@link XnorConvBenchmark}),
 *          TRAIN_ and a {@link LeNets} name (a training step of {@link TrainingBenchmark}),
 *          MACS{fraction}_{zoo model} (a zoo model with that fraction of its conv MACs pruned away by
 *          {@link StructuredPruningBenchmark}'s filter pruning, e.g. MACS0.5_resnet18; MACS0 for none),
 *          or several subjects joined by '+' (measured interleaved with each other, each relative to the first)
 * </pre>
 * With {@code --jars} each jar (a {@code benchmarks.jar} of some commit) gets its own class
 * loader, so two versions of the engine, each with its own thread pool, run side by side; this
 * class is taken from its own jar and must only call what both versions have. Prints per
 * configuration the median and 10th percentile of the per-call times, the 1 -> 2 thread speed-ups,
 * and each jar's times relative to the first. A jar named with the suffix {@code @scalar}
 * ({@code --jars B.jar,B.jar@scalar}) runs with its scalar kernels forced, as
 * {@code -Dminnow.simd=scalar} would, so the scalar and the vector path are measured interleaved;
 * a suffix {@code @name=value} sets any other property of the engine the same way, for that copy
 * only ({@code B.jar,B.jar@minnow.winograd=false}: the same build with and without Winograd).
 */
public final class Interleaved {

    /** Appended to a jar in {@code --jars}: that copy of the engine runs its scalar kernels. */
    private static final String SCALAR_SUFFIX = "@scalar";
    /** Subjects {@code TRAIN_LENET5}, {@code TRAIN_LENET300_100}: a training step of {@link TrainingBenchmark}. */
    private static final String TRAIN_PREFIX = "TRAIN_";
    /** Subjects {@code MACS0.5_resnet18} and the like: a structurally pruned zoo model. */
    private static final String MACS_PREFIX = "MACS";
    private static final String SIMD_PROPERTY = "minnow.simd";
    /** The engine's classes that read system properties when they are initialised. */
    private static final List<String> ENGINE_CLASSES = List.of("dev.minnow.engine.kernel.KernelProvider",
            "dev.minnow.engine.kernel.Gemm", "dev.minnow.engine.kernel.WinogradConv");

    private Interleaved() {
    }

    /** The subject as a runnable at {@code threads} threads (called reflectively, once per class loader). */
    public static Runnable subject(String what, int threads) {
        if (what.startsWith("gemm")) {
            int n = Integer.parseInt(what.substring(4));
            float[] a = new float[n * n];
            float[] b = new float[n * n];
            float[] c = new float[n * n];
            Random rnd = new Random(1);
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextFloat() - .5f;
                b[i] = rnd.nextFloat() - .5f;
            }
            return () -> Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n, threads);
        }
        if (what.startsWith(TRAIN_PREFIX)) {
            TrainingBenchmark.Step step = new TrainingBenchmark.Step(LeNets.valueOf(what.substring(TRAIN_PREFIX.length())),
                    threads);
            return step::run;
        }
        MinnowInference inference;
        if (what.startsWith(MACS_PREFIX)) {
            int at = what.indexOf('_');
            inference = StructuredPruningBenchmark.plan(what.substring(at + 1),
                    Double.parseDouble(what.substring(MACS_PREFIX.length(), at)), threads);
        } else if (what.equals("FLOAT3X3_256_14") || what.equals("XNOR3X3_256_14")) {
            Graph conv = XnorConvBenchmark.floatConv();
            Graph graph = what.startsWith("XNOR") ? XnorConvBenchmark.xnorConv(conv) : conv;
            inference = MinnowInference.plan(graph, Shape.of(1, XnorConvBenchmark.CHANNELS, XnorConvBenchmark.SIZE,
                    XnorConvBenchmark.SIZE), threads, 7);
        } else if (what.startsWith(ConvSubject.PREFIX)) {
            ConvSubject conv = ConvSubject.parse(what);
            inference = MinnowInference.plan(conv.graph(), conv.shape(), threads, 7);
        } else if (what.contains(":")) {
            String[] p = what.split(":");
            ConvLayer layer = ConvLayer.valueOf(p[0]);
            inference = MinnowInference.plan(layer.graph(), layer.inputShape(Integer.parseInt(p[1])), threads, 7);
        } else {
            Network network = Network.valueOf(what);
            inference = MinnowInference.plan(network.graph(), network.inputShape(1), threads, 7);
        }
        return inference::run;
    }

    public static void main(String[] args) throws Exception {
        List<String> jars = new ArrayList<>();
        List<String> subjects = new ArrayList<>();
        int rounds = 8;
        double roundSeconds = 0.4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jars" -> jars.addAll(List.of(args[++i].split(",")));
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--round-seconds" -> roundSeconds = Double.parseDouble(args[++i]);
                default -> subjects.add(args[i]);
            }
        }
        if (subjects.isEmpty()) {
            System.err.println("usage: Interleaved [--jars OLD.jar,NEW.jar[@scalar][@name=value]] [--rounds N]"
                    + " [--round-seconds S] SUBJECT ..."
                    + " (gemm1024, CONV3X3_64_56:1, MOBILENET_V2, ...)");
            System.exit(2);
        }
        URL self = Interleaved.class.getProtectionDomain().getCodeSource().getLocation();
        List<ClassLoader> loaders = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        if (jars.isEmpty()) {
            loaders.add(Interleaved.class.getClassLoader());
            labels.add("this build");
        }
        for (String jar : jars) {
            String[] parts = jar.split("@");
            String file = parts[0];
            List<String> settings = new ArrayList<>(List.of(parts).subList(1, parts.length));
            ClassLoader loader = new URLClassLoader(new URL[] {Path.of(file).toUri().toURL(), self},
                    ClassLoader.getPlatformClassLoader());
            initialise(loader, settings);
            loaders.add(loader);
            labels.add(Path.of(file).getFileName() + (settings.isEmpty() ? "" : "@" + String.join("@", settings)));
        }
        for (String what : subjects) {
            measure(what, loaders, labels, rounds, roundSeconds);
        }
        System.exit(0);   // the pools' workers are daemons, but leave no doubt
    }

    /**
     * Initialises the engine's classes that read system properties in {@code loader} now, with the
     * jar's settings in force: {@code scalar} ({@code minnow.simd=scalar}) and {@code name=value}
     * (any property, e.g. {@code minnow.winograd=false}). Those classes read their properties once,
     * when initialised, so setting them just around that moment affects this loader only.
     */
    private static void initialise(ClassLoader loader, List<String> settings) throws ClassNotFoundException {
        Map<String, String> before = new HashMap<>();
        for (String setting : settings) {
            boolean scalar = setting.equals(SCALAR_SUFFIX.substring(1));
            String name = scalar ? SIMD_PROPERTY : setting.split("=", 2)[0];
            String value = scalar ? "scalar" : setting.substring(name.length() + 1);
            before.putIfAbsent(name, System.getProperty(name));
            System.setProperty(name, value);
        }
        try {
            for (String c : ENGINE_CLASSES) {
                Class.forName(c, true, loader);
            }
        } finally {
            before.forEach((name, value) -> {
                if (value == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, value);
                }
            });
        }
    }

    private static void measure(String what, List<ClassLoader> loaders, List<String> labels, int rounds,
                                double roundSeconds) throws Exception {
        String[] parts = what.split("\\+");
        int perLoader = parts.length * 2;
        int configs = loaders.size() * perLoader;
        Runnable[] runs = new Runnable[configs];
        for (int j = 0; j < loaders.size(); j++) {
            Class<?> c = Class.forName(Interleaved.class.getName(), true, loaders.get(j));
            for (int q = 0; q < parts.length; q++) {
                for (int t = 1; t <= 2; t++) {
                    runs[j * perLoader + q * 2 + t - 1] = (Runnable) c.getMethod("subject", String.class, int.class)
                            .invoke(null, parts[q], t);
                }
            }
        }
        for (int warm = 0; warm < 2; warm++) {
            for (Runnable r : runs) {
                runFor(r, 1.0, null);
            }
        }
        List<List<Long>> times = new ArrayList<>();
        for (int i = 0; i < configs; i++) {
            times.add(new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < configs; i++) {
                runFor(runs[i], roundSeconds, times.get(i));
            }
        }
        double[] median = new double[configs];
        double[] p10 = new double[configs];
        for (int i = 0; i < configs; i++) {
            List<Long> t = times.get(i);
            Collections.sort(t);
            median[i] = t.get(t.size() / 2) / 1e6;
            p10[i] = t.get(t.size() / 10) / 1e6;
        }
        for (int q = 0; q < parts.length; q++) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-24s", parts[q]));
            for (int j = 0; j < loaders.size(); j++) {
                for (int t = 0; t < 2; t++) {
                    int i = j * perLoader + q * 2 + t;
                    line.append(String.format(Locale.ROOT, " | %s %dt: median %.3f ms, p10 %.3f", labels.get(j), t + 1,
                            median[i], p10[i]));
                }
            }
            System.out.println(line);
            for (int j = 0; j < loaders.size(); j++) {
                int i = j * perLoader + q * 2;
                System.out.printf(Locale.ROOT, "    %s: 1 -> 2 threads %.2fx (median), %.2fx (p10)%n", labels.get(j),
                        median[i] / median[i + 1], p10[i] / p10[i + 1]);
            }
            for (int j = 1; j < loaders.size(); j++) {
                int i = j * perLoader + q * 2;
                int base = q * 2;
                System.out.printf(Locale.ROOT, "    %s / %s: 1 thread %.2f, 2 threads %.2f (medians)%n", labels.get(j),
                        labels.get(0), median[i] / median[base], median[i + 1] / median[base + 1]);
            }
        }
        for (int q = 1; q < parts.length; q++) {
            for (int j = 0; j < loaders.size(); j++) {
                int i = j * perLoader + q * 2;
                int first = j * perLoader;
                System.out.printf(Locale.ROOT, "    %s, interleaved: %s / %s: 1 thread %.2f, 2 threads %.2f (medians);"
                                + " %s is %.2fx / %.2fx faster%n", labels.get(j), parts[q], parts[0],
                        median[i] / median[first], median[i + 1] / median[first + 1], parts[q],
                        median[first] / median[i], median[first + 1] / median[i + 1]);
            }
        }
    }

    private static void runFor(Runnable r, double seconds, List<Long> times) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long start = System.nanoTime();
            r.run();
            if (times != null) {
                times.add(System.nanoTime() - start);
            }
        } while (System.nanoTime() < end);
    }
}
