package dev.minnow.zoo.cli;

import dev.minnow.compression.distill.DistillationExperiment;
import dev.minnow.compression.distill.TeacherEnsemble;
import dev.minnow.compression.sparse.SparseInference;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.tensor.Tensor;
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

/** {@code minnow distill}: knowledge distillation from trained teachers into a zoo student, against the student alone. */
final class DistillCommand implements Command {

    static final float DEFAULT_TEMPERATURE = 4f;
    static final float DEFAULT_ALPHA = 0.9f;
    private static final int SHIRT = 6;

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("distill", """
            Knowledge distillation (Hinton et al. 2015, docs/distillation.md): trains a zoo STUDENT
            to match the soft targets of one or more trained teachers at temperature T, mixed with
            the labels (loss alpha * T^2 * CE(teacher_T, student_T) + (1 - alpha) * CE(labels,
            student)). Several teachers form an ensemble whose target is the mean of their
            distributions at T. For a fair comparison it first trains the same student alone, from
            the same initial weights, with the same recipe (the student's default, docs/training.md)
            and the same data order, and reports both accuracies. A comma-separated --temperature
            trains one distilled student per value and saves the most accurate on the test set.""")
            .repeatableOption("teacher", "FILE", "a trained teacher (.mnw or .onnx) that outputs logits;"
                    + " repeat (or separate by commas) for an ensemble")
            .option("student", "NAME", "the student's zoo architecture, e.g. lenet300")
            .option("temperature", "T", "softmax temperature of the soft targets, or a comma-separated list"
                    + " (default: " + (int) DEFAULT_TEMPERATURE + ")")
            .option("alpha", "A", "weight of the soft-target term, in [0, 1] (default: " + DEFAULT_ALPHA + ")")
            .option("epochs", "N", "epochs of every training (default: the student's recipe)")
            .option("batch", "B", "images per step (default: 64)")
            .option("lr", "LR", "peak learning rate of every training (default: the student's recipe; high temperatures"
                    + " may need a lower one, docs/distillation.md)")
            .option("seed", "S", "seed of the student's initial weights and of the data order (default: 1)")
            .option("threads", "T", "threads per op (default: one per core)")
            .option("out", "FILE", "where to save the distilled student (.mnw)")
            .flag("recompute-teachers", "run the teachers on every training batch instead of once over the"
                    + " training set, remembered (the same targets, slower)")
            .flag(InferenceOptimization.FLAG, InferenceOptimization.HELP + " (for the teachers)"))
            .example("minnow distill --teacher lenet5.mnw --student lenet300 --temperature 1,2,4,8,20 --epochs 10"
                    + " --out student.mnw", "a temperature sweep against the student alone")
            .example("minnow distill --teacher a.mnw --teacher b.mnw --teacher c.mnw --student lenet300 --out s.mnw",
                    "an ensemble of three teachers")
            .example("minnow distill --teacher t.mnw --student lenet300 --embedded --epochs 1 --out s.mnw --json", "")
            .build();

    @Override
    public String name() {
        return "distill";
    }

    @Override
    public String summary() {
        return "knowledge distillation from teachers (or an ensemble) into a zoo student, vs the student alone";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        List<String> teacherFiles = new ArrayList<>();
        for (String v : args.options("teacher")) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    teacherFiles.add(part.trim());
                }
            }
        }
        if (teacherFiles.isEmpty()) {
            throw CliException.usage("--teacher FILE is required: a trained model to distil from (repeat for an ensemble)");
        }
        String student = args.option("student");
        if (student == null) {
            throw CliException.usage("--student NAME is required: the zoo architecture to train, e.g. lenet300");
        }
        if (!Zoo.names().contains(student)) {
            throw CliException.usage("--student must be a zoo name; '" + student + "' is not one of "
                    + String.join(", ", Zoo.names()));
        }
        Path file = args.pathOption("out");
        if (file == null) {
            throw CliException.usage("--out FILE is required: where to save the distilled student");
        }
        float[] temperatures = temperatures(args.option("temperature", Integer.toString((int) DEFAULT_TEMPERATURE)));
        float alpha = args.option("alpha") == null ? DEFAULT_ALPHA
                : (float) FineTuneOptions.fraction(args.option("alpha"), "alpha");
        Recipe recipe = Recipe.defaultFor(student);
        recipe = recipe.withEpochs(args.intOption("epochs", recipe.epochs(), 1))
                .withBatch(args.intOption("batch", recipe.batch(), 1));
        if (args.option("lr") != null) {
            recipe = recipe.withLearningRate(TrainCommand.parseFloat(args.option("lr"), "lr"));
        }
        long seed = args.longOption("seed", 1);
        int threads = FineTuneOptions.threads(args);

        List<Graph> teachers = new ArrayList<>();
        for (String t : teacherFiles) {
            teachers.add(teacher(t, recipe.norm(), args, err));
        }
        FashionMnist.Split data = DataOptions.load(args, recipe.norm());
        int classes = data.train().classes();
        int h = data.train().height();
        int w = data.train().width();
        PrintStream log = args.json() ? err : out;
        log.printf(Locale.ROOT, "distilling %d teacher%s into %s on %s: %s, alpha %s, T %s%n", teachers.size(),
                teachers.size() == 1 ? "" : "s", student, DataOptions.describe(args), recipe.describe(), alpha,
                join(temperatures));
        long start = System.nanoTime();
        TeacherEnsemble ensemble = new TeacherEnsemble(teachers, threads);
        double teacherSeconds = Double.NaN;
        if (!args.flag("recompute-teachers")) {
            ensemble.remember(data.train(), 256);
            teacherSeconds = (System.nanoTime() - start) / 1e9;
            log.printf(Locale.ROOT, "teachers run once over the %,d training images (%.1f s)%n", data.train().size(),
                    teacherSeconds);
        }
        printSoftTargets(ensemble, data.test(), temperatures, log);
        DistillationExperiment.Result r = DistillationExperiment.compare(
                s -> Zoo.build(student, classes, 1, h, w, s), seed, recipe.config(seed, threads), recipe::optimizer,
                ensemble, temperatures, alpha, data.train(), data.test(), log);
        double seconds = (System.nanoTime() - start) / 1e9;
        DistillationExperiment.Run best = r.best();
        if (best == null) {
            throw CliException.badInput("distillation diverged at every temperature (" + r.runs().get(0).diverged()
                    + "); the student alone reached " + String.format(Locale.ROOT, "%.2f %%", 100 * r.aloneAccuracy()));
        }

        Map<String, String> meta = new LinkedHashMap<>(recipe.metadata());
        meta.put("model", student);
        meta.put("seed", Long.toString(seed));
        meta.put("data", DataOptions.describe(args));
        meta.put("distilled_from", String.join(",", teacherFiles));
        meta.put("temperature", Float.toString(best.temperature()));
        meta.put("alpha", Float.toString(alpha));
        meta.put("test_accuracy", Double.toString(best.accuracy()));
        meta.put("student_alone_accuracy", Double.toString(r.aloneAccuracy()));
        ModelFile.save(best.student(), meta, file);

        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("student", student);
            List<Map<String, Object>> ts = new ArrayList<>();
            for (int m = 0; m < teacherFiles.size(); m++) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("file", teacherFiles.get(m));
                e.put("accuracy", r.teacherAccuracies().get(m));
                ts.add(e);
            }
            j.put("teachers", ts);
            if (teachers.size() > 1) {
                j.put("ensemble_accuracy", r.ensembleAccuracy());
            }
            j.put("teacher_accuracy", r.teacherAccuracy());
            j.put("student_alone_accuracy", r.aloneAccuracy());
            j.put("accuracy", best.accuracy());
            j.put("improvement", best.accuracy() - r.aloneAccuracy());
            j.put("temperature", (double) best.temperature());
            j.put("alpha", (double) alpha);
            List<Map<String, Object>> runs = new ArrayList<>();
            for (DistillationExperiment.Run run : r.runs()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("temperature", (double) run.temperature());
                e.put("accuracy", run.accuracy());
                e.put("improvement", run.accuracy() - r.aloneAccuracy());
                e.put("diverged", run.diverged() != null);
                e.put("seconds_per_epoch_median", DistillationExperiment.medianEpochSeconds(run.history()));
                runs.add(e);
            }
            j.put("runs", runs);
            j.put("student_alone_seconds_per_epoch_median", DistillationExperiment.medianEpochSeconds(r.aloneHistory()));
            j.put("teacher_pass_seconds", teacherSeconds);
            j.put("epochs", recipe.epochs());
            j.put("seed", seed);
            j.put("recipe", recipe.describe());
            j.put("out", file.toString());
            j.put("seconds", seconds);
            out.println(JsonWriter.write(j));
        } else {
            out.println();
            out.print(r.table());
            out.printf(Locale.ROOT, "saved %s: the student distilled at T = %s (%.2f %%%s); %.0f s%n", file,
                    join(new float[] {best.temperature()}), 100 * best.accuracy(),
                    temperatures.length > 1 ? ", the best on the test set" : "", seconds);
        }
        return CliException.OK;
    }

    /** A trained teacher, optimised for inference, checked to expect the inputs the student will get. */
    private static Graph teacher(String spec, Normalization norm, Args args, PrintStream err) throws Exception {
        ModelSource.Loaded t = ModelSource.load(spec);
        if (t.kind().equals("zoo")) {
            throw CliException.usage("--teacher must be a trained model file; '" + spec + "' is an untrained zoo"
                    + " architecture (train one first: minnow train " + spec + " --out " + spec + ".mnw)");
        }
        Normalization expected = FineTuneOptions.normalization(t);
        if (Math.abs(expected.mean() - norm.mean()) > 1e-6 || Math.abs(expected.std() - norm.std()) > 1e-6) {
            throw CliException.badInput("teacher " + spec + " expects inputs normalised with mean " + expected.mean()
                    + " and std " + expected.std() + " but the student's recipe uses mean " + norm.mean() + " and std "
                    + norm.std() + "; teacher and student must see the same batches");
        }
        return InferenceOptimization.apply(SparseInference.sparsify(t.graph()), args, err);
    }

    /**
     * What the soft targets look like: the teachers' distribution at T = 1 and at each temperature
     * for one test image (the first shirt of Fashion-MNIST, whose near misses are instructive).
     */
    static void printSoftTargets(TeacherEnsemble ensemble, ImageDataset test, float[] temperatures, PrintStream log) {
        boolean fashion = test.classes() == FashionMnist.CLASSES.size();
        int index = 0;
        for (int i = 0; fashion && i < test.size(); i++) {
            if (test.labels()[i] == SHIRT) {
                index = i;
                break;
            }
        }
        TreeSet<Float> ts = new TreeSet<>();
        ts.add(1f);
        for (float t : temperatures) {
            ts.add(t);
        }
        Tensor x = test.image(index);
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-12s", "class"));
        List<double[]> columns = new ArrayList<>();
        for (float t : ts) {
            header.append(String.format(Locale.ROOT, " %9s", "T=" + join(new float[] {t})));
            float[] z = ensemble.targetLogits(x, t).toFloatArray();
            double max = Double.NEGATIVE_INFINITY;
            for (float v : z) {
                max = Math.max(max, v / t);
            }
            double sum = 0;
            double[] p = new double[z.length];
            for (int j = 0; j < z.length; j++) {
                p[j] = Math.exp(z[j] / t - max);
                sum += p[j];
            }
            for (int j = 0; j < z.length; j++) {
                p[j] /= sum;
            }
            columns.add(p);
        }
        int label = test.labels()[index];
        log.printf(Locale.ROOT, "soft targets for test image %d (%s):%n%s%n", index,
                fashion ? FashionMnist.CLASSES.get(label) : "class " + label, header);
        for (int j = 0; j < columns.get(0).length; j++) {
            log.printf(Locale.ROOT, "%-12s", fashion ? FashionMnist.CLASSES.get(j) : Integer.toString(j));
            for (double[] p : columns) {
                log.printf(Locale.ROOT, " %9.2e", p[j]);
            }
            log.println();
        }
    }

    /** "4" or "1,2,4,8,20", each > 0. */
    static float[] temperatures(String v) throws CliException {
        String[] parts = v.split(",");
        float[] t = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            t[i] = TrainCommand.parseFloat(parts[i].trim(), "temperature");
        }
        return t;
    }

    private static String join(float[] values) {
        StringBuilder sb = new StringBuilder();
        for (float v : values) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(v == Math.rint(v) ? Integer.toString((int) v) : Float.toString(v));
        }
        return sb.toString();
    }
}
