package dev.minnow.compression.quant;

import dev.minnow.compression.fuse.GraphEdits;
import dev.minnow.compression.fuse.RemoveUnused;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.FakeQuantize;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.EpochStats;
import dev.minnow.engine.train.Optimizer;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Quantization-aware training (Jacob et al. 2018, sec. 3): the float network is fine-tuned with
 * {@link FakeQuantize} nodes where the integer network will round, so it learns weights that
 * survive the rounding; then it is converted exactly as in post-training quantization, with the
 * ranges the training tracked.
 * <ol>
 *   <li>BN folded, dropout removed ({@link Int8Quantizer#prepare}); the folded network trains
 *       without BN, a simplification of the paper's sec. 3.2, which keeps batch statistics;</li>
 *   <li>{@link #insertFakeQuantize}: every weight the conversion quantizes is read through a
 *       symmetric FakeQuantize (per channel or per tensor, as the conversion will do it); every
 *       activation it quantizes (the same list, {@link Int8Conversion#requests}) goes through an
 *       affine uint8 FakeQuantize whose range starts from a min/max calibration and then follows
 *       the batches (EMA, momentum 0.01);</li>
 *   <li>training with the ordinary {@link Trainer}: the forward pass rounds,
 *       {@code y = S (clamp(round(x / S) + Z, qmin, qmax) - Z)}, and the backward pass is the
 *       straight-through estimator, {@code dL/dx = dL/dy} inside the clamp, 0 outside;</li>
 *   <li>{@link #strip}: the FakeQuantize nodes are removed and their ranges read out, and
 *       {@link Int8Quantizer#convert} produces the integer graph, on the very grid the training saw
 *       (the weight rule is {@link SymmetricWeights}'s in both places).</li>
 * </ol>
 * The graph given is not modified: its weights are copied before training.
 */
public final class QuantizationAwareTraining {
    private QuantizationAwareTraining() {
    }

    /** A QAT graph stripped back to float, with the ranges its FakeQuantize nodes held. */
    public record Stripped(Graph graph, Map<String, Range> ranges) {
    }

    /** The trained integer graph, its QAT history, and the ranges it uses. */
    public record Result(Graph graph, List<EpochStats> history, Map<String, Range> ranges) {
    }

    /**
     * Fine-tunes {@code floatGraph} with fake quantization and converts it: the whole pipeline.
     * Ranges start from a min/max calibration on {@code o.calibrationBatches()} training batches.
     *
     * @param test evaluated after every epoch (with fake quantization) when not null
     */
    public static Result train(Graph floatGraph, ImageDataset train, ImageDataset test, TrainConfig config,
                               Optimizer optimizer, Int8Quantizer.Options o, PrintStream log) {
        Graph prepared = withCopiedInitializers(Int8Quantizer.prepare(floatGraph));
        Int8Conversion.Requests req = Int8Quantizer.requests(prepared, o.perChannel());
        Map<String, Range> initial = Calibration.ranges(prepared, req.activations(), train, o.calibrationBatches(),
                o.batchSize(), ObserverKind.MINMAX, o.threads());
        Graph qat = insertFakeQuantize(prepared, req, initial);
        List<EpochStats> history = new Trainer(qat, config, optimizer).log(log).fit(train, test);
        Stripped s = strip(qat);
        return new Result(Int8Quantizer.convert(s.graph(), s.ranges(), o), history, s.ranges());
    }

    /** {@code prepared} with FakeQuantize on the requested weights and activations. */
    static Graph insertFakeQuantize(Graph prepared, Int8Conversion.Requests req, Map<String, Range> initial) {
        Graph.Builder b = prepared.toBuilder();
        for (Map.Entry<String, Integer> w : req.weights().entrySet()) {
            String fq = b.freshName(w.getKey() + "_fake_quantized");
            int axis = w.getValue() < 0 ? FakeQuantize.PER_TENSOR : w.getValue();
            GraphEdits.redirectReaders(b, w.getKey(), fq);
            b.node(b.freshName(w.getKey() + "_fake_quantize"), new FakeQuantize(-SymmetricWeights.QMAX,
                    SymmetricWeights.QMAX, axis, 0.01f), List.of(w.getKey()), List.of(fq));
        }
        for (String t : req.activations()) {
            Range r = initial.get(t);
            if (r == null) {
                throw new IllegalArgumentException("no initial range for activation '" + t + "'");
            }
            String range = b.freshName(t + "_range");
            String fq = b.freshName(t + "_fake_quantized");
            b.initializer(range, Tensor.of(Shape.of(2), r.min(), r.max()));
            GraphEdits.redirectReaders(b, t, fq);
            if (prepared.outputs().contains(t)) {
                replaceOutput(b, t, fq);
            }
            b.node(b.freshName(t + "_fake_quantize"), FakeQuantize.activations(), List.of(t, range), List.of(fq));
        }
        return b.build();
    }

    /** Removes every FakeQuantize node, reading activation ranges out of those that track one. */
    public static Stripped strip(Graph qat) {
        Graph.Builder b = qat.toBuilder();
        Map<String, Range> ranges = new LinkedHashMap<>();
        for (Node n : qat.nodes()) {
            if (!(n.op() instanceof FakeQuantize)) {
                continue;
            }
            String x = n.input(0);
            String y = n.output();
            if (!n.input(1).isEmpty()) {
                Tensor r = qat.initializer(n.input(1));
                ranges.put(x, new Range(Math.min(r.get(0), r.get(1)), r.get(1)));
            }
            b.removeNode(n.name());
            GraphEdits.redirectReaders(b, y, x);
            if (qat.outputs().contains(y)) {
                replaceOutput(b, y, x);
            }
        }
        return new Stripped(new RemoveUnused().apply(b.build()).graph(), ranges);
    }

    private static void replaceOutput(Graph.Builder b, String from, String to) {
        List<String> outs = new ArrayList<>(b.outputs());
        outs.replaceAll(o -> o.equals(from) ? to : o);
        b.clearOutputs();
        outs.forEach(b::output);
    }

    /** The graph with its own copy of every initializer, so that training leaves the caller's weights alone. */
    private static Graph withCopiedInitializers(Graph g) {
        Graph.Builder b = g.toBuilder();
        g.initializers().forEach((name, t) -> b.initializer(name, t.copy()));
        return b.build();
    }
}
