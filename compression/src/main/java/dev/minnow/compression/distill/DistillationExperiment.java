package dev.minnow.compression.distill;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.train.EpochStats;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.Optimizer;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Does distillation help? The controlled comparison: the same student architecture, from the same
 * initial weights, trained with the same recipe on the same batches in the same order, once
 * alone (cross-entropy with the labels) and once per temperature by distillation. Only the loss
 * differs, so the accuracy difference is what the teachers' soft targets bought.
 *
 * <p>The data order is fixed by the recipe's seed ({@link Trainer#fit} draws every epoch's
 * shuffle from it), the initial weights by the seed given to the student's builder.
 */
public final class DistillationExperiment {

    /**
     * One distilled student.
     *
     * @param temperature T of the soft targets
     * @param accuracy    its test accuracy (NaN when training diverged)
     * @param history     one entry per epoch (empty when training diverged)
     * @param student     the trained student
     * @param diverged    why training stopped (the loss became NaN or infinite), or null
     */
    public record Run(float temperature, double accuracy, List<EpochStats> history, Graph student, String diverged) {
    }

    /**
     * The outcome.
     *
     * @param teacherAccuracies each teacher's test accuracy
     * @param ensembleAccuracy  the ensemble's (mean distribution at T = 1), NaN for one teacher
     * @param aloneAccuracy     the student trained alone
     * @param alone             that student
     * @param aloneHistory      its epochs
     * @param alpha             weight of the soft term
     * @param epochs            epochs of every training
     * @param runs              one distilled student per temperature, in the order given
     */
    public record Result(List<Double> teacherAccuracies, double ensembleAccuracy, double aloneAccuracy, Graph alone,
                         List<EpochStats> aloneHistory, float alpha, int epochs, List<Run> runs) {

        /** The teachers' accuracy as a target: the ensemble's, or the single teacher's. */
        public double teacherAccuracy() {
            return teacherAccuracies.size() == 1 ? teacherAccuracies.get(0) : ensembleAccuracy;
        }

        /** The run of the highest test accuracy (the first of equals), or null when every run diverged. */
        public Run best() {
            Run best = null;
            for (Run r : runs) {
                if (r.diverged() == null && (best == null || r.accuracy() > best.accuracy())) {
                    best = r;
                }
            }
            return best;
        }

        /** A markdown table of the accuracies in percent. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append("| network | T | alpha | test accuracy | vs student alone |\n");
            sb.append("|---|---:|---:|---:|---:|\n");
            for (int m = 0; m < teacherAccuracies.size(); m++) {
                sb.append(String.format(Locale.ROOT, "| teacher %d | | | %.2f %% | |%n", m + 1,
                        100 * teacherAccuracies.get(m)));
            }
            if (teacherAccuracies.size() > 1) {
                sb.append(String.format(Locale.ROOT, "| ensemble of %d teachers | | | %.2f %% | |%n",
                        teacherAccuracies.size(), 100 * ensembleAccuracy));
            }
            sb.append(String.format(Locale.ROOT, "| student alone, %d epochs | | | %.2f %% | |%n", epochs,
                    100 * aloneAccuracy));
            for (Run r : runs) {
                if (r.diverged() != null) {
                    sb.append(String.format(Locale.ROOT, "| student distilled, %d epochs | %s | %s | diverged | |%n",
                            epochs, number(r.temperature()), number(alpha)));
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "| student distilled, %d epochs | %s | %s | %.2f %% | %+.2f |%n",
                        epochs, number(r.temperature()), number(alpha), 100 * r.accuracy(),
                        100 * (r.accuracy() - aloneAccuracy)));
            }
            return sb.toString();
        }
    }

    private DistillationExperiment() {
    }

    /**
     * Trains the student alone, then distilled at every temperature.
     *
     * @param student      builds the student's initial weights from a seed (called once per training)
     * @param initSeed     the seed of the student's initial weights, the same for every training
     * @param config       the recipe; its seed fixes the data order
     * @param optimizer    a fresh optimizer per training
     * @param teachers     the teacher or ensemble
     * @param temperatures one distilled student per temperature
     * @param alpha        weight of the soft term
     * @param log          progress, or null
     */
    public static Result compare(LongFunction<Graph> student, long initSeed, TrainConfig config,
                                 Supplier<Optimizer> optimizer, TeacherEnsemble teachers, float[] temperatures,
                                 float alpha, ImageDataset train, ImageDataset test, PrintStream log) {
        if (temperatures.length == 0) {
            throw new IllegalArgumentException("give at least one temperature");
        }
        int threads = config.threads();
        List<Double> accuracies = teachers.accuracies(test, 256);
        List<Double> teacherAccuracies = accuracies.subList(0, teachers.size());
        double ensemble = teachers.size() > 1 ? accuracies.get(teachers.size()) : Double.NaN;
        if (log != null) {
            for (int m = 0; m < teacherAccuracies.size(); m++) {
                log.printf(Locale.ROOT, "teacher %d: %.2f %%%n", m + 1, 100 * teacherAccuracies.get(m));
            }
            if (teachers.size() > 1) {
                log.printf(Locale.ROOT, "ensemble (mean of the %d distributions): %.2f %%%n", teachers.size(),
                        100 * ensemble);
            }
            log.println("training the student alone");
        }
        Graph alone = student.apply(initSeed);
        List<EpochStats> aloneHistory = new Trainer(alone, config, optimizer.get()).log(log).fit(train, test);
        double aloneAccuracy = Evaluation.of(alone, test, 256, threads).accuracy();
        if (log != null) {
            log.printf(Locale.ROOT, "student alone: %.2f %%%n", 100 * aloneAccuracy);
        }
        List<Run> runs = new ArrayList<>();
        for (float t : temperatures) {
            if (log != null) {
                log.printf(Locale.ROOT, "distilling at T = %s, alpha = %s%n", number(t), number(alpha));
            }
            Graph g = student.apply(initSeed);
            List<EpochStats> history;
            try {
                history = new Distiller(teachers, t, alpha).train(g, config, optimizer.get(), train, test, log);
            } catch (Trainer.TrainingDivergedException e) {
                // the soft term's gradient grows with the teacher's logits (about (s - z) / K at high T): a
                // learning rate that suits the hard labels can be too high for it; report and go on
                if (log != null) {
                    log.printf(Locale.ROOT, "distillation at T = %s diverged: %s%n", number(t), e.getMessage());
                }
                runs.add(new Run(t, Double.NaN, List.of(), g, e.getMessage()));
                continue;
            }
            double accuracy = Evaluation.of(g, test, 256, threads).accuracy();
            if (log != null) {
                log.printf(Locale.ROOT, "distilled at T = %s: %.2f %% (student alone %.2f %%)%n", number(t),
                        100 * accuracy, 100 * aloneAccuracy);
            }
            runs.add(new Run(t, accuracy, history, g, null));
        }
        return new Result(List.copyOf(teacherAccuracies), ensemble, aloneAccuracy, alone, aloneHistory, alpha,
                config.epochs(), List.copyOf(runs));
    }

    /** The median of the epochs' durations in seconds (NaN without epochs). */
    public static double medianEpochSeconds(List<EpochStats> history) {
        double[] s = history.stream().mapToDouble(EpochStats::seconds).sorted().toArray();
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }

    /** "4" for 4.0, "0.9" for 0.9. */
    static String number(float v) {
        return v == Math.rint(v) ? Integer.toString((int) v) : Float.toString(v);
    }
}
