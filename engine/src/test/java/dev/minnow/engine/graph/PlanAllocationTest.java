package dev.minnow.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plan's promise that a steady-state inference allocates nothing (the speed issue allows "a
 * few hundred bytes"): bytes allocated by the calling thread and the pool's workers, counted by
 * the JVM ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}), around repeated runs
 * of a small network with the layers of MobileNet-V2 and LeNet (3x3, Winograd 3x3, grouped,
 * depthwise, pointwise and strided convolutions, ReLU6, a residual Add, max pooling, global average
 * pooling, a dense layer).
 *
 * <p>Until the JIT has compiled the Vector API kernels, their vector values live on the heap, so
 * the test runs rounds of inferences until one round allocates (almost) nothing, and fails only if
 * that never happens: an allocation in the code itself shows up in every round.
 */
class PlanAllocationTest {
    private static final int RUNS_PER_ROUND = 200;
    private static final int MAX_ROUNDS = 60;
    /** Bytes per inference still tolerated (the bar is a few hundred). */
    private static final long BUDGET = 16;

    static Graph mobileBlocks() {
        ModelBuilder b = new ModelBuilder("mobile-blocks", 3);
        String x = b.input("input", 1, 3, 32, 32);
        String stem = b.relu6(b.batchNorm(b.conv(x, ConvSpec.same(16, 3).withStride(2).withoutBias())));
        String expand = b.relu6(b.conv(stem, ConvSpec.of(32, 1)));
        String wide = b.relu(b.conv(expand, ConvSpec.same(32, 3)));      // 32 -> 32, 3x3 on 16x16: Winograd
        String depthwise = b.relu6(b.conv(wide, ConvSpec.same(32, 3).withGroups(32)));
        String project = b.conv(depthwise, ConvSpec.of(16, 1));
        String residual = b.add(project, stem);
        String pooled = b.maxPool(residual, 2, 2);
        String grouped = b.relu(b.conv(pooled, ConvSpec.same(24, 3).withGroups(4)));
        String down = b.relu6(b.conv(grouped, ConvSpec.same(24, 3).withStride(2).withGroups(24)));
        String features = b.flatten(b.globalAvgPool(down));
        return b.output(b.softmax(b.dense(features, 10))).build();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aSteadyStateInferenceAllocatesNothing(int threads) {
        Plan plan = Plan.compile(mobileBlocks(), Map.of("input", Shape.of(1, 3, 32, 32)),
                PlanOptions.inference().withThreads(threads));
        Tensor input = Tensor.zeros(1, 3, 32, 32);
        Random r = new Random(5);
        float[] d = input.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = 2 * r.nextFloat() - 1;
        }
        float[] first = plan.runSingle(input).toFloatArray();

        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = poolAndCaller();
        long best = Long.MAX_VALUE;
        for (int round = 0; round < MAX_ROUNDS && best > BUDGET; round++) {
            long before = sum(mx.getThreadAllocatedBytes(ids));
            for (int i = 0; i < RUNS_PER_ROUND; i++) {
                plan.runSingle(input);
            }
            best = Math.min(best, (sum(mx.getThreadAllocatedBytes(ids)) - before) / RUNS_PER_ROUND);
        }
        assertThat(best).as("bytes allocated per inference at %d thread(s), best round", threads)
                .isLessThanOrEqualTo(BUDGET);
        assertThat(plan.runSingle(input).toFloatArray()).as("the runs still compute the same thing")
                .containsExactly(first);
    }

    /** The calling thread and the engine's pool threads. */
    private static long[] poolAndCaller() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith("minnow-worker-"))
                .mapToLong(Thread::getId).toArray();
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += v;
        }
        return s;
    }
}
