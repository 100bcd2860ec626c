package dev.minnow.jmh;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Parameter;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.engine.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training throughput: one {@link Trainer#trainStep} (forward in training mode, cross-entropy,
 * backward, SGD with momentum 0.9) on a batch of {@value #BATCH} random 28x28 images with random
 * labels, vector kernels. Images per second = {@code BATCH / median time}; an epoch of
 * Fashion-MNIST is 60,000 images ({@code 937} steps). {@link TrainingScalarBenchmark} runs the
 * same on the scalar kernels.
 *
 * <p>The learning rate is small (1e-3) so that the weights stay in a normal range however many
 * steps the benchmark runs; the work per step does not depend on it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class TrainingBenchmark {
    /** Images per step, as in the PyTorch comparison. */
    public static final int BATCH = 64;

    @Param
    public LeNets net;

    @Param({"1", "2"})
    public int threads;

    private Step step;

    /**
     * One SGD step on {@code net} with {@code threads} threads: a fresh trainer (momentum 0.9,
     * learning rate 1e-3) and a batch of {@value #BATCH} seeded random images and labels. Also the
     * training subjects of {@link Interleaved}.
     */
    static final class Step {
        private final Trainer trainer;
        private final List<Parameter> active;
        private final Tensor images;
        private final int[] labels;

        Step(LeNets net, int threads) {
            TrainConfig config = TrainConfig.of(1, BATCH, 1e-3f).withThreads(threads);
            trainer = new Trainer(net.graph(), config, new Sgd(0.9f, false, 0f));
            active = new ArrayList<>(trainer.parameters().values());
            images = Tensor.zeros(Shape.of(BATCH, 1, 28, 28));
            Random r = new Random(3);
            float[] d = images.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = r.nextFloat();
            }
            labels = new int[BATCH];
            for (int i = 0; i < BATCH; i++) {
                labels[i] = r.nextInt(10);
            }
        }

        /** One step; returns the batch's loss. */
        float run() {
            return trainer.trainStep(images, labels, 1e-3f, active);
        }
    }

    /** The kernels this class measures. */
    protected String kernels() {
        return "vector";
    }

    @Setup
    public void setUp() {
        KernelCheck.require(kernels());
        step = new Step(net, threads);
        // one step here, so that a missing backward pass fails in setup with the engine's message
        float loss = step.run();
        if (!Float.isFinite(loss)) {
            throw new IllegalStateException(net + ": the first training step gave a loss of " + loss);
        }
    }

    @Benchmark
    public float trainStep() {
        return step.run();
    }
}
