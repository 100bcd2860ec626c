package dev.minnow.compression.distill;

import dev.minnow.engine.data.Batches;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphException;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.op.SoftmaxAlongAxis;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.SoftmaxCrossEntropy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The teacher side of knowledge distillation: one or more trained classifiers that, for every
 * training batch, give the distribution the student should match.
 *
 * <p><b>Inference mode.</b> The teachers run as they would in deployment (batch normalisation on
 * its running statistics, dropout off), so the same image always gets the same target. Each
 * teacher keeps one inference plan per batch shape, compiled on first use and reused for every
 * later batch of that shape: a training epoch compiles at most two plans per teacher (the full
 * batch and, for evaluation, a last partial one) and the per-batch work allocates no tensors.
 *
 * <p><b>Ensembles.</b> With M teachers the target at temperature T is the <em>arithmetic mean of
 * their predicted distributions</em>, as Hinton, Vinyals and Dean (2015) average an ensemble:
 * <pre>
 *   p_T(x) = (1/M) sum_m softmax(z_m(x) / T)
 * </pre>
 * not {@code softmax(mean_m z_m / T)} (the normalised <em>geometric</em> mean of the
 * distributions). The two differ where the members disagree: the arithmetic mean keeps every
 * class some member finds plausible, the geometric mean keeps only classes all of them find
 * plausible. Because {@link dev.minnow.engine.train.DistillationLoss} takes teacher logits, the
 * mean is handed over as logits whose softmax at T is exactly p_T:
 * <pre>
 *   z~ = T log p_T   =>   softmax(z~ / T)_j = p_T,j / sum_i p_T,i = p_T,j     (p_T sums to 1)
 * </pre>
 * With one teacher z~ is simply its logits, at every temperature.
 *
 * <p><b>Remembering a training set.</b> A teacher in inference mode is a pure function of the
 * image, and without data augmentation the student sees the same training images every epoch: the
 * teachers' answers for epoch 2 onwards are the ones of epoch 1. {@link #remember} runs the
 * teachers once over the training set and keeps their logits (N x classes floats per teacher:
 * 2.4 MB for Fashion-MNIST); later batches are looked up by their pixels ({@link ImageIndex}, exact
 * comparison) and only a batch holding an image not remembered runs the teachers. The targets are
 * the same either way, up to the float rounding of a different batch size.
 *
 * <p>Teachers must output logits (a final Softmax would make the temperature meaningless), all
 * with the same number of classes. Not thread-safe: one ensemble serves one training loop.
 */
public final class TeacherEnsemble {
    private final List<Graph> teachers;
    private final int threads;
    private final List<Map<Shape, Plan>> plans = new ArrayList<>();
    private final Map<Integer, Tensor> targets = new HashMap<>();
    private final Tensor[] memberLogits;
    private int compiledPlans;
    private long teacherBatches;
    private ImageIndex memory;
    private float[][] remembered;
    private int rememberedClasses;
    private final Map<Integer, Tensor[]> recalled = new HashMap<>();

