package dev.minnow.zoo.cli;

import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.kernel.KernelProvider;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.train.EpochStats;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.Trainer;
import dev.minnow.zoo.data.EmbeddedFashionMnist;
import dev.minnow.zoo.models.Zoo;
import dev.minnow.zoo.train.Recipe;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code minnow demo}: the README's first command. Trains LeNet-5 on the Fashion-MNIST subset
 * shipped in the jar (no set-up, about a minute on two cores) and prints its test accuracy.
 */
final class DemoCommand implements Command {
    static final int EPOCHS = 4;

    private static final ArgSpec SPEC = ArgSpec.builder("demo", """
            Trains LeNet-5 (Caffe variant, 431k parameters) on the 6,000-image Fashion-MNIST subset
            shipped with Minnow for a few epochs and prints the accuracy on its 1,000 test images.
            Needs nothing installed; takes about a minute on two cores.""")
            .option("epochs", "N", "epochs (default: " + EPOCHS + ")")
            .option("out", "FILE", "also save the trained model (.mnw)")
            .option("threads", "T", "threads per op (default: one per core)")
            .example("minnow demo", "")
            .example("minnow demo --epochs 8 --out demo.mnw", "")
            .build();

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "train LeNet-5 on the bundled Fashion-MNIST subset and print its accuracy (about a minute)";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        int epochs = args.intOption("epochs", EPOCHS, 1);
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        Recipe recipe = Recipe.defaultFor("lenet5").withEpochs(epochs);
        FashionMnist.Split data = EmbeddedFashionMnist.load(recipe.norm());
        Graph lenet5 = Zoo.build("lenet5", 10, 1, 28, 28, 1);
        PrintStream log = args.json() ? err : out;
        log.printf(Locale.ROOT, "Minnow demo: LeNet-5 (%,d parameters) on the bundled Fashion-MNIST subset "
                + "(%,d training / %,d test images), %s kernels, %d threads%n", lenet5.parameterCount(),
                data.train().size(), data.test().size(), KernelProvider.kernels().name(), threads);
        log.println("recipe: " + recipe.describe());
        long start = System.nanoTime();
        List<EpochStats> history = new Trainer(lenet5, recipe.config(1, threads), recipe.optimizer())
                .log(log).fit(data.train(), data.test());
        double seconds = (System.nanoTime() - start) / 1e9;
        Evaluation eval = Evaluation.of(lenet5, data.test(), 250, threads);
        Path file = args.pathOption("out");
        if (file != null) {
            Map<String, String> meta = new LinkedHashMap<>(recipe.metadata());
            meta.put("model", "lenet5");
            meta.put("data", "embedded Fashion-MNIST subset");
            meta.put("test_accuracy", Double.toString(eval.accuracy()));
            ModelFile.save(lenet5, meta, file);
        }
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", "lenet5");
            j.put("accuracy", eval.accuracy());
            j.put("loss", eval.loss());
            j.put("samples", eval.samples());
            j.put("epochs", history.size());
            j.put("seconds", seconds);
            if (file != null) {
                j.put("out", file.toString());
            }
            out.println(JsonWriter.write(j));
        } else {
            out.printf(Locale.ROOT, "LeNet-5 test accuracy on the subset: %.2f %% (%d images) after %d epochs, %.0f s%s%n",
                    100 * eval.accuracy(), eval.samples(), history.size(), seconds,
                    file != null ? "; saved " + file : "");
            out.println("Next: ./minnow train lenet5 --out lenet5.mnw trains on the full data set (docs/training.md).");
        }
        return CliException.OK;
    }
}
