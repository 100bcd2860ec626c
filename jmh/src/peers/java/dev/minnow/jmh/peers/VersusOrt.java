package dev.minnow.jmh.peers;

import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.jmh.ConvSubject;
import dev.minnow.jmh.MinnowInference;
import dev.minnow.jmh.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Minnow and ONNX Runtime on the same model, alternating in one JVM: the ratio of the two medians
 * is then measured under the same machine conditions, which JMH's one-benchmark-after-another
 * order cannot promise on a VM whose speed drifts from minute to minute (the method of
 * {@code dev.minnow.jmh.Interleaved}, with ORT as the second engine).
 *
 * <p>Each subject: both engines warm up together for 4 s, then {@code --rounds} rounds, each timing a run
 * of Minnow inferences and then a run of ORT inferences (about 0.3 s each), with a pause of 200 ms before each run
 * so that neither engine's pool threads are still spinning (ORT's spin after a run) when the
 * other starts. Prints the medians over the rounds and their ratio.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar dev.minnow.jmh.peers.VersusOrt \
 *     --threads 2 --rounds 9 RESNET18 conv:64,64,56,3,1,1,1,1
 * </pre>
 * A subject is a network name ({@link Network}; its ONNX file must exist) or
 * {@code conv:IN,OUT,SIZE,K,STRIDE,GROUPS,DILATION,BATCH}, a one-node convolution with
 * "same" padding ({@code dilation * (k / 2)}) that Minnow plans and ORT runs from Minnow's export.
 */
public final class VersusOrt {
    private VersusOrt() {
    }

    public static void main(String[] args) throws Exception {
        int threads = 2;
        int rounds = 9;
        java.util.List<String> subjects = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> subjects.add(args[i]);
            }
        }
        if (subjects.isEmpty() || rounds < 1 || threads < 1) {
            System.err.println("usage: VersusOrt [--threads T] [--rounds R] SUBJECT... "
                    + "(a network, e.g. RESNET18, an ONNX file with fixed input shape, or "
                    + "conv:IN,OUT,SIZE,K,STRIDE,GROUPS,DILATION,BATCH)");
            System.exit(2);
        }
        for (String subject : subjects) {
            compare(subject, threads, rounds);
        }
    }

    private static void compare(String subject, int threads, int rounds) throws Exception {
        Graph graph;
        Shape shape;
        byte[] onnx;
        long macs;
        if (subject.startsWith(ConvSubject.PREFIX)) {
            ConvSubject conv = ConvSubject.parse(subject);
            graph = conv.graph();
            shape = conv.shape();
            onnx = OnnxWriter.toBytes(graph);
            macs = conv.macs();
        } else if (subject.endsWith(".onnx")) {
            // any single-input model file, batch as the file fixes it (a layer or block cut out of a network)
            onnx = Files.readAllBytes(Path.of(subject));
            graph = GraphOptimizer.standard().optimize(OnnxReader.read(Path.of(subject))).graph();
            shape = graph.inputs().get(0).shape();
            macs = 0;
        } else {
            Network network = Network.valueOf(subject);
            graph = network.graph();
            shape = network.inputShape(1);
            onnx = Files.readAllBytes(network.requireFile());
            macs = 0;
        }
        MinnowInference minnow = MinnowInference.plan(graph, shape, threads, 7);
        try (OrtModel ort = OrtModel.loadSingleInput(onnx, threads, minnow.input())) {
            long warmUntil = System.nanoTime() + 4_000_000_000L;   // both compiled and caches warm
            double pair = 0;
            while (System.nanoTime() < warmUntil) {
                long t0 = System.nanoTime();
                minnow.run();
                ort.run();
                pair = (System.nanoTime() - t0) / 1e9;
            }
            int reps = (int) Math.max(5, Math.min(500, 0.3 / Math.max(pair / 2, 1e-7)));
            double[] m = new double[rounds];
            double[] o = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                Thread.sleep(200);
                long a = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    minnow.run();
                }
                m[r] = (System.nanoTime() - a) / 1e6 / reps;
                Thread.sleep(200);
                a = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    ort.run();
                }
                o[r] = (System.nanoTime() - a) / 1e6 / reps;
            }
            Arrays.sort(m);
            Arrays.sort(o);
            double mm = m[rounds / 2];
            double om = o[rounds / 2];
            String rate = macs == 0 ? "" : String.format(Locale.ROOT, " (%.1f / %.1f GFLOP/s)",
                    2e-6 * macs / mm, 2e-6 * macs / om);
            System.out.printf(Locale.ROOT, "%-36s %d threads: Minnow %.3f ms, ORT %.3f ms, Minnow/ORT %.2f%s  [%d rounds of %d]%n",
                    subject, threads, mm, om, mm / om, rate, rounds, reps);
        }
    }
}
