package dev.minnow.engine.train;

import dev.minnow.engine.data.Batches;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphException;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mini-batch training of a classifier graph by back-propagation.
 *
 * <p>Each step: fill a batch, run the graph forward in training mode (BN on batch statistics,
 * dropout on), compute the loss and its gradient with respect to the logits, run the backward
 * pass ({@link Plan#backward}), add the regularisation gradient, and let the optimizer update the
 * parameters in place (masks kept). After each epoch it evaluates on the test set, if one is
 * given, and reports an {@link EpochStats}.
 *
 * <p>The parameters are the graph's own float initializers that ops declare trainable
 * ({@link dev.minnow.engine.op.Op#isTrainableInput}); training updates them in place, so the
 * graph passed in is the trained model afterwards. {@link #parameters()} lets a caller set
 * per-parameter learning-rate scales (parameter groups), masks (pruning) or freeze some
 * ({@link #freeze}).
 */
public final class Trainer {
    private final Graph graph;
    private final TrainConfig config;
    private final Optimizer optimizer;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Set<String> frozen = new LinkedHashSet<>();
    private BatchLoss loss = BatchLoss.crossEntropy();
    private PrintStream log;
    private StepListener stepListener;
    private Plan plan;
    private Shape planShape;

    /** Called after every optimizer step (AGP pruning, quantisation-aware training, ...). */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(int epoch, int step, int stepsPerEpoch);
    }

    public Trainer(Graph graph, TrainConfig config, Optimizer optimizer) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new GraphException("graph '" + graph.name() + "' must have one input and one output (logits) to be"
                    + " trained as a classifier; it has " + graph.inputs().size() + " and " + graph.outputs().size());
        }
        this.graph = graph;
        this.config = config;
        this.optimizer = optimizer;
        for (String name : trainableInitializers(graph)) {
            Tensor value = graph.initializer(name);
            parameters.put(name, new Parameter(name, value, Tensor.zeros(value.shape())));
        }
    }

    /** Float initializers that some node reads at an input its op declares trainable, in graph order. */
    public static List<String> trainableInitializers(Graph graph) {
        Set<String> names = new LinkedHashSet<>();
        for (Node n : graph.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) {
                String in = n.inputs().get(i);
                Tensor t = graph.initializer(in);
                if (t != null && t.type() == DataType.FLOAT && n.op().isTrainableInput(i)) {
                    names.add(in);
                }
            }
        }
        // a tensor read both as a parameter and as a fixed setting is not trainable
        for (Node n : graph.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) {
                if (!n.op().isTrainableInput(i)) {
                    names.remove(n.inputs().get(i));
                }
            }
        }
        return new ArrayList<>(names);
    }

    /** The parameters, by initializer name, in graph order. */
    public Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Keeps these parameters fixed (their gradients are still computed if needed further up). */
    public Trainer freeze(java.util.Collection<String> names) {
        for (String n : names) {
            if (!parameters.containsKey(n)) {
                throw new IllegalArgumentException("graph '" + graph.name() + "' has no trainable parameter '" + n + "'");
            }
        }
        frozen.addAll(names);
        return this;
    }

    public Trainer loss(BatchLoss batchLoss) {
        this.loss = batchLoss;
        return this;
    }

    /** Where progress goes: a progress bar on a terminal, plain lines otherwise; null for silence. */
    public Trainer log(PrintStream out) {
        this.log = out;
        return this;
    }

    public Trainer onStep(StepListener listener) {
        this.stepListener = listener;
        return this;
    }

    /**
     * Trains for {@code config.epochs()} epochs.
     *
     * @param test evaluated after every epoch when not null
     * @return one {@link EpochStats} per epoch
     * @throws TrainingDivergedException when the loss becomes NaN or infinite
     */
    public List<EpochStats> fit(ImageDataset train, ImageDataset test) {
        List<EpochStats> history = new ArrayList<>();
        int batch = Math.min(config.batchSize(), train.size());
        int stepsPerEpoch = train.size() / batch;
        long totalSteps = (long) stepsPerEpoch * config.epochs();
        Progress progress = new Progress(log, config.epochs(), stepsPerEpoch);
        List<Parameter> active = new ArrayList<>();
        for (Parameter p : parameters.values()) {
            if (!frozen.contains(p.name())) {
                active.add(p);
            }
        }
        long step = 0;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            Batches batches = new Batches(train, batch, true, config.seed() * 1_000_003L + epoch);
            double lossSum = 0;
            long hits = 0;
            int seen = 0;
            float lr = 0;
            long start = System.nanoTime();
            for (int s = 0; s < stepsPerEpoch; s++) {
                Tensor x = batches.next();
                lr = config.schedule().rate(epoch, totalSteps == 0 ? 0 : (double) step / totalSteps);
                float l = trainStep(x, batches.labels(), lr, active);
                if (!Float.isFinite(l)) {
                    throw new TrainingDivergedException("training diverged: the loss became " + l + " at epoch "
                            + (epoch + 1) + ", step " + (s + 1) + " (learning rate " + lr + "); lower the learning rate"
                            + " or check the inputs' normalisation");
                }
                lossSum += l;
                hits += SoftmaxCrossEntropy.correct(logits2d(plan.value(graph.outputs().get(0)), batch), batches.labels());
                seen += batch;
                step++;
                if (stepListener != null) {
                    stepListener.afterStep(epoch, s, stepsPerEpoch);
                }
                progress.step(epoch, s, lossSum / (s + 1), (double) hits / seen, seen, System.nanoTime() - start);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Evaluation eval = test == null ? null : Evaluation.of(graph, test, 256, config.threads());
            EpochStats stats = new EpochStats(epoch + 1, lossSum / Math.max(1, stepsPerEpoch),
                    seen == 0 ? Double.NaN : (double) hits / seen,
                    eval == null ? Double.NaN : eval.loss(), eval == null ? Double.NaN : eval.accuracy(),
                    seconds, seen / Math.max(seconds, 1e-9), lr);
            history.add(stats);
            progress.epochDone(stats);
        }
        return history;
    }

    /**
     * One optimizer step on one batch; returns the batch's mean loss (before the update). Also
     * usable on its own for custom loops.
     */
    public float trainStep(Tensor x, int[] labels, float lr, List<Parameter> active) {
        Plan p = planFor(x.shape());
        Tensor logits = p.runSingle(x);
        int n = x.shape().dim(0);
        Tensor flat = logits2d(logits, n);
        Tensor grad = Tensor.zeros(flat.shape());
        float l = loss.lossAndGradient(x, flat, labels, grad);
        if (!Float.isFinite(l)) {
            return l;
        }
        p.backward(Map.of(graph.outputs().get(0), grad.reshape(logits.shape())));
        config.regularization().apply(active);
        optimizer.step(active, lr);
        return l;
    }

    private static Tensor logits2d(Tensor logits, int n) {
        return logits.rank() == 2 ? logits : logits.reshape(Shape.of(n, logits.size() / n));
    }

    private Plan planFor(Shape shape) {
        if (plan == null || !shape.equals(planShape)) {
            PlanOptions options = new PlanOptions(config.threads(), false, parameters.keySet(), config.seed());
            plan = Plan.compile(graph, Map.of(graph.inputs().get(0).name(), shape), options);
            plan.context().setTraining(true);
            Map<String, Tensor> buffers = new LinkedHashMap<>();
            parameters.forEach((name, param) -> buffers.put(name, param.grad()));
            plan.requireGradients(parameters.keySet(), buffers);
            planShape = shape;
        }
        return plan;
    }

    /** Thrown when the loss stops being a finite number. */
    public static final class TrainingDivergedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TrainingDivergedException(String message) {
            super(message);
        }
    }
}
