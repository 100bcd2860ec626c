package dev.minnow.jmh.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark configuration of a JMH JSON result file ({@code -rf json}): which benchmark, with
 * which parameters, its median time in milliseconds, and the bytes allocated per operation when
 * the run used {@code -prof gc}.
 *
 * @param benchmarkClass the class's simple name, e.g. {@code ConvLayerPeerBenchmark}
 * @param method         the benchmark method
 * @param params         JMH parameters by name ({@code engine}, {@code threads}, ...)
 * @param medianMs       the 50th percentile of the sampled times (the score when not sampled), in ms
 * @param allocBytes     {@code gc.alloc.rate.norm} in bytes per operation (the median over the
 *                       iterations when JMH reports percentiles, else the score), or null
 * @param jdk            the JDK version the benchmark ran on
 */
record JmhResult(String benchmarkClass, String method, Map<String, String> params, double medianMs, Double allocBytes,
                 String jdk) {

    /** The parameter's value, or null. */
    String param(String name) {
        return params.get(name);
    }

    int intParam(String name) {
        return Integer.parseInt(params.get(name));
    }

    /** Reads every configuration of one JMH JSON file. */
    @SuppressWarnings("unchecked")
    static List<JmhResult> read(Path file) throws IOException {
        Object root;
        try {
            root = dev.minnow.zoo.cli.JsonReader.parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (!(root instanceof List<?> entries)) {
            throw new IOException(file + ": not a JMH JSON result file (expected an array)");
        }
        List<JmhResult> results = new ArrayList<>();
        for (Object entry : entries) {
            Map<String, Object> e = (Map<String, Object>) entry;
            String full = (String) e.get("benchmark");
            int dot = full.lastIndexOf('.');
            String className = full.substring(0, dot);
            className = className.substring(className.lastIndexOf('.') + 1);
            Map<String, String> params = new LinkedHashMap<>();
            Object p = e.get("params");
            if (p instanceof Map<?, ?> pm) {
                pm.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
            }
            Map<String, Object> primary = (Map<String, Object>) e.get("primaryMetric");
            double ms = median(primary) * toMillis((String) primary.get("scoreUnit"), file);
            Double alloc = null;
            Object secondary = e.get("secondaryMetrics");
            if (secondary instanceof Map<?, ?> sm) {
                for (Map.Entry<?, ?> m : sm.entrySet()) {
                    if (((String) m.getKey()).endsWith("gc.alloc.rate.norm")) {
                        // the median, as for the times: one iteration still warming up (Vector API
                        // values on the heap until C2 compiles) would otherwise dominate the mean
                        alloc = median((Map<String, Object>) m.getValue());
                    }
                }
            }
            results.add(new JmhResult(className, full.substring(dot + 1), params, ms, alloc,
                    String.valueOf(e.getOrDefault("jdkVersion", "?"))));
        }
        return results;
    }

    /** A metric's 50th percentile (of the samples, or of the iterations), else its score. */
    private static double median(Map<String, Object> metric) {
        if (metric.get("scorePercentiles") instanceof Map<?, ?> pc && pc.get("50.0") != null) {
            return number(pc.get("50.0"));
        }
        return number(metric.get("score"));
    }

    private static double number(Object o) {
        return o instanceof Double d ? d : Double.NaN;
    }

    /** Milliseconds per unit of a JMH time score such as {@code ms/op} or {@code us/op}. */
    private static double toMillis(String unit, Path file) throws IOException {
        return switch (unit) {
            case "s/op" -> 1e3;
            case "ms/op" -> 1;
            case "us/op" -> 1e-3;
            case "ns/op" -> 1e-6;
            default -> throw new IOException(file + ": scores in '" + unit + "' are not supported; run the benchmarks"
                    + " in a time-per-operation mode (SampleTime, AverageTime)");
        };
    }
}
