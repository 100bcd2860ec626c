package dev.minnow.zoo.cli;

import dev.minnow.compression.prune.PrunableWeights;
import dev.minnow.compression.prune.Sensitivity;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.graph.Graph;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code minnow sensitivity}: accuracy of each layer pruned alone, as a table and an SVG plot. */
final class SensitivityCommand implements Command {

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("sensitivity", """
            Pruning sensitivity analysis (Han et al. 2015): prunes each convolution and fully
            connected layer alone, by magnitude, to each sparsity of the list (no fine-tuning; the
            other layers stay dense), measures the test accuracy, and prints a table: flat rows are
            layers that can lose most of their weights, steep rows the fragile ones. Writes the
            curves as an SVG line plot, and lists the sparsity each layer can take while losing at
            most --tolerance accuracy (what minnow prune --sensitivity applies).""")
            .argument("MODEL", "a .mnw or .onnx file, or a zoo name")
            .option("svg", "FILE", "where to write the plot (.svg)")
            .option("sparsities", "LIST", "comma-separated fractions (default: 0.1,0.2,...,0.9,0.95)")
            .option("tolerance", "T", "accuracy a layer may lose for the chosen sparsities (default: 0.005)")
            .option("threads", "T", "threads per op (default: one per core)"))
            .example("minnow sensitivity lenet5.mnw --svg lenet5-sensitivity.svg", "")
            .example("minnow sensitivity lenet300.mnw --sparsities 0.5,0.9,0.99 --embedded --svg s.svg --json", "")
            .build();

    @Override
    public String name() {
        return "sensitivity";
    }

    @Override
    public String summary() {
        return "accuracy of each layer pruned alone at 10..95 % sparsity: table and SVG plot";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path svg = args.pathOption("svg");
        if (svg == null) {
            throw CliException.usage("--svg FILE is required: where to write the plot");
        }
        double[] sparsities = Sensitivity.DEFAULT_SPARSITIES;
        if (args.option("sparsities") != null) {
            String[] parts = args.option("sparsities").split(",");
            sparsities = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
                sparsities[i] = FineTuneOptions.fraction(parts[i], "sparsities");
                if (i > 0 && sparsities[i] <= sparsities[i - 1]) {
                    throw CliException.usage("--sparsities must increase, got " + args.option("sparsities"));
                }
            }
        }
        double tolerance = args.option("tolerance") == null ? PruneCommand.DEFAULT_TOLERANCE
                : FineTuneOptions.fraction(args.option("tolerance"), "tolerance");
        int threads = FineTuneOptions.threads(args);
        ModelSource.Loaded model = ModelSource.load(args.positional(0));
        Graph g = model.graph();
        List<String> layers = PrunableWeights.of(g);
        if (layers.isEmpty()) {
            throw CliException.badInput(model.source() + " has no prunable weights");
        }
        FashionMnist.Split data = DataOptions.load(args, FineTuneOptions.normalization(model));
        PrintStream log = args.json() ? err : out;
        long start = System.nanoTime();
        Sensitivity.Result r = Sensitivity.analyse(g, layers, sparsities, data.test(), threads, args.json() ? null : err);
        Map<String, Double> chosen = r.choose(tolerance);
        r.chart("Pruning sensitivity of " + Path.of(model.source()).getFileName()).write(svg);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model.source());
            j.put("baseline_accuracy", r.baseline());
            j.put("sparsities", sparsities);
            j.put("tolerance", tolerance);
            List<Map<String, Object>> ls = new ArrayList<>();
            Map<String, PrunableWeights.Kind> kinds = PrunableWeights.kinds(g);
            for (int l = 0; l < layers.size(); l++) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", layers.get(l));
                e.put("kind", kinds.get(layers.get(l)).label());
                e.put("weights", g.initializer(layers.get(l)).size());
                e.put("accuracy", r.accuracy()[l]);
                e.put("chosen_sparsity", chosen.get(layers.get(l)));
                ls.add(e);
            }
            j.put("layers", ls);
            j.put("svg", svg.toString());
            j.put("seconds", seconds);
            out.println(JsonWriter.write(j));
        } else {
            log.printf(Locale.ROOT, "%s: baseline test accuracy %.2f %%; accuracy (%%) with one layer pruned alone:%n%n",
                    model.source(), 100 * r.baseline());
            log.print(r.table());
            log.printf(Locale.ROOT, "%nlosing at most %s per layer alone: %s%nplot: %s (%.1f s)%n",
                    PruneCommand.percent(tolerance), PruneCommand.targetsText(chosen), svg, seconds);
        }
        return CliException.OK;
    }
}
