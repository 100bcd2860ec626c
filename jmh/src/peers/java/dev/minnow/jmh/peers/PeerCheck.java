package dev.minnow.jmh.peers;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.kernel.Gemm;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.jmh.ConvLayer;
import dev.minnow.jmh.MinnowInference;
import dev.minnow.jmh.Network;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Before comparing speeds, checks that Minnow and ONNX Runtime compute the same thing on every
 * peer subject: GEMM, each {@link ConvLayer} (batch 1 and 2) and each {@link Network} (batch 1),
 * on the same seeded input. The measure is {@code max |minnow - ort| / max |ort|} (the largest
 * difference relative to the output's scale); each subject passes at {@value #TOLERANCE} or below.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar dev.minnow.jmh.peers.PeerCheck [THREADS,...]</pre>
 * (thread counts default to {@code 1,2}).
 * Prints one line per subject; exit code 0 when all agree, 1 when one does not, 2 when one could
 * not run (a missing model file, an op Minnow lacks: the message says which).
 */
public final class PeerCheck {
    /** Largest accepted {@code max |diff| / max |ort|}. */
    public static final double TOLERANCE = 1e-4;

    private PeerCheck() {
    }

    /** One subject's outcome: the relative difference, or the error that stopped it. */
    record Outcome(String subject, double relativeDiff, String error) {
        boolean passed() {
            return error == null && relativeDiff <= TOLERANCE;
        }
    }

    public static void main(String[] args) {
        String list = args.length > 0 ? args[0] : "1,2";
        List<Outcome> outcomes = new ArrayList<>();
        for (String t : list.split(",")) {
            outcomes.addAll(run(Integer.parseInt(t.trim()), System.out));
        }
        long failed = outcomes.stream().filter(o -> o.error() == null && !o.passed()).count();
        long broken = outcomes.stream().filter(o -> o.error() != null).count();
        System.out.printf(Locale.ROOT, "%d subjects: %d agree, %d differ, %d could not run%n", outcomes.size(),
                outcomes.size() - failed - broken, failed, broken);
        System.exit(broken > 0 ? 2 : failed > 0 ? 1 : 0);
    }

    static List<Outcome> run(int threads, PrintStream out) {
        List<Outcome> outcomes = new ArrayList<>();
        outcomes.add(report(out, check("GEMM 256, threads " + threads, () -> gemm(256, threads))));
        for (ConvLayer layer : ConvLayer.values()) {
            for (int batch : new int[] {1, 2}) {
                outcomes.add(report(out, check(layer + " batch " + batch + ", threads " + threads, () -> {
                    Graph g = layer.graph();
                    MinnowInference m = MinnowInference.plan(g, layer.inputShape(batch), threads, 7);
                    try (OrtModel o = OrtModel.loadSingleInput(OnnxWriter.toBytes(g), threads, m.input())) {
                        return compare(m, o);
                    }
                })));
            }
        }
        for (Network network : Network.values()) {
            outcomes.add(report(out, check(network + " batch 1, threads " + threads, () -> {
                MinnowInference m = MinnowInference.plan(network.graph(), network.inputShape(1), threads, 7);
                try (OrtModel o = OrtModel.loadSingleInput(Files.readAllBytes(network.requireFile()), threads,
                        m.input())) {
                    return compare(m, o);
                }
            })));
        }
        return outcomes;
    }

    private interface Comparison {
        double relativeDiff() throws Exception;
    }

    private static Outcome check(String subject, Comparison c) {
        try {
            return new Outcome(subject, c.relativeDiff(), null);
        } catch (Exception | Error e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": "
                    + e.getMessage();
            return new Outcome(subject, Double.NaN, m);
        }
    }

    private static Outcome report(PrintStream out, Outcome o) {
        if (o.error() != null) {
            out.printf(Locale.ROOT, "ERROR %-44s %s%n", o.subject(), o.error());
        } else {
            out.printf(Locale.ROOT, "%-5s %-44s max|diff|/max|ort| = %.2e%n", o.passed() ? "ok" : "DIFF", o.subject(),
                    o.relativeDiff());
        }
        out.flush();
        return o;
    }

    private static double compare(MinnowInference m, OrtModel o) throws Exception {
        Tensor y = m.run();
        o.run();
        float[] expected = o.firstOutput();
        if (expected.length != y.size()) {
            throw new IllegalStateException("Minnow's output has " + y.size() + " values " + y.shape() + ", ORT's "
                    + expected.length);
        }
        return relativeDiff(y.data(), y.offset(), expected);
    }

    private static double gemm(int n, int threads) throws Exception {
        Tensor a = MinnowInference.randomInput(Shape.of(n, n), 1);
        Tensor b = MinnowInference.randomInput(Shape.of(n, n), 2);
        float[] c = new float[n * n];
        Gemm.sgemm(false, false, n, n, n, 1f, a.data(), 0, n, b.data(), 0, n, 0f, c, 0, n, threads);
        try (OrtModel o = OrtModel.load(OnnxWriter.toBytes(GemmPeerBenchmark.matMulGraph(n)), threads,
                Map.of("A", a, "B", b))) {
            o.run();
            return relativeDiff(c, 0, o.firstOutput());
        }
    }

    /** {@code max_i |actual[off + i] - expected[i]| / max_i |expected[i]|}; NaN anywhere makes it infinite. */
    static double relativeDiff(float[] actual, int offset, float[] expected) {
        double maxDiff = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[offset + i] - expected[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, d);
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return scale == 0 ? maxDiff : maxDiff / scale;
    }
}
