package dev.minnow.zoo.cli;

import dev.minnow.compression.sparse.SparseInference;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.zoo.train.Recipe;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code minnow eval}: test accuracy and loss of a classifier on Fashion-MNIST. */
final class EvalCommand implements Command {

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("eval", """
            Evaluates a classifier (a Minnow model file or an ONNX file with one [N, 1, 28, 28]
            input and [N, 10] logits) on the Fashion-MNIST test set: accuracy, mean cross-entropy
            and sample count. The input normalisation is the one recorded in a Minnow file's
            metadata; for an ONNX file it is pixels in [0, 1] unless --mean/--std say otherwise.""")
            .argument("MODEL", "a .mnw, .mnz (compressed) or .onnx file")
            .option("mean", "M", "normalisation mean (after scaling pixels to [0, 1])")
            .option("std", "S", "normalisation standard deviation")
            .option("batch", "B", "images per batch (default: 256)")
            .option("threads", "T", "threads per op (default: one per core)")
            .flag(InferenceOptimization.FLAG, InferenceOptimization.HELP))
            .example("minnow eval lenet5.mnw", "")
            .example("minnow eval lenet5.mnz", "a compressed model (minnow compress), decoded on loading")
            .example("minnow eval pytorch_lenet.onnx --json", "accuracy as a fraction, loss, samples")
            .build();

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "test accuracy and loss of a model on Fashion-MNIST";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        ModelSource.Loaded model = ModelSource.load(args.positional(0));
        Normalization norm = Recipe.normalizationOf(model.metadata(), Normalization.UNIT);
        if (args.option("mean") != null || args.option("std") != null) {
            norm = new Normalization(args.option("mean") == null ? 0f : Float.parseFloat(args.option("mean")),
                    args.option("std") == null ? 1f : TrainCommand.parseFloat(args.option("std"), "std"));
        }
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        FashionMnist.Split data = DataOptions.load(args, norm);
        long start = System.nanoTime();
        // pruned layers run on sparse kernels, then the exact optimisations (same results within float rounding)
        Graph graph = InferenceOptimization.apply(SparseInference.sparsify(model.graph()), args, err);
        Evaluation e = Evaluation.of(graph, data.test(), args.intOption("batch", 256, 1), threads);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model.source());
            j.put("accuracy", e.accuracy());
            j.put("loss", e.loss());
            j.put("samples", e.samples());
            j.put("seconds", seconds);
            j.put("normalization", Map.of("mean", norm.mean(), "std", norm.std()));
            out.println(JsonWriter.write(j));
        } else {
            out.printf(Locale.ROOT, "%s: test accuracy %.2f %% (%d/%d), loss %.4f, %.1f s%n", model.source(),
                    100 * e.accuracy(), Math.round(e.accuracy() * e.samples()), e.samples(), e.loss(), seconds);
        }
        return CliException.OK;
    }
}
