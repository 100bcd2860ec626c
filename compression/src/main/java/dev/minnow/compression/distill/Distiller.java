package dev.minnow.compression.distill;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.train.BatchLoss;
import dev.minnow.engine.train.DistillationLoss;
import dev.minnow.engine.train.EpochStats;
import dev.minnow.engine.train.Optimizer;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.io.PrintStream;
import java.util.List;

/**
 * Knowledge distillation (Hinton, Vinyals and Dean 2015, "Distilling the Knowledge in a Neural
 * Network"): trains a small <em>student</em> network on the soft targets of a large
 * <em>teacher</em> (or of an ensemble of teachers, {@link TeacherEnsemble}) together with the
 * true labels, minimising per batch
 * <pre>
 *   L = alpha * T^2 * CE(p_T, softmax(s / T))  +  (1 - alpha) * CE(onehot(y), softmax(s))
 * </pre>
 * where s are the student's logits, p_T the teachers' distribution at temperature T and y the
 * label ({@link DistillationLoss} computes it and its gradient). Everything else is ordinary
 * training: the same {@link Trainer}, recipe, data order and initialisation as training the
 * student alone, so that the difference between the two is the loss and nothing else.
 *
 * <p>The teachers run in inference mode on every training batch (their plans are reused, so
 * this costs one forward pass per teacher and student step, and no tensor allocation), unless
 * the ensemble {@linkplain TeacherEnsemble#remember remembers} the training set, in which case
 * their logits are looked up.
 */
public final class Distiller {
    private final TeacherEnsemble teachers;
    private final DistillationLoss loss;

    /**
     * @param teachers    the teacher or ensemble
     * @param temperature T > 0 of the soft targets (1: the teachers' own distribution)
     * @param alpha       weight of the soft term in [0, 1] (1: labels unused)
     */
    public Distiller(TeacherEnsemble teachers, float temperature, float alpha) {
        this.teachers = teachers;
        this.loss = new DistillationLoss(temperature, alpha);
    }

    public float temperature() {
        return loss.temperature();
    }

    public float alpha() {
        return loss.alpha();
    }

    public TeacherEnsemble teachers() {
        return teachers;
    }

    /** The distillation loss as a {@link Trainer} loss: runs the teachers on the batch the student sees. */
    public BatchLoss batchLoss() {
        return (input, logits, labels, grad) -> loss.lossAndGradient(logits,
                teachers.targetLogits(input, loss.temperature()), labels, grad);
    }

    /**
     * Trains {@code student} in place by distillation.
     *
     * @param config    epochs, batch, schedule, seed (which fixes the data order), threads
     * @param optimizer a fresh optimizer for this run
     * @param test      evaluated after every epoch when not null
     * @param log       progress, or null for silence
     * @return one entry per epoch; {@code trainLoss} is the distillation loss
     */
    public List<EpochStats> train(Graph student, TrainConfig config, Optimizer optimizer, ImageDataset train,
                                  ImageDataset test, PrintStream log) {
        return new Trainer(student, config, optimizer).loss(batchLoss()).log(log).fit(train, test);
    }
}