    /**
     * @param teachers trained classifiers with one input and one output (logits)
     * @param threads  threads per op for the teachers' forward passes
     */
    public TeacherEnsemble(List<Graph> teachers, int threads) {
        if (teachers.isEmpty()) {
            throw new IllegalArgumentException("distillation needs at least one teacher");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        for (int m = 0; m < teachers.size(); m++) {
            Graph g = teachers.get(m);
            if (g.inputs().size() != 1 || g.outputs().size() != 1) {
                throw new GraphException(describe(m, g) + " must have one input and one output (logits); it has "
                        + g.inputs().size() + " and " + g.outputs().size());
            }
            Node last = g.producer(g.outputs().get(0));
            if (last != null && last.op() instanceof SoftmaxAlongAxis) {
                throw new GraphException(describe(m, g) + " ends in " + last.describe() + "; distillation needs the"
                        + " logits before the softmax (remove that node) so that it can apply its own temperature");
            }
            plans.add(new HashMap<>());
        }
        this.teachers = List.copyOf(teachers);
        this.threads = threads;
        this.memberLogits = new Tensor[teachers.size()];
    }

    /** A single teacher. */
    public static TeacherEnsemble of(Graph teacher, int threads) {
        return new TeacherEnsemble(List.of(teacher), threads);
    }

    public List<Graph> teachers() {
        return teachers;
    }

    public int size() {
        return teachers.size();
    }

    /**
     * The target of a batch as logits {@code z~} (see the class comment): the teacher's logits for
     * one teacher, {@code T log p_T} for an ensemble. Shape [n, classes]; the tensor belongs to the
     * ensemble and is overwritten by the next call with a batch of the same size.
     */
    public Tensor targetLogits(Tensor batch, float temperature) {
        if (!recall(batch)) {
            runAll(batch);
        }
        int n = batch.shape().dim(0);
        int k = memberLogits[0].shape().dim(1);
        Tensor out = buffer(n, k);
        if (teachers.size() == 1) {
            System.arraycopy(memberLogits[0].data(), memberLogits[0].offset(), out.data(), out.offset(), n * k);
        } else {
            ensembleTargetLogits(memberLogits, temperature, out);
        }
        return out;
    }

    /**
     * {@code out = T log((1/M) sum_m softmax(z_m / T))}, row by row: the logits whose softmax at T
     * is the mean of the members' distributions at T.
     *
     * @param logits one [n, k] tensor per member
     * @param out    [n, k]
     */
    public static void ensembleTargetLogits(Tensor[] logits, float temperature, Tensor out) {
        int n = out.shape().dim(0);
        int k = out.shape().dim(1);
        double[] sum = new double[k];
        float[] o = out.data();
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(sum, 0, k, 0.0);
            for (Tensor z : logits) {
                float[] d = z.data();
                int off = z.offset() + i * k;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    max = Math.max(max, d[off + j] / temperature);
                }
                double norm = 0;
                for (int j = 0; j < k; j++) {
                    norm += Math.exp(d[off + j] / temperature - max);
                }
                for (int j = 0; j < k; j++) {
                    sum[j] += Math.exp(d[off + j] / temperature - max) / norm;
                }
            }
            int oo = out.offset() + i * k;
            for (int j = 0; j < k; j++) {
                // a probability that underflowed to 0 becomes a very negative (finite) logit
                o[oo + j] = (float) (temperature * Math.log(Math.max(sum[j] / logits.length, 1e-300)));
            }
        }
    }

    /**
     * Test accuracy of every teacher alone and, for an ensemble, of the ensemble (the class of the
     * largest mean probability at T = 1); one entry per teacher, then the ensemble's.
     */
    public List<Double> accuracies(ImageDataset data, int batchSize) {
        long[] hits = new long[teachers.size() + 1];
        Batches batches = new Batches(data, batchSize, false, 0);
        while (batches.hasNext()) {
            Tensor x = batches.next();
            int[] labels = batches.labels();
            runAll(x);
            for (int m = 0; m < teachers.size(); m++) {
                hits[m] += SoftmaxCrossEntropy.correct(memberLogits[m], labels);
            }
            if (teachers.size() > 1) {
                Tensor mean = buffer(x.shape().dim(0), memberLogits[0].shape().dim(1));
                ensembleTargetLogits(memberLogits, 1f, mean);
                hits[teachers.size()] += SoftmaxCrossEntropy.correct(mean, labels);
            }
        }
        List<Double> r = new ArrayList<>();
        int count = teachers.size() == 1 ? 1 : teachers.size() + 1;
        for (int m = 0; m < count; m++) {
            r.add(data.size() == 0 ? Double.NaN : (double) hits[m] / data.size());
        }
        return r;
    }

    /** The reusable [n, k] target tensor for batches of n. */
    private Tensor buffer(int n, int k) {
        Tensor out = targets.get(n);
        if (out == null || out.shape().dim(1) != k) {
            out = Tensor.zeros(n, k);
            targets.put(n, out);
        }
        return out;
    }

    /**
     * Runs the teachers once over {@code data} (in batches of {@code batchSize}) and keeps their
     * logits, so that later batches of these images are looked up instead of recomputed.
     *
     * @return this ensemble
     */
    public TeacherEnsemble remember(ImageDataset data, int batchSize) {
        float[][] logits = new float[teachers.size()][];
        Batches batches = new Batches(data, batchSize, false, 0);
        int done = 0;
        int k = 0;
        while (batches.hasNext()) {
            Tensor x = batches.next();
            int n = x.shape().dim(0);
            runAll(x);
            k = memberLogits[0].shape().dim(1);
            for (int m = 0; m < logits.length; m++) {
                if (logits[m] == null) {
                    logits[m] = new float[data.size() * k];
                }
                System.arraycopy(memberLogits[m].data(), memberLogits[m].offset(), logits[m], done * k, n * k);
            }
            done += n;
        }
        this.memory = new ImageIndex(data);
        this.remembered = logits;
        this.rememberedClasses = k;
        recalled.clear();
        return this;
    }

    /** Fills {@link #memberLogits} from memory when every image of the batch is remembered. */
    private boolean recall(Tensor batch) {
        if (memory == null || remembered[0] == null || batch.size() != batch.shape().dim(0) * memory.imageSize()) {
            return false;
        }
        int n = batch.shape().dim(0);
        int k = rememberedClasses;
        Tensor[] out = recalled.get(n);
        if (out == null) {
            out = new Tensor[teachers.size()];
            for (int m = 0; m < out.length; m++) {
                out[m] = Tensor.zeros(n, k);
            }
            recalled.put(n, out);
        }
        float[] x = batch.data();
        for (int i = 0; i < n; i++) {
            int index = memory.find(x, batch.offset() + i * memory.imageSize());
            if (index < 0) {
                return false;
            }
            for (int m = 0; m < out.length; m++) {
                System.arraycopy(remembered[m], index * k, out[m].data(), out[m].offset() + i * k, k);
            }
        }
        System.arraycopy(out, 0, memberLogits, 0, out.length);
        return true;
    }

    /** Batches the teachers have run on so far (not counting batches served from memory). */
    long teacherBatches() {
        return teacherBatches;
    }

    /** Plans compiled so far, over all teachers (one per teacher and batch shape). */
    int compiledPlans() {
        return compiledPlans;
    }

    /** Every teacher's logits for the batch into {@link #memberLogits}, checking that they agree on the classes. */
    private void runAll(Tensor batch) {
        for (int m = 0; m < teachers.size(); m++) {
            memberLogits[m] = run(m, batch);
            if (m > 0 && memberLogits[m].shape().dim(1) != memberLogits[0].shape().dim(1)) {
                throw new GraphException(describe(m, teachers.get(m)) + " outputs " + memberLogits[m].shape().dim(1)
                        + " classes but " + describe(0, teachers.get(0)) + " outputs " + memberLogits[0].shape().dim(1));
            }
        }
    }

    /** Teacher m's logits for the batch as [n, classes], owned by its plan. */
    private Tensor run(int m, Tensor batch) {
        Graph g = teachers.get(m);
        Plan plan = plans.get(m).get(batch.shape());
        if (plan == null) {
            try {
                plan = Plan.compile(g, Map.of(g.inputs().get(0).name(), batch.shape()),
                        PlanOptions.inference().withThreads(threads));
            } catch (GraphException e) {
                throw new GraphException(describe(m, g) + " cannot run on a batch of shape " + batch.shape() + ": "
                        + e.getMessage(), e);
            }
            plans.get(m).put(batch.shape(), plan);
            compiledPlans++;
        }
        Tensor logits = plan.runSingle(batch);
        if (m == 0) {
            teacherBatches++;
        }
        int n = batch.shape().dim(0);
        if (logits.size() % n != 0) {
            throw new GraphException(describe(m, g) + " outputs " + logits.shape() + " for a batch of " + n);
        }
        int k = logits.size() / n;
        return logits.rank() == 2 ? logits : logits.reshape(Shape.of(n, k));
    }

    private static String describe(int m, Graph g) {
        return "teacher " + (m + 1) + " ('" + g.name() + "')";
    }
}
