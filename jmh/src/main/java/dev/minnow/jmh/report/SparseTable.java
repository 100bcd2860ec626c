package dev.minnow.jmh.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The sparse-versus-dense tables of docs/pruning.md from JMH JSON results. Fully connected
 * layers: per shape, the dense Gemm op and the plain dense matrix-vector product
 * ({@code DenseFcBenchmark}), then for each sparsity the CSR layer's median
 * ({@code SparseFcBenchmark}, one table per kernel choice: auto, vector, scalar) with its speed-up over
 * both. Convolutions ({@code SparseConvBenchmark}): the dense op (sparsity 0) and the sparse one.
 * Times are medians in milliseconds.
 *
 * <pre>java -cp jmh/target/benchmarks.jar dev.minnow.jmh.report.SparseTable jmh/results/latest</pre>
 */
public final class SparseTable {
    private SparseTable() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: SparseTable DIR-OR-JSON-FILE");
            System.exit(2);
        }
        List<JmhResult> results = new ArrayList<>();
        Path p = Path.of(args[0]);
        if (Files.isDirectory(p)) {
            try (Stream<Path> files = Files.list(p)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                    results.addAll(JmhResult.read(f));
                }
            }
        } else {
            results.addAll(JmhResult.read(p));
        }
        System.out.print(tables(results));
    }

    static String tables(List<JmhResult> results) {
        StringBuilder sb = new StringBuilder();
        Map<String, Double> gemmOp = new LinkedHashMap<>();
        Map<String, Double> gemv = new LinkedHashMap<>();
        for (JmhResult r : results) {
            if (r.benchmarkClass().equals("DenseFcBenchmark") && "1".equals(r.param("threads"))) {
                (r.method().equals("gemv") ? gemv : gemmOp).put(r.param("shape"), r.medianMs());
            }
        }
        for (String kernels : new String[] {"auto", "vector", "scalar"}) {
            Map<String, Map<Double, Double>> rows = rows(results, "SparseFcBenchmark", "shape", kernels);
            if (rows.isEmpty()) {
                continue;
            }
            TreeSet<Double> sparsities = sparsities(rows);
            String which = kernels.equals("auto") ? "the sparse kernels Minnow picks (auto)"
                    : kernels + " sparse kernels";
            sb.append("Fully connected layers at batch 1, one thread, ").append(which).append(":"
                    + " median ms, and in brackets the speed-up over the dense Gemm op ; over the dense GEMV\n\n");
            sb.append("| layer (in x out) | dense Gemm op | dense GEMV");
            sparsities.forEach(s -> sb.append(String.format(Locale.ROOT, " | %.0f %% sparse", 100 * s)));
            sb.append(" |\n|---|---:|---:").append("|---:".repeat(sparsities.size())).append("|\n");
            for (Map.Entry<String, Map<Double, Double>> row : rows.entrySet()) {
                Double op = gemmOp.get(row.getKey());
                Double plain = gemv.get(row.getKey());
                sb.append("| ").append(shapeName(row.getKey())).append(" | ").append(ms(op)).append(" | ").append(ms(plain));
                for (double s : sparsities) {
                    Double t = row.getValue().get(s);
                    sb.append(" | ").append(ms(t));
                    if (t != null) {
                        sb.append(" (").append(ratio(op, t)).append(" ; ").append(ratio(plain, t)).append(')');
                    }
                }
                sb.append(" |\n");
            }
            sb.append('\n');
        }
        Map<String, Map<Double, Double>> conv = rows(results, "SparseConvBenchmark", "layer", null);
        if (!conv.isEmpty()) {
            TreeSet<Double> sparsities = sparsities(conv);
            sb.append("Convolutions at batch 1, one thread: median ms of the dense Conv op and of the sparse one,"
                    + " and in brackets the speed-up\n\n| layer | dense");
            sparsities.forEach(s -> sb.append(String.format(Locale.ROOT, " | %.0f %% sparse", 100 * s)));
            sb.append(" |\n|---|---:").append("|---:".repeat(sparsities.size())).append("|\n");
            for (Map.Entry<String, Map<Double, Double>> row : conv.entrySet()) {
                Double dense = row.getValue().get(0.0);
                sb.append("| ").append(row.getKey()).append(" | ").append(ms(dense));
                for (double s : sparsities) {
                    Double t = row.getValue().get(s);
                    sb.append(" | ").append(ms(t));
                    if (t != null) {
                        sb.append(" (").append(ratio(dense, t)).append(')');
                    }
                }
                sb.append(" |\n");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Median by sparsity, per value of {@code key}, for batch 1 and one thread (and the kernels, when given). */
    private static Map<String, Map<Double, Double>> rows(List<JmhResult> results, String cls, String key, String kernels) {
        Map<String, Map<Double, Double>> rows = new LinkedHashMap<>();
        for (JmhResult r : results) {
            if (!r.benchmarkClass().equals(cls) || !"1".equals(r.param("batch")) || !"1".equals(r.param("threads"))) {
                continue;
            }
            double s = Double.parseDouble(r.param("sparsity"));
            if (kernels != null && !kernels.equals(r.param("kernels")) && s != 0) {
                continue;
            }
            rows.computeIfAbsent(r.param(key), k -> new LinkedHashMap<>()).put(s, r.medianMs());
        }
        return rows;
    }

    private static TreeSet<Double> sparsities(Map<String, Map<Double, Double>> rows) {
        TreeSet<Double> s = new TreeSet<>();
        rows.values().forEach(m -> m.keySet().stream().filter(v -> v > 0).forEach(s::add));
        return s;
    }

    /** {@code FC_9216X4096} -> {@code 9216 x 4096}. */
    static String shapeName(String param) {
        return param.startsWith("FC_") ? param.substring(3).replace("X", " x ") : param;
    }

    private static String ratio(Double dense, double sparse) {
        return dense == null ? "—" : String.format(Locale.ROOT, "%.1fx", dense / sparse);
    }

    private static String ms(Double v) {
        if (v == null) {
            return "—";
        }
        return v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : v >= 1 ? String.format(Locale.ROOT, "%.2f", v)
                : String.format(Locale.ROOT, "%.3f", v);
    }
}
