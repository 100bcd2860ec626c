package dev.minnow.compression.prune;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.EpochStats;
import dev.minnow.engine.train.Optimizer;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A training phase of a pruning experiment: a recipe and a fresh optimizer for every run, so that
 * no momentum carries over from one phase to the next. {@link #run} trains a graph in place with
 * masks attached: pruned weights stay exactly zero through every step.
 *
 * @param config    epochs, batch, learning-rate schedule, regularisation, seed, threads
 * @param optimizer makes a new optimizer per run
 * @param log       training progress, or {@code null} for silence
 */
public record FineTuning(TrainConfig config, Supplier<Optimizer> optimizer, PrintStream log) {

    /** The same phase with another number of epochs. */
    public FineTuning withEpochs(int epochs) {
        return new FineTuning(config.withEpochs(epochs), optimizer, log);
    }

    public FineTuning withConfig(TrainConfig c) {
        return new FineTuning(c, optimizer, log);
    }

    /** Trains {@code g} in place with the masks attached; returns one entry per epoch (empty for 0 epochs). */
    public List<EpochStats> run(Graph g, Map<String, Tensor> masks, ImageDataset train, ImageDataset test) {
        return run(g, masks, train, test, null);
    }

    /**
     * As {@link #run(Graph, Map, ImageDataset, ImageDataset)}, with a step listener made from the
     * trainer (e.g. an {@link AgpPruner}), or {@code null}.
     */
    public List<EpochStats> run(Graph g, Map<String, Tensor> masks, ImageDataset train, ImageDataset test,
                                Function<Trainer, Trainer.StepListener> listener) {
        if (config.epochs() == 0) {
            return List.of();
        }
        Trainer trainer = new Trainer(g, config, optimizer.get()).log(log);
        if (masks != null) {
            MagnitudePruner.attach(trainer, masks);
        }
        if (listener != null) {
            trainer.onStep(listener.apply(trainer));
        }
        return trainer.fit(train, test);
    }
}
