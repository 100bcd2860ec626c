package dev.minnow.compression.rebirth;

import dev.minnow.compression.fuse.PassResult;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.train.EpochStats;
import dev.minnow.engine.train.Optimizer;
import dev.minnow.engine.train.Parameter;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Retraining after DeepRebirth's merges, as the paper does it: the merged layers start from fresh
 * weights and learn at ten times the learning rate of the others, which are fine-tuned (two
 * parameter groups, {@link Parameter#setLearningRateScale}). Either everything at once, or layer
 * by layer ({@link #layerByLayer}): merge one site, retrain, merge the next, bottom to top, so
 * each fresh layer learns on top of layers that already fit the data.
 */
public final class RebirthRetraining {
    /** The learning-rate multiplier of merged layers (the paper's 10x). */
    public static final float MERGED_LEARNING_RATE_SCALE = 10f;

    private RebirthRetraining() {
    }

    /** What layer-by-layer retraining did at one step. */
    public record Step(DeepRebirth.Site site, List<String> changes, List<EpochStats> history) {
    }

    /**
     * Trains {@code graph} in place: the {@code fresh} parameters at {@link #MERGED_LEARNING_RATE_SCALE}
     * times the configured learning rate, the others at 1x.
     *
     * @param test evaluated after every epoch when not null
     * @param log  progress, or null
     */
    public static List<EpochStats> retrain(Graph graph, Set<String> fresh, ImageDataset train, ImageDataset test,
                                           TrainConfig config, Optimizer optimizer, PrintStream log) {
        Trainer trainer = new Trainer(graph, config, optimizer).log(log);
        for (Parameter p : trainer.parameters().values()) {
            p.setLearningRateScale(fresh.contains(p.name()) ? MERGED_LEARNING_RATE_SCALE : 1f);
        }
        return trainer.fit(train, test);
    }

    /**
     * The paper's layer-wise schedule: for each site of {@code rebirth.sites(graph)}, bottom to top,
     * merge that site and retrain {@code config.epochs()} epochs (fresh layers of that step at 10x).
     * The optimizer is made anew for every step (its momentum belongs to the old parameters).
     *
     * @return the merged, retrained graph and what each step did
     */
    public static Layerwise layerByLayer(Graph graph, DeepRebirth rebirth, ImageDataset train, ImageDataset test,
                                         TrainConfig config, Supplier<Optimizer> optimizer, PrintStream log) {
        Graph g = graph;
        List<Step> steps = new ArrayList<>();
        for (DeepRebirth.Site site : rebirth.sites(graph)) {
            PassResult r = rebirth.applyAt(g, site);
            g = r.graph();
            if (log != null) {
                log.println("step " + (steps.size() + 1) + ": " + site + " (" + String.join("; ", r.changes()) + ")");
            }
            List<EpochStats> h = retrain(g, r.freshParameters(), train, test, config, optimizer.get(), log);
            steps.add(new Step(site, r.changes(), h));
        }
        return new Layerwise(g, steps);
    }

    /** The result of {@link #layerByLayer}. */
    public record Layerwise(Graph graph, List<Step> steps) {
    }
}
