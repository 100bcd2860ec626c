package dev.minnow.engine.graph;

import static dev.minnow.engine.op.GradientCheck.gaussian;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Trainer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backward pass of a whole planned graph with a residual Add, a Concat, a Flatten (a view the
 * planner never runs forward, but whose backward runs) and a Dropout between two Gemms, built with
 * {@link ModelBuilder}:
 * <pre>
 *   x -&gt; conv1 -&gt; relu1 -&gt; conv2 -&gt; add1 (+ conv1) -+
 *                   |                                   +-&gt; concat1 -&gt; flatten1 -&gt; fc1
 *                   +-----------------------------------+
 *   fc1 -&gt; dropout1 -&gt; fc2 -&gt; y
 * </pre>
 * Every element of every parameter (and of the input) is perturbed, the plan re-run, and
 * {@code L = sum w * y} compared with the analytic gradient, as in {@code SmallCnnGradientTest}.
 * Dropout is checked off (inference mode: the identity) and on, with the context's random source
 * re-seeded before every run so that each evaluation draws the same mask (the finite difference
 * then sees the same function the backward pass differentiated). ReLU is piecewise linear: elements
 * whose perturbation moves a ReLU input across 0 are skipped and counted.
 */
class BranchyNetGradientTest {

    @ParameterizedTest(name = "dropout {0}")
    @ValueSource(strings = {"off", "on with a fixed mask"})
    void parameterGradientsMatchFiniteDifferencesOfTheWholeGraph(String dropout) {
        boolean training = dropout.startsWith("on");
        ModelBuilder b = new ModelBuilder("branchy", 31);
        String x = b.input("x", 2, 3, 5, 5);
        String c1 = b.conv(x, 4, 3, 1, 1);
        String a1 = b.relu(c1);
        String c2 = b.conv(a1, 4, 3, 1, 1);
        String res = b.add(c2, c1);
        String cat = b.concat(res, a1);
        String h = b.dense(b.flatten(cat), 6);
        Graph graph = b.output(b.dense(b.dropout(h, 0.4f), 3)).build();
        String y = graph.outputs().get(0);

        List<String> params = Trainer.trainableInitializers(graph);
        assertThat(params).containsExactly("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight",
                "fc1.bias", "fc2.weight", "fc2.bias");
        Plan plan = Plan.compile(graph, Map.of("x", Shape.of(2, 3, 5, 5)), PlanOptions.inference().withThreads(2)
                .withReuseBuffers(false).withVariables(new HashSet<>(params)).withSeed(5));
        plan.context().setTraining(training);
        Set<String> wrt = new HashSet<>(params);
        wrt.add("x");
        plan.requireGradients(wrt);
        assertThat(plan.runtimeNodes()).extracting(Node::name).contains("flatten1", "dropout1", "add1", "concat1");

        Random r = new Random(8);
        Tensor input = gaussian(r, 2, 3, 5, 5);
        Tensor w = gaussian(r, 2, 3);
        double base = loss(plan, input, w, y);
        List<Boolean> signs = signs(plan, c1);
        float[] dropped = plan.value("dropout1").toFloatArray();
        plan.backward(Map.of(y, w));
        if (training) {
            long zeros = 0;
            for (float v : dropped) {
                zeros += v == 0 ? 1 : 0;
            }
            assertThat(zeros).as("dropout dropped something").isPositive();
        }

        Map<String, Tensor> all = new LinkedHashMap<>();
        for (String p : params) {
            all.put(p, graph.initializer(p));
        }
        all.put("x", input);
        double step = 1e-2;
        int compared = 0;
        int skipped = 0;
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : all.entrySet()) {
            Tensor t = e.getValue();
            Tensor analytic = plan.gradient(e.getKey());
            assertThat(analytic).as("gradient of %s", e.getKey()).isNotNull();
            for (int i = 0; i < t.size(); i++) {
                float original = t.data()[t.offset() + i];
                float plus = (float) (original + step);
                float minus = (float) (original - step);
                t.data()[t.offset() + i] = plus;
                double lossPlus = loss(plan, input, w, y);
                boolean samePlus = signs.equals(signs(plan, c1));
                t.data()[t.offset() + i] = minus;
                double lossMinus = loss(plan, input, w, y);
                boolean sameMinus = signs.equals(signs(plan, c1));
                t.data()[t.offset() + i] = original;
                if (!samePlus || !sameMinus) {
                    skipped++;
                    continue;
                }
                compared++;
                double numeric = (lossPlus - lossMinus) / ((double) plus - minus);
                double a = analytic.get(i);
                if (!(Math.abs(a - numeric) <= 2e-3 + 1e-2 * Math.max(Math.abs(a), Math.abs(numeric)))) {
                    failures.add(String.format(Locale.ROOT, "%s[%d]: analytic %.6g, numeric %.6g", e.getKey(), i, a,
                            numeric));
                }
            }
        }
        assertThat(loss(plan, input, w, y)).as("parameters restored").isEqualTo(base);
        assertThat(failures).as("gradient mismatches (%d compared)", compared).isEmpty();
        // a weight of conv1 or an input pixel moves 50 ReLU inputs at once: about 6% of them cross
        assertThat(skipped).as("elements whose perturbation crossed a ReLU kink").isLessThan(compared / 10);
        assertThat(compared).isGreaterThan(1500);
    }

    /** Runs the plan with the random source re-seeded, so that every run draws the same dropout mask. */
    private static double loss(Plan plan, Tensor x, Tensor w, String output) {
        plan.context().random().setSeed(99);
        Tensor y = plan.run(x).get(output);
        double sum = 0;
        for (int i = 0; i < y.size(); i++) {
            sum += (double) w.get(i) * y.get(i);
        }
        return sum;
    }

    /** Which side of 0 every ReLU input is on. */
    private static List<Boolean> signs(Plan plan, String reluInput) {
        List<Boolean> s = new ArrayList<>();
        for (float v : plan.value(reluInput).toFloatArray()) {
            s.add(v > 0);
        }
        return s;
    }
}
