package dev.minnow.jmh.report;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphSummary;
import dev.minnow.jmh.ConvLayer;
import dev.minnow.jmh.Network;
import dev.minnow.jmh.TrainingBenchmark;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Turns JMH JSON results into the markdown tables of docs/performance.md:
 * <pre>java -cp jmh/target/benchmarks.jar dev.minnow.jmh.report.PerformanceTable [--peak-per-core GFLOPS] RESULT.json|DIR ...</pre>
 * (a directory stands for every {@code *.json} in it). Per subject: Minnow's median time, ONNX
 * Runtime's (and EJML's for GEMM) from the same run, the ratio Minnow / peer (lower is better),
 * Minnow's GFLOP/s and its share of the machine's peak, and how much slower the scalar path is
 * than the vector path (scalar / vector). Missing measurements show as a dash.
 *
 * <p>FLOPs are computed from the shapes: {@code 2 n^3} for GEMM, {@code 2 * MACs} for a layer or
 * a network (MACs from {@link ConvLayer#macs} and from Minnow's {@link GraphSummary} of the ONNX
 * file). The peak is {@value #PEAK_GFLOPS_PER_CORE} GFLOP/s per core times the thread count: a
 * Zen 3 core at 3.2 GHz issues two 8-lane FMAs per cycle, {@code 3.2 * 2 * 8 * 2}.
 */
public final class PerformanceTable {
    /** FP32 GFLOP/s of one core of the benchmark machine (2-core AMD EPYC, Zen 3, AVX2 + FMA). */
    public static final double PEAK_GFLOPS_PER_CORE = 102.4;
    private static final String NONE = "—";

    /** Where one engine's numbers come from: a benchmark class and the parameters that select them. */
    private record Source(String benchmarkClass, Map<String, String> fixed) {
        static Source of(String cls, String... kv) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                m.put(kv[i], kv[i + 1]);
            }
            return new Source(cls, m);
        }
    }

    private final List<JmhResult> results;
    private final double peakPerCore;
    private final Map<String, Double> networkFlops = new HashMap<>();

    PerformanceTable(List<JmhResult> results, double peakPerCore) {
        this.results = List.copyOf(results);
        this.peakPerCore = peakPerCore;
    }

    public static void main(String[] args) throws IOException {
        double peak = PEAK_GFLOPS_PER_CORE;
        List<JmhResult> results = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--peak-per-core")) {
                peak = Double.parseDouble(args[++i]);
                continue;
            }
            Path p = Path.of(args[i]);
            List<Path> files;
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
                }
            } else {
                files = List.of(p);
            }
            for (Path f : files) {
                results.addAll(JmhResult.read(f));
            }
        }
        if (args.length == 0) {
            System.err.println("usage: PerformanceTable [--peak-per-core GFLOPS] RESULT.json|DIR ...");
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(results.isEmpty() ? "No benchmark results (did every benchmark fail?)\n"
                : new PerformanceTable(results, peak).markdown());
    }

    /** Every section for which there are results. */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        Set<String> jdks = new LinkedHashSet<>();
        results.forEach(r -> jdks.add(r.jdk()));
        sb.append(String.format(Locale.ROOT, "Medians of JMH SampleTime runs; JDK %s; peak %.1f GFLOP/s per core x"
                + " threads. Minnow/ORT: lower is better. scalar/vector: how many times slower the scalar"
                + " kernels are.%n%n", String.join(", ", jdks), peakPerCore));
        comparison(sb, "GEMM (C = A B, n x n x n)", List.of("n", "threads"),
                Source.of("GemmPeerBenchmark", "engine", "minnow"), Source.of("GemmBenchmark", "kernels", "vector"),
                Source.of("GemmBenchmark", "kernels", "scalar"),
                peers("ORT", Source.of("GemmPeerBenchmark", "engine", "ort"),
                        "EJML", Source.of("GemmPeerBenchmark", "engine", "ejml")),
                k -> "n = " + k.get("n"), k -> 2.0 * Math.pow(Integer.parseInt(k.get("n")), 3));
        naive(sb);
        comparison(sb, "Convolution layers", List.of("layer", "batch", "threads"),
                Source.of("ConvLayerPeerBenchmark", "engine", "minnow"), Source.of("ConvLayerBenchmark"),
                Source.of("ConvLayerScalarBenchmark"),
                Map.of("ORT", Source.of("ConvLayerPeerBenchmark", "engine", "ort")),
                k -> ConvLayer.valueOf(k.get("layer")).description() + ", batch " + k.get("batch"),
                k -> 2.0 * ConvLayer.valueOf(k.get("layer")).macs(Integer.parseInt(k.get("batch"))));
        comparison(sb, "Networks (torchvision, random weights, 224x224)", List.of("network", "batch", "threads"),
                Source.of("NetworkPeerBenchmark", "engine", "minnow"), Source.of("NetworkBenchmark"),
                Source.of("NetworkScalarBenchmark"),
                Map.of("ORT", Source.of("NetworkPeerBenchmark", "engine", "ort")),
                k -> Network.valueOf(k.get("network")).description() + ", batch " + k.get("batch"),
                k -> networkFlops(k.get("network"), Integer.parseInt(k.get("batch"))));
        training(sb);
        allocation(sb);
        return sb.toString();
    }

    private static Map<String, Source> peers(String name1, Source s1, String name2, Source s2) {
        Map<String, Source> m = new LinkedHashMap<>();
        m.put(name1, s1);
        m.put(name2, s2);
        return m;
    }

    /** One table of Minnow against its peers, one row per subject. */
    private void comparison(StringBuilder sb, String title, List<String> keyParams, Source peerMinnow, Source vector,
                            Source scalar, Map<String, Source> peers, Function<Map<String, String>, String> label,
                            Function<Map<String, String>, Double> flops) {
        List<Source> all = new ArrayList<>(List.of(peerMinnow, vector, scalar));
        all.addAll(peers.values());
        List<Map<String, String>> keys = keys(all, keyParams);
        if (keys.isEmpty()) {
            return;
        }
        List<String> head = new ArrayList<>(List.of("subject", "threads", "GFLOP", "Minnow ms"));
        peers.keySet().forEach(p -> {
            head.add(p + " ms");
            head.add("Minnow/" + p);
        });
        head.addAll(List.of("Minnow GFLOP/s", "% of peak"));
        peers.keySet().forEach(p -> head.add(p + " GFLOP/s"));
        head.addAll(List.of("scalar ms", "scalar/vector"));
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, String> k : keys) {
            Double minnow = first(ms(peerMinnow, k), ms(vector, k));
            Double vec = first(ms(vector, k), ms(peerMinnow, k));
            Double sca = ms(scalar, k);
            Double f = flops.apply(k);
            int threads = Integer.parseInt(k.getOrDefault("threads", "1"));
            List<String> row = new ArrayList<>(List.of(label.apply(k), String.valueOf(threads),
                    f == null ? NONE : significant(f / 1e9, 3), time(minnow)));
            for (Source p : peers.values()) {
                Double peer = ms(p, k);
                row.add(time(peer));
                row.add(ratio(minnow, peer));
            }
            row.add(gflops(f, minnow));
            row.add(minnow == null || f == null ? NONE : fixed(100 * f / (minnow * 1e6) / (peakPerCore * threads), 1));
            for (Source p : peers.values()) {
                row.add(gflops(f, ms(p, k)));
            }
            row.add(time(sca));
            row.add(ratio(sca, vec));
            rows.add(row);
        }
        table(sb, "### " + title, head, rows);
    }

    private void naive(StringBuilder sb) {
        for (JmhResult r : results) {
            if (r.benchmarkClass().equals("GemmNaiveBenchmark")) {
                sb.append(String.format(Locale.ROOT, "The naive triple loop (n = 256, 1 thread): %s ms, %s GFLOP/s.%n%n",
                        time(r.medianMs()), gflops(2.0 * 256 * 256 * 256, r.medianMs())));
            }
        }
    }

    private void training(StringBuilder sb) {
        Source vector = Source.of("TrainingBenchmark");
        Source scalar = Source.of("TrainingScalarBenchmark");
        List<Map<String, String>> keys = keys(List.of(vector, scalar), List.of("net", "threads"));
        List<List<String>> rows = new ArrayList<>();
        int batch = TrainingBenchmark.BATCH;
        for (Map<String, String> k : keys) {
            Double v = ms(vector, k);
            Double s = ms(scalar, k);
            rows.add(List.of(k.get("net"), k.get("threads"), time(v),
                    v == null ? NONE : fixed(batch * 1000 / v, 0),
                    v == null ? NONE : fixed(60000.0 / batch * v / 1000, 1), time(s), ratio(s, v)));
        }
        table(sb, "### Training (one SGD step on a batch of " + batch + ")", List.of("network", "threads",
                "ms per step", "images/s", "s per 60k-image epoch", "scalar ms", "scalar/vector"), rows);
    }

    private void allocation(StringBuilder sb) {
        List<List<String>> rows = new ArrayList<>();
        for (JmhResult r : results) {
            if (r.benchmarkClass().equals("InferenceAllocationBenchmark")) {
                rows.add(List.of(r.param("model"), r.param("threads"),
                        r.allocBytes() == null ? NONE + " (run with -prof gc)" : fixed(r.allocBytes(), 0),
                        time(r.medianMs())));
            }
        }
        rows.sort(Comparator.comparing((List<String> r) -> r.get(0)).thenComparing(r -> r.get(1)));
        table(sb, "### Steady-state allocation (JMH -prof gc, gc.alloc.rate.norm)",
                List.of("model", "threads", "bytes per inference", "ms"), rows);
    }

    /** The distinct values of {@code keyParams} among the results of these sources, in a stable order. */
    private List<Map<String, String>> keys(List<Source> sources, List<String> keyParams) {
        Set<Map<String, String>> keys = new LinkedHashSet<>();
        for (JmhResult r : results) {
            for (Source s : sources) {
                if (matches(r, s, Map.of())) {
                    Map<String, String> k = new LinkedHashMap<>();
                    for (String p : keyParams) {
                        k.put(p, r.params().getOrDefault(p, "1"));
                    }
                    keys.add(k);
                }
            }
        }
        List<Map<String, String>> sorted = new ArrayList<>(keys);
        Comparator<Map<String, String>> order = Comparator.comparing(k -> 0);
        for (String p : keyParams) {
            order = order.thenComparing(k -> k.get(p), PerformanceTable::compareValues);
        }
        sorted.sort(order);
        return sorted;
    }

    /** Numbers by value, enum names by declaration order when they are layers or networks, else by text. */
    private static int compareValues(String a, String b) {
        try {
            return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
        } catch (NumberFormatException e) {
            return Integer.compare(enumOrder(a), enumOrder(b)) != 0 ? Integer.compare(enumOrder(a), enumOrder(b))
                    : a.compareTo(b);
        }
    }

    private static int enumOrder(String name) {
        for (ConvLayer l : ConvLayer.values()) {
            if (l.name().equals(name)) {
                return l.ordinal();
            }
        }
        for (Network n : Network.values()) {
            if (n.name().equals(name)) {
                return n.ordinal();
            }
        }
        return Integer.MAX_VALUE;
    }

    private static boolean matches(JmhResult r, Source s, Map<String, String> key) {
        if (!r.benchmarkClass().equals(s.benchmarkClass())) {
            return false;
        }
        for (Map.Entry<String, String> e : s.fixed().entrySet()) {
            if (!e.getValue().equals(r.param(e.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, String> e : key.entrySet()) {
            if (!e.getValue().equals(r.params().getOrDefault(e.getKey(), "1"))) {
                return false;
            }
        }
        return true;
    }

    /** The median of the source's result for this subject; the last one when several files hold it. */
    private Double ms(Source s, Map<String, String> key) {
        Double found = null;
        for (JmhResult r : results) {
            if (matches(r, s, key)) {
                found = r.medianMs();
            }
        }
        return found;
    }

    private Double networkFlops(String network, int batch) {
        return networkFlops.computeIfAbsent(network + "@" + batch, k -> {
            Network n = Network.valueOf(network);
            if (!Files.isRegularFile(n.file())) {
                return null;
            }
            Graph g = n.graph();
            return 2.0 * GraphSummary.of(g, Map.of(g.inputs().get(0).name(), n.inputShape(batch))).macs();
        });
    }

    private static Double first(Double a, Double b) {
        return a != null ? a : b;
    }

    private static String time(Double ms) {
        if (ms == null || ms.isNaN()) {
            return NONE;
        }
        return ms >= 100 ? fixed(ms, 0) : ms >= 10 ? fixed(ms, 1) : ms >= 1 ? fixed(ms, 2) : fixed(ms, 3);
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? NONE : fixed(a / b, 2);
    }

    private static String gflops(Double flops, Double ms) {
        return flops == null || ms == null || ms == 0 ? NONE : fixed(flops / (ms * 1e6), 1);
    }

    /** {@code v} with {@code digits} significant digits, in plain notation (0.00320, 0.231, 3.63, 1820). */
    private static String significant(double v, int digits) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(digits)).stripTrailingZeros().toPlainString();
    }

    private static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static void table(StringBuilder sb, String title, List<String> head, List<List<String>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        sb.append(title).append("\n\n");
        sb.append("| ").append(String.join(" | ", head)).append(" |\n");
        sb.append("|");
        for (int i = 0; i < head.size(); i++) {
            sb.append(i == 0 ? "---|" : "---:|");
        }
        sb.append('\n');
        for (List<String> r : rows) {
            sb.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        sb.append('\n');
    }
}
