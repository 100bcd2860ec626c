package dev.minnow.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InferenceSessionTest {

    @Test
    void eightThreadsTimesAHundredInferencesAllGetTheirOwnRightAnswer() throws Exception {
        Graph g = Sequential.create("net", 5, 3, 12, 12)
                .conv(ConvSpec.same(8, 3)).batchNorm().relu().maxPool(2, 2)
                .conv(ConvSpec.same(8, 3).withGroups(8)).relu()
                .flatten().dense(10).build();
        InferenceSession session = new InferenceSession(g);
        // reference answers, computed one at a time with a private plan
        int distinct = 16;
        List<Tensor> inputs = new ArrayList<>();
        List<Tensor> expected = new ArrayList<>();
        for (int i = 0; i < distinct; i++) {
            int batch = 1 + i % 3;
            Tensor x = Tensor.zeros(batch, 3, 12, 12);
            Init.uniform(x, 1, new Random(i));
            inputs.add(x);
            expected.add(Plan.compile(g, x.shape()).runSingle(x).copy());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    int checked = 0;
                    for (int k = 0; k < 100; k++) {
                        int i = (thread * 7 + k) % distinct;
                        Tensor y = session.run(inputs.get(i));
                        if (!y.contentEquals(expected.get(i))) {
                            throw new AssertionError("thread " + thread + " call " + k + " got a wrong answer for input " + i);
                        }
                        checked++;
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            assertThat(total).isEqualTo(800);
        } finally {
            pool.shutdownNow();
        }
    }
}
