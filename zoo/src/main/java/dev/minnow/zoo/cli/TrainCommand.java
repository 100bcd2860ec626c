package dev.minnow.zoo.cli;

import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.train.EpochStats;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.Trainer;
import dev.minnow.zoo.models.MobileNetV2;
import dev.minnow.zoo.models.TinyMobileNet;
import dev.minnow.zoo.models.TinyShuffleNet;
import dev.minnow.zoo.models.TinySqueezeNet;
import dev.minnow.zoo.models.TinyVgg;
import dev.minnow.zoo.models.Zoo;
import dev.minnow.zoo.train.Recipe;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** {@code minnow train}: trains a zoo model on Fashion-MNIST and saves it. */
final class TrainCommand implements Command {

    /**
     * The experiments' models besides the zoo: built for Fashion-MNIST, not published networks
     * (tiny_vgg: docs/structured-pruning.md; the compact designs: docs/compact-designs.md).
     */
    static final Map<String, Zoo.Builder> EXPERIMENT_MODELS = Map.of(
            TinyVgg.NAME, TinyVgg::build,
            TinyMobileNet.NAME, TinyMobileNet::build,
            TinyShuffleNet.NAME, TinyShuffleNet::build,
            TinySqueezeNet.NAME, TinySqueezeNet::build);

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("train", """
            Trains a zoo model (lenet5, lenet300, or any zoo name; built for 1x28x28 inputs and 10
            classes), or an experiment's model (tiny_vgg; the compact designs tiny_mobilenet,
            tiny_shufflenet, tiny_squeezenet) on Fashion-MNIST with the model's default recipe (docs/training.md), evaluates it
            on the test set after every epoch, and saves it as a Minnow model file whose metadata
            records the recipe, the normalisation and the test accuracy.""")
            .argument("MODEL", "zoo name, e.g. lenet5 or lenet300")
            .option("out", "FILE", "where to save the trained model (.mnw)")
            .option("epochs", "N", "epochs (default: the recipe's)")
            .option("batch", "B", "images per step (default: 64)")
            .option("lr", "LR", "peak learning rate (default: the recipe's)")
            .option("seed", "S", "seed of the weights, the shuffling and dropout (default: 1)")
            .option("width", "ALPHA", "width multiplier of mobilenet_v2 (torchvision's width_mult; default 1)")
            .option("threads", "T", "threads per op (default: one per core)"))
            .example("minnow train lenet5 --out lenet5.mnw", "the default recipe (reaches >= 91 % on the full test set)")
            .example("minnow train lenet300 --epochs 5 --data ~/fashion --out small.mnw", "")
            .example("minnow train lenet5 --embedded --epochs 3 --out quick.mnw --json", "")
            .example("minnow train tiny_shufflenet --epochs 4 --threads 2 --out shuffle.mnw", "a compact design")
            .example("minnow train mobilenet_v2 --width 0.35 --epochs 4 --out mnv2.mnw", "a narrow MobileNet V2")
            .build();

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a zoo model (lenet5, lenet300, ...) on Fashion-MNIST and save it";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String model = args.positional(0);
        if (!Zoo.names().contains(model) && !EXPERIMENT_MODELS.containsKey(model)) {
            throw CliException.usage("unknown model '" + model + "' (zoo models: " + String.join(", ", Zoo.names())
                    + "; experiment models: " + String.join(", ", new TreeSet<>(EXPERIMENT_MODELS.keySet()))
                    + ")");
        }
        Path file = args.pathOption("out");
        if (file == null) {
            throw CliException.usage("--out FILE is required: where to save the trained model");
        }
        Recipe recipe = Recipe.defaultFor(model);
        recipe = recipe.withEpochs(args.intOption("epochs", recipe.epochs(), 0))
                .withBatch(args.intOption("batch", recipe.batch(), 1));
        if (args.option("lr") != null) {
            recipe = recipe.withLearningRate(parseFloat(args.option("lr"), "lr"));
        }
        long seed = args.longOption("seed", 1);
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        FashionMnist.Split data = DataOptions.load(args, recipe.norm());
        float alpha = 1f;
        if (args.option("width") != null) {
            if (!model.equals("mobilenet_v2")) {
                throw CliException.usage("--width applies to mobilenet_v2 only, not " + model);
            }
            alpha = parseFloat(args.option("width"), "width");
        }
        Zoo.Builder builder = EXPERIMENT_MODELS.containsKey(model) ? EXPERIMENT_MODELS.get(model) : Zoo.builder(model);
        Graph graph = alpha != 1f
                ? MobileNetV2.mobilenetV2(data.train().classes(), 1, data.train().height(), data.train().width(), seed, alpha)
                : builder.build(data.train().classes(), 1, data.train().height(), data.train().width(), seed);

        PrintStream log = args.json() ? err : out;
        log.printf(Locale.ROOT, "training %s (%,d parameters) on %s: %,d images, %s%n", model,
                graph.parameterCount(), DataOptions.describe(args), data.train().size(), recipe.describe());
        Trainer trainer = new Trainer(graph, recipe.config(seed, threads), recipe.optimizer()).log(log);
        List<EpochStats> history = trainer.fit(data.train(), data.test());
        Evaluation eval = Evaluation.of(graph, data.test(), 256, threads);

        Map<String, String> meta = new LinkedHashMap<>(recipe.metadata());
        meta.put("model", model);
        if (alpha != 1f) {
            meta.put("width", Float.toString(alpha));
        }
        meta.put("seed", Long.toString(seed));
        meta.put("data", DataOptions.describe(args));
        meta.put("test_accuracy", Double.toString(eval.accuracy()));
        meta.put("test_loss", Double.toString(eval.loss()));
        ModelFile.save(graph, meta, file);

        double secondsPerEpoch = history.stream().mapToDouble(EpochStats::seconds).sorted()
                .skip(history.size() / 2).findFirst().orElse(Double.NaN);
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model);
            j.put("accuracy", eval.accuracy());
            j.put("loss", eval.loss());
            j.put("samples", eval.samples());
            j.put("epochs", history.size());
            j.put("seconds_per_epoch_median", secondsPerEpoch);
            j.put("recipe", recipe.describe());
            j.put("out", file.toString());
            List<Map<String, Object>> epochs = new ArrayList<>();
            for (EpochStats s : history) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("epoch", s.epoch());
                e.put("train_loss", s.trainLoss());
                e.put("train_accuracy", s.trainAccuracy());
                e.put("test_loss", s.testLoss());
                e.put("test_accuracy", s.testAccuracy());
                e.put("seconds", s.seconds());
                e.put("images_per_s", s.imagesPerSecond());
                epochs.add(e);
            }
            j.put("history", epochs);
            out.println(JsonWriter.write(j));
        } else {
            out.printf(Locale.ROOT, "test accuracy %.2f %% (loss %.4f, %d images); median %.1f s per epoch; saved %s%n",
                    100 * eval.accuracy(), eval.loss(), eval.samples(), secondsPerEpoch, file);
        }
        return CliException.OK;
    }

    static float parseFloat(String v, String option) throws CliException {
        try {
            float f = Float.parseFloat(v);
            if (!(f > 0) || !Float.isFinite(f)) {
                throw CliException.usage("--" + option + " must be a positive number, got " + v);
            }
            return f;
        } catch (NumberFormatException e) {
            throw CliException.usage("--" + option + " must be a number, got '" + v + "'");
        }
    }
}
