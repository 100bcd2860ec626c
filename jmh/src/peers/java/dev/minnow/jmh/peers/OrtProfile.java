package dev.minnow.jmh.peers;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ONNX Runtime's time per node on a model, printed like {@code ./minnow profile} prints Minnow's,
 * so that the two can be read side by side and a network's gap to ORT traced to its layers
 * (docs/depthwise-and-pooling.md did it for MobileNet-V2, SqueezeNet and GoogLeNet).
 *
 * <pre>
 * java -cp jmh/target/benchmarks.jar dev.minnow.jmh.peers.OrtProfile [--threads 2] [--warmup 200] \
 *     [--runs 300] [--top 30] MODEL.onnx
 * </pre>
 * Runs the model with ORT's profiler on (same session settings as the peer benchmarks: graph
 * optimisations ALL, {@code --threads} intra-op threads), the warm-up runs first, and averages each
 * node's kernel time over the timed runs. The input is one float tensor of the model's declared
 * shape (symbolic dimensions as 1), filled with a fixed pattern. ORT renames the nodes it fuses or
 * converts to its blocked layout ({@code ..._nchwc}), so names match Minnow's only up to a prefix.
 */
public final class OrtProfile {
    private static final Pattern CATEGORY = Pattern.compile("\"cat\" : \"(\\w+)\"");
    private static final Pattern NAME = Pattern.compile("\"name\" :\"([^\"]*)\"");
    private static final Pattern DURATION = Pattern.compile("\"dur\" :(\\d+)");
    private static final Pattern OP = Pattern.compile("\"op_name\" : \"([^\"]*)\"");
    private static final String KERNEL_TIME = "_kernel_time";

    private OrtProfile() {
    }

    public static void main(String[] args) throws Exception {
        int threads = 2;
        int warmup = 200;
        int runs = 300;
        int top = 30;
        String model = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--top" -> top = Integer.parseInt(args[++i]);
                default -> model = args[i];
            }
        }
        if (model == null || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException(
                    "usage: OrtProfile [--threads T] [--warmup N] [--runs N] [--top N] MODEL.onnx");
        }
        Path dir = Files.createTempDirectory("ort-profile");
        Path json = profile(model, threads, warmup, runs, dir.resolve("ort").toString());
        try {
            print(model, threads, warmup, runs, top, json);
        } finally {
            Files.deleteIfExists(json);
            Files.deleteIfExists(dir);
        }
    }

    /** Runs the model with the profiler on; returns the profile ORT wrote. */
    private static Path profile(String model, int threads, int warmup, int runs, String prefix) throws OrtException {
        OrtEnvironment env = OrtModel.environment();
        try (OrtSession.SessionOptions options = OrtModel.options(threads)) {
            options.enableProfiling(prefix);
            try (OrtSession session = env.createSession(model, options)) {
                if (session.getInputInfo().size() != 1) {
                    throw new IllegalArgumentException(model + ": expected one input, found "
                            + session.getInputInfo().keySet());
                }
                NodeInfo input = session.getInputInfo().values().iterator().next();
                long[] shape = ((TensorInfo) input.getInfo()).getShape().clone();
                long size = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = Math.max(1, shape[i]);
                    size *= shape[i];
                }
                FloatBuffer data = FloatBuffer.allocate(Math.toIntExact(size));
                for (int i = 0; i < size; i++) {
                    data.put((float) Math.sin(i));
                }
                data.rewind();
                try (OnnxTensor x = OnnxTensor.createTensor(env, data, shape)) {
                    for (int i = 0; i < warmup + runs; i++) {
                        session.run(Map.of(input.getName(), x)).close();
                    }
                }
                return Path.of(session.endProfiling());
            }
        }
    }

    /** Per-node means over the last {@code runs} model runs (ORT writes one event per line). */
    private static void print(String model, int threads, int warmup, int runs, int top, Path json) throws IOException {
        List<Long> runDurations = new ArrayList<>();
        Map<String, double[]> nodes = new LinkedHashMap<>();   // name -> {microseconds in timed runs}
        Map<String, String> ops = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(json)) {
            for (String line; (line = in.readLine()) != null; ) {
                Matcher cat = CATEGORY.matcher(line);
                Matcher name = NAME.matcher(line);
                Matcher dur = DURATION.matcher(line);
                if (!cat.find() || !name.find() || !dur.find()) {
                    continue;
                }
                long us = Long.parseLong(dur.group(1));
                if (cat.group(1).equals("Session") && name.group(1).equals("model_run")) {
                    runDurations.add(us);
                } else if (cat.group(1).equals("Node") && name.group(1).endsWith(KERNEL_TIME)
                        && runDurations.size() >= warmup) {                  // a node of a timed run
                    String node = name.group(1).substring(0, name.group(1).length() - KERNEL_TIME.length());
                    nodes.computeIfAbsent(node, k -> new double[1])[0] += us;
                    Matcher op = OP.matcher(line);
                    ops.putIfAbsent(node, op.find() ? op.group(1) : "?");
                }
            }
        }
        if (runDurations.size() != warmup + runs) {
            throw new IllegalStateException(json + ": expected " + (warmup + runs) + " model runs, found "
                    + runDurations.size());
        }
        double total = runDurations.subList(warmup, runDurations.size()).stream().mapToLong(Long::longValue).sum()
                / 1000.0 / runs;
        Map<String, double[]> byOp = new LinkedHashMap<>();
        double inside = 0;
        for (Map.Entry<String, double[]> e : nodes.entrySet()) {
            double ms = e.getValue()[0] / 1000.0 / runs;
            e.getValue()[0] = ms;
            inside += ms;
            double[] sum = byOp.computeIfAbsent(ops.get(e.getKey()), k -> new double[2]);
            sum[0]++;
            sum[1] += ms;
        }
        System.out.printf(Locale.ROOT, "ONNX Runtime profile of %s, %d threads: %d timed runs after %d: "
                + "%.3f ms per run, of which %.3f ms inside the nodes%n%n", model, threads, runs, warmup, total,
                inside);
        System.out.printf(Locale.ROOT, "%-22s %6s %10s %8s%n", "op type", "nodes", "ms/run", "share");
        final double all = inside;
        byOp.entrySet().stream().sorted(Comparator.comparingDouble(e -> -e.getValue()[1])).forEach(e ->
                System.out.printf(Locale.ROOT, "%-22s %6d %10.3f %7.1f %%%n", e.getKey(), (int) e.getValue()[0],
                        e.getValue()[1], 100 * e.getValue()[1] / all));
        System.out.printf(Locale.ROOT, "%nslowest nodes:%n%-70s %-12s %8s %8s%n", "node", "op", "ms/run", "share");
        nodes.entrySet().stream().sorted(Comparator.comparingDouble(e -> -e.getValue()[0])).limit(top).forEach(e ->
                System.out.printf(Locale.ROOT, "%-70s %-12s %8.3f %7.1f %%%n", e.getKey(), ops.get(e.getKey()),
                        e.getValue()[0], 100 * e.getValue()[0] / all));
    }
}
