package dev.minnow.zoo.cli;

import dev.minnow.compression.cluster.KMeansInit;
import dev.minnow.compression.pipeline.BitsSpec;
import dev.minnow.compression.pipeline.DeepCompression;
import dev.minnow.compression.pipeline.PruneSpec;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.zoo.train.DeepCompressionRecipe;
import dev.minnow.zoo.train.Recipe;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code minnow compress}: Deep Compression (prune, share weights, Huffman-code) into a .mnz file. */
final class CompressCommand implements Command {

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("compress", """
            Deep Compression (Han, Mao and Dally 2016) of a Fashion-MNIST classifier: prunes small
            weights and retrains with the pruned ones masked, clusters each layer's weights into
            2^bits - 1 shared values (plus the zero of pruned weights) and fine-tunes the shared
            values, then writes sparse relative indices and codes, Huffman-coded, into a .mnz file,
            reads it back and checks it computes bit-identical outputs. Prints the per-layer table
            of the paper (weights, kept %, bits per weight and per index before (P+Q) and after
            Huffman coding (P+Q+H), bytes before and after, ratio) and the test accuracy after each
            stage. Bytes before are the float32 parameters; bytes after the .mnz file's size.
            --recipe deep-compression applies the paper's per-layer settings for the model; other
            options then override single values. See docs/deep-compression.md.""")
            .argument("MODEL", "a trained model: .mnw (or a zoo name, .onnx, .mnz)")
            .option("out", "FILE.mnz", "where to write the compressed model")
            .option("recipe", "NAME", "deep-compression: the paper's settings for this model")
            .option("prune", "SPEC", "none | q=0.7 | sparsity=0.9 | sparsity=0.9,conv=0.6,fc3=0.7 | fc1=0.92,...")
            .option("prune-steps", "N", "reach the pruning target in N steps, retraining after each (default: 1)")
            .option("cluster", "BITS", "code bits per layer, 1..8: conv=8,fc=5 (default) or e.g. 6 or conv=8,fc=5,fc3=6")
            .option("index-bits", "BITS", "relative-index bits, 1..16 (default: conv=8,fc=5)")
            .flag("huffman", "Huffman-code the relative indices and the codes")
            .option("init", "KIND", "k-means initialisation: linear (default), random, density, kmeans++")
            .option("finetune-epochs", "N", "retraining epochs after pruning (default: 2)")
            .option("cluster-epochs", "N", "centroid fine-tuning epochs (default: as --finetune-epochs)")
            .option("lr", "LR", "peak learning rate of the retraining after pruning (default: 0.01)")
            .option("cluster-lr", "LR", "peak learning rate of biases during centroid fine-tuning (default: 0.002)")
            .option("centroid-lr", "LR", "peak learning rate of the shared values (default: 0.0002)")
            .option("batch", "B", "images per step (default: 64)")
            .option("seed", "S", "seed of shuffling and k-means (default: 1)")
            .option("threads", "T", "threads per op (default: one per core)")
            .option("histograms", "DIR", "write SVG weight histograms before/after clustering there"))
            .example("minnow compress lenet300.mnw --recipe deep-compression --out lenet300.mnz",
                    "the paper's recipe (docs/deep-compression.md)")
            .example("minnow compress lenet5.mnw --prune q=1.0 --cluster conv=8,fc=5 --huffman --finetune-epochs 3"
                    + " --out lenet5.mnz", "")
            .example("minnow compress lenet300 --embedded --prune sparsity=0.9 --huffman --finetune-epochs 1"
                    + " --out quick.mnz --json", "")
            .build();

    @Override
    public String name() {
        return "compress";
    }

    @Override
    public String summary() {
        return "Deep Compression: prune, share weights, Huffman-code into a .mnz file";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path file = args.pathOption("out");
        if (file == null) {
            throw CliException.usage("--out FILE.mnz is required: where to write the compressed model");
        }
        ModelSource.Loaded model = ModelSource.load(args.positional(0));
        String name = model.metadata().getOrDefault("model", model.kind().equals("zoo") ? model.source()
                : model.graph().name());
        DeepCompression.Settings s = settings(args, name);
        Normalization norm = Recipe.normalizationOf(model.metadata(), Recipe.defaultFor(name).norm());
        FashionMnist.Split data = DataOptions.load(args, norm);
        PrintStream log = args.json() ? err : out;
        log.printf("compressing %s (%,d parameters) on %s%n  %s%n", args.positional(0), model.graph().parameterCount(),
                DataOptions.describe(args), s.describe());
        // the file keeps only what using the model needs: the report has the rest
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", name);
        meta.put("normalization", norm.mean() + "," + norm.std());
        DeepCompression.Result r = DeepCompression.run(name, model.graph(), meta, data.train(), data.test(), s, file,
                args.pathOption("histograms"), log);
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>(r.report().toMap());
            j.put("out", file.toString());
            out.println(JsonWriter.write(j));
        } else {
            out.println();
            out.print(r.report().table());
        }
        return r.report().bitIdentical() ? CliException.OK : CliException.CHECK_FAILED;
    }

    /** The settings: the recipe's (or the defaults), then each option given. */
    static DeepCompression.Settings settings(Args args, String model) throws CliException {
        String recipe = args.option("recipe");
        DeepCompression.Settings base;
        if (recipe == null) {
            base = new DeepCompression.Settings(PruneSpec.none(), 1, 2, 0.01f, new BitsSpec(8, 5, Map.of()),
                    new BitsSpec(8, 5, Map.of()), false, KMeansInit.LINEAR, 2, 0.002f, 0.0002f, 64, 0.9f, 5e-4f, 1,
                    Parallel.defaultThreads());
        } else if (recipe.equals("deep-compression")) {
            base = DeepCompressionRecipe.forModel(model);
        } else {
            throw CliException.usage("unknown recipe '" + recipe + "' (known: deep-compression)");
        }
        try {
            PruneSpec prune = args.option("prune") == null ? base.prune() : PruneSpec.parse(args.option("prune"));
            BitsSpec bits = args.option("cluster") == null ? base.weightBits()
                    : BitsSpec.parse(args.option("cluster"), base.weightBits(), "--cluster", 8);
            BitsSpec index = args.option("index-bits") == null ? base.indexBits()
                    : BitsSpec.parse(args.option("index-bits"), base.indexBits(), "--index-bits", 16);
            KMeansInit init = args.option("init") == null ? base.init() : KMeansInit.parse(args.option("init"));
            int pruneEpochs = args.intOption("finetune-epochs", base.pruneEpochs(), 0);
            int clusterEpochs = args.intOption("cluster-epochs",
                    args.option("finetune-epochs") != null ? pruneEpochs : base.clusterEpochs(), 0);
            float lr = rate(args, "lr", base.pruneLr());
            float clusterLr = rate(args, "cluster-lr", base.clusterLr());
            float centroidLr = rate(args, "centroid-lr", base.centroidLr());
            return new DeepCompression.Settings(prune, args.intOption("prune-steps", base.pruneSteps(), 1), pruneEpochs,
                    lr, bits, index, base.huffman() || args.flag("huffman"), init, clusterEpochs, clusterLr, centroidLr,
                    args.intOption("batch", base.batch(), 1), base.momentum(), base.weightDecay(),
                    args.longOption("seed", base.seed()), args.intOption("threads", base.threads(), 1));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    private static float rate(Args args, String option, float fallback) throws CliException {
        return args.option(option) == null ? fallback : TrainCommand.parseFloat(args.option(option), option);
    }
}
