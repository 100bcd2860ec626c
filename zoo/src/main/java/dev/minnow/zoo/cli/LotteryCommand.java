package dev.minnow.zoo.cli;

import dev.minnow.compression.prune.FineTuning;
import dev.minnow.compression.prune.LotteryTicket;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.zoo.models.Zoo;
import dev.minnow.zoo.train.Recipe;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code minnow lottery}: the lottery-ticket experiment against "Rethinking the Value of Network Pruning". */
final class LotteryCommand implements Command {

    private static final ArgSpec SPEC = FineTuneOptions.add(DataOptions.add(ArgSpec.builder("lottery", """
            Trains a zoo model from its seeded initialisation (the model's recipe, --epochs epochs),
            prunes it by magnitude (every layer at each --sparsity, the output layer at half), and
            compares three ways of getting an accurate network of that architecture: (a) fine-tune
            the pruned weights; (b) reset the kept weights to their original initial values and
            train again (Frankle & Carbin's lottery ticket); (c) give them a fresh random
            initialisation and train again (Liu et al.'s "Rethinking the Value of Network
            Pruning"). (b) and (c) train as long as the dense network. Prints a table.""")
            .argument("MODEL", "a zoo name (its initialisation must be reproducible), e.g. lenet300")
            .option("sparsity", "LIST", "comma-separated per-layer sparsities (default: 0.5,0.8,0.9,0.95)")
            .option("epochs", "N", "epochs of the dense training and of (b) and (c) (default: 10)")))
            .example("minnow lottery lenet300 --sparsity 0.8,0.95 --epochs 10 --finetune-epochs 3", "")
            .example("minnow lottery lenet300 --embedded --epochs 2 --finetune-epochs 1 --json", "")
            .build();

    @Override
    public String name() {
        return "lottery";
    }

    @Override
    public String summary() {
        return "lottery ticket vs random re-initialisation vs fine-tuning of a pruned zoo model";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String model = args.positional(0);
        if (!Zoo.names().contains(model)) {
            throw CliException.usage("MODEL must be a zoo name (the experiment rebuilds its initial weights); '"
                    + model + "' is not one of " + String.join(", ", Zoo.names()));
        }
        double[] sparsities = {0.5, 0.8, 0.9, 0.95};
        if (args.option("sparsity") != null) {
            String[] parts = args.option("sparsity").split(",");
            sparsities = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
                sparsities[i] = FineTuneOptions.fraction(parts[i], "sparsity");
            }
        }
        int epochs = args.intOption("epochs", 10, 1);
        long seed = args.longOption("seed", 1);
        PrintStream log = args.json() ? err : out;
        Recipe recipe = Recipe.defaultFor(model).withEpochs(epochs).withBatch(args.intOption("batch", 64, 1));
        int threads = FineTuneOptions.threads(args);
        FashionMnist.Split data = DataOptions.load(args, recipe.norm());
        FineTuning training = new FineTuning(recipe.config(seed, threads), recipe::optimizer, null);
        FineTuning fineTuning = FineTuneOptions.fineTuning(args, null);
        int classes = data.train().classes();
        int h = data.train().height();
        int w = data.train().width();
        log.printf(Locale.ROOT, "lottery-ticket experiment on %s (%s): training %s; fine-tuning %s%n", model,
                DataOptions.describe(args), recipe.describe(), FineTuneOptions.describe(fineTuning));
        long start = System.nanoTime();
        LotteryTicket.Result r = LotteryTicket.compare(s -> Zoo.build(model, classes, 1, h, w, s), seed, seed + 1000,
                sparsities, training, fineTuning, data.train(), data.test(), log);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model);
            j.put("dense_accuracy", r.denseAccuracy());
            j.put("epochs", epochs);
            j.put("finetune_epochs", fineTuning.config().epochs());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (LotteryTicket.Row row : r.rows()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("sparsity", row.sparsity());
                e.put("overall_sparsity", row.overall());
                e.put("pruned_accuracy", row.pruned());
                e.put("fine_tuned_accuracy", row.fineTuned());
                e.put("rewound_accuracy", row.rewound());
                e.put("random_init_accuracy", row.reinitialized());
                rows.add(e);
            }
            j.put("rows", rows);
            j.put("seconds", seconds);
            out.println(JsonWriter.write(j));
        } else {
            out.println();
            out.print(r.table());
            out.printf(Locale.ROOT, "(%.0f s)%n", seconds);
        }
        return CliException.OK;
    }
}
