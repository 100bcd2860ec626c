package dev.minnow.compression.quant;

import dev.minnow.compression.fuse.FoldBatchNorm;
import dev.minnow.compression.fuse.FoldConstants;
import dev.minnow.compression.fuse.GraphOptimizer;
import dev.minnow.compression.fuse.RemoveDropoutAndIdentity;
import dev.minnow.compression.fuse.RemoveUnused;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Post-training int8 quantization of a whole graph (Jacob et al. 2018; Krishnamoorthi 2018):
 * <ol>
 *   <li>batch normalisation folded into the convolutions, dropout removed ({@link #prepare});</li>
 *   <li>a dry run of the conversion lists the activation tensors that get quantized (a ReLU or
 *       ReLU6 right after a layer is fused into it, so its output is the one observed);</li>
 *   <li>calibration: the float graph runs on a few training batches and an {@link Observer} per
 *       tensor picks its range;</li>
 *   <li>conversion ({@link Int8Conversion}): weights int8 symmetric, per output channel by default
 *       ({@link SymmetricWeights}), biases int32 at scale {@code S_x * S_w}, activations uint8 affine;
 *       QLinearConv, QGemm, QLinearAdd... run integer-only.</li>
 * </ol>
 * The result is an ordinary graph: saved as a {@code .mnw} it holds int8 weights (a quarter of
 * the float bytes), and {@code run}, {@code eval} and {@code bench} take it as any model.
 * <pre>{@code
 * Int8Quantizer.Result r = Int8Quantizer.quantize(floatGraph, trainingImages, Int8Quantizer.Options.defaults());
 * ModelFile.save(r.graph(), metadata, Path.of("model-int8.mnw"));
 * }</pre>
 */
public final class Int8Quantizer {
    /** The exact clean-ups done before quantizing; see {@link #prepare}. */
    private static final GraphOptimizer PREPARE = new GraphOptimizer(List.of(new RemoveDropoutAndIdentity(),
            new FoldConstants(), new FoldBatchNorm(), new RemoveUnused()));

    private Int8Quantizer() {
    }

    /**
     * @param perChannel         one weight scale per output channel (else one per layer)
     * @param observer           how activation ranges are chosen
     * @param calibrationBatches batches of calibration data
     * @param batchSize          images per calibration batch
     * @param signedActivations  int8 activations instead of uint8
     * @param threads            threads per op
     */
    public record Options(boolean perChannel, ObserverKind observer, int calibrationBatches, int batchSize,
                          boolean signedActivations, int threads) {

        /** Per-channel weights, min/max ranges from 8 batches of 64, uint8 activations. */
        public static Options defaults() {
            return new Options(true, ObserverKind.MINMAX, 8, 64, false, Parallel.defaultThreads());
        }

        public Options withPerChannel(boolean p) {
            return new Options(p, observer, calibrationBatches, batchSize, signedActivations, threads);
        }

        public Options withObserver(ObserverKind o) {
            return new Options(perChannel, o, calibrationBatches, batchSize, signedActivations, threads);
        }

        public Options withCalibrationBatches(int n) {
            return new Options(perChannel, observer, n, batchSize, signedActivations, threads);
        }

        public Options withBatchSize(int n) {
            return new Options(perChannel, observer, calibrationBatches, n, signedActivations, threads);
        }

        public Options withSignedActivations(boolean s) {
            return new Options(perChannel, observer, calibrationBatches, batchSize, s, threads);
        }

        public Options withThreads(int t) {
            return new Options(perChannel, observer, calibrationBatches, batchSize, signedActivations, t);
        }
    }

    /** A quantized graph with the ranges its activations were given. */
    public record Result(Graph graph, Map<String, Range> ranges) {
    }

    /** Post-training quantization of {@code floatGraph}, calibrated on {@code calibration} (training images). */
    public static Result quantize(Graph floatGraph, ImageDataset calibration, Options o) {
        Graph prepared = prepare(floatGraph);
        Int8Conversion.Requests req = requests(prepared, o.perChannel());
        Map<String, Range> ranges = Calibration.ranges(prepared, req.activations(), calibration, o.calibrationBatches(),
                o.batchSize(), o.observer(), o.threads());
        return new Result(convert(prepared, ranges, o), ranges);
    }

    /**
     * Post-training quantization calibrated on given input batches (any single-input graph, e.g.
     * one layer in a benchmark); {@code o.calibrationBatches()} and {@code o.batchSize()} are not used.
     */
    public static Result quantize(Graph floatGraph, List<Tensor> calibrationBatches, Options o) {
        Graph prepared = prepare(floatGraph);
        Int8Conversion.Requests req = requests(prepared, o.perChannel());
        Map<String, Range> ranges = Calibration.ranges(prepared, req.activations(), calibrationBatches, o.observer(),
                o.threads());
        return new Result(convert(prepared, ranges, o), ranges);
    }

    /**
     * The float graph that gets quantized: dropout and identities removed, constants folded, batch
     * normalisation folded into the preceding Conv or Gemm ({@link FoldBatchNorm}, one of the exact
     * passes of {@link GraphOptimizer}: {@code w' = w gamma / sqrt(var + eps)},
     * {@code b' = (b - mean) gamma / sqrt(var + eps) + beta}), and nothing else: activations stay
     * separate nodes, so that quantization-aware training can still train the graph and the
     * conversion sees each ReLU it fuses into a layer's saturation.
     */
    public static Graph prepare(Graph floatGraph) {
        return PREPARE.optimize(floatGraph).graph();
    }

    /** The integer graph of a prepared float graph, with given activation ranges. */
    public static Graph convert(Graph prepared, Map<String, Range> ranges, Options o) {
        return Int8Conversion.convert(prepared, shapes(prepared), t -> {
            Range r = ranges.get(t);
            if (r == null) {
                throw new IllegalArgumentException("no calibrated range for tensor '" + t + "'");
            }
            return r;
        }, o.perChannel(), o.signedActivations());
    }

    /** The activation tensors whose ranges a conversion of the prepared graph needs, in graph order. */
    public static List<String> activationsToCalibrate(Graph prepared) {
        return requests(prepared, true).activations();
    }

    /** The activation tensors and weights a conversion of the prepared graph quantizes. */
    static Int8Conversion.Requests requests(Graph prepared, boolean perChannel) {
        return Int8Conversion.requests(prepared, shapes(prepared), perChannel);
    }

    /** Every tensor's shape for a batch of one (unknown dimensions taken as 1). */
    static Map<String, Shape> shapes(Graph g) {
        Map<String, Shape> in = new HashMap<>();
        for (GraphInput i : g.inputs()) {
            int[] d = i.shape().dims();
            for (int k = 0; k < d.length; k++) {
                d[k] = d[k] == Shape.UNKNOWN ? 1 : d[k];
            }
            in.put(i.name(), Shape.of(d));
        }
        Plan p = Plan.compile(g, in, PlanOptions.inference().withThreads(1).withReuseBuffers(false));
        Map<String, Shape> shapes = new HashMap<>(in);
        for (Node n : g.nodes()) {
            for (String t : n.outputs()) {
                if (!t.isEmpty()) {
                    shapes.put(t, p.info(t).shape());
                }
            }
        }
        return shapes;
    }
}
