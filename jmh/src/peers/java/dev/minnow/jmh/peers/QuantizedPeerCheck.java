package dev.minnow.jmh.peers;

import dev.minnow.compression.quant.Int8Quantizer;
import dev.minnow.compression.quant.OnnxExport;
import dev.minnow.compression.quant.SixteenBitStorage;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.zoo.data.EmbeddedFashionMnist;
import dev.minnow.zoo.train.Recipe;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Does ONNX Runtime accept what {@code minnow quantize --out model.onnx} writes, and compute the
 * same? Quantizes a trained classifier (int8 per channel, min/max ranges from 8 x 64 embedded
 * training images; and float16 / int16 weight storage), exports it as standard ONNX
 * ({@link OnnxExport}: QLinearConv, QuantizeLinear/DequantizeLinear around Gemm; Cast for 16-bit
 * weights), loads the bytes into ONNX Runtime and runs both on the 1,000 embedded test images.
 * Reports the largest output difference relative to the output's scale, the share of images on
 * which both pick the same class, and both accuracies.
 * <pre>java --add-modules jdk.incubator.vector -cp jmh/target/benchmarks.jar dev.minnow.jmh.peers.QuantizedPeerCheck /work/models/lenet5.mnw</pre>
 * Exit code 0 when ORT loads every model and agrees on at least 99 % of the images, 1 otherwise.
 */
public final class QuantizedPeerCheck {
    /** Least share of images on which Minnow and ORT must pick the same class. */
    public static final double AGREEMENT = 0.99;

    private QuantizedPeerCheck() {
    }

    /** One model's comparison. */
    record Result(String model, long onnxBytes, double relativeDiff, double agreement, double minnowAccuracy,
                  double ortAccuracy) {
        boolean passed() {
            return agreement >= AGREEMENT;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: QuantizedPeerCheck MODEL.mnw (a trained Fashion-MNIST classifier)");
            System.exit(2);
        }
        ModelFile.Saved saved = ModelFile.load(Path.of(args[0]));
        Normalization norm = Recipe.normalizationOf(saved.metadata(), Normalization.FASHION_MNIST);
        FashionMnist.Split data = EmbeddedFashionMnist.load(norm);
        Graph int8 = Int8Quantizer.quantize(saved.graph(), data.train(), Int8Quantizer.Options.defaults()).graph();
        boolean ok = true;
        Map<String, Graph> models = new LinkedHashMap<>();
        models.put("int8 (QLinearConv + QDQ Gemm)", OnnxExport.toStandardOnnx(int8));
        models.put("float16 weights (Cast)", SixteenBitStorage.toFloat16(saved.graph()));
        models.put("int16 weights (Cast, Mul)", SixteenBitStorage.toInt16(saved.graph()));
        for (Map.Entry<String, Graph> e : models.entrySet()) {
            Result r = compare(e.getKey(), e.getValue(), data.test());
            report(System.out, r);
            ok &= r.passed();
        }
        System.exit(ok ? 0 : 1);
    }

    /** Runs {@code g} in Minnow and its ONNX bytes in ONNX Runtime on every image of {@code test}. */
    static Result compare(String name, Graph g, ImageDataset test) throws Exception {
        byte[] onnx = OnnxWriter.toBytes(g);
        Tensor x = Tensor.of(test.batchShape(test.size()), test.pixels().clone());
        Plan plan = Plan.compile(g, Map.of(g.inputs().get(0).name(), x.shape()), PlanOptions.inference().withThreads(2));
        float[] minnow = plan.runSingle(x).toFloatArray();
        float[] ort;
        try (OrtModel o = OrtModel.loadSingleInput(onnx, 2, x)) {
            o.run();
            ort = o.firstOutput();
        }
        if (ort.length != minnow.length) {
            throw new IllegalStateException(name + ": Minnow gives " + minnow.length + " outputs, ORT " + ort.length);
        }
        int classes = minnow.length / test.size();
        int[] a = argmax(minnow, classes);
        int[] b = argmax(ort, classes);
        int same = 0;
        int rightA = 0;
        int rightB = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
            rightA += a[i] == test.labels()[i] ? 1 : 0;
            rightB += b[i] == test.labels()[i] ? 1 : 0;
        }
        return new Result(name, onnx.length, PeerCheck.relativeDiff(minnow, 0, ort), (double) same / a.length,
                (double) rightA / a.length, (double) rightB / a.length);
    }

    private static int[] argmax(float[] v, int classes) {
        int[] r = new int[v.length / classes];
        for (int i = 0; i < r.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (v[i * classes + c] > v[i * classes + best]) {
                    best = c;
                }
            }
            r[i] = best;
        }
        return r;
    }

    private static void report(PrintStream out, Result r) {
        out.printf(Locale.ROOT, "%-5s %-32s %,9d bytes  max|diff|/max|ort| = %.2e  same class %.1f %%  accuracy minnow"
                        + " %.2f %%, ort %.2f %%%n", r.passed() ? "ok" : "DIFF", r.model(), r.onnxBytes(),
                r.relativeDiff(), 100 * r.agreement(), 100 * r.minnowAccuracy(), 100 * r.ortAccuracy());
        out.flush();
    }
}
