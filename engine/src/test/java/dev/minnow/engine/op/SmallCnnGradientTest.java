package dev.minnow.engine.op;

import static dev.minnow.engine.op.GradientCheck.gaussian;
import static dev.minnow.engine.op.GradientCheck.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The backward pass of a whole planned graph, {@code Conv -> BatchNormalization (training) -> Relu ->
 * MaxPool -> flatten -> Gemm}, against central finite differences of the graph's output: every
 * element of every parameter (and of the input) is perturbed, the plan re-run in training mode, and
 * {@code L = sum w * y} compared.
 *
 * <p>ReLU and max pooling are piecewise linear: a finite difference is only the derivative when the
 * perturbation leaves every ReLU on the same side of 0 and every pooling window with the same
 * winner. The test watches both (the signs of the BN output and MaxPool's Indices output) and
 * skips the rare elements whose perturbation crosses a kink, requiring nearly all to be compared.
 */
class SmallCnnGradientTest {

    /** {@code [N, C, ...] -> [N, C * ...]}: a view, as the shape ops will provide (not under test here). */
    private static final class FlattenView implements Op {
        @Override
        public String opType() {
            return "Flatten";
        }

        @Override
        public Attributes attributes() {
            return Attributes.empty();
        }

        @Override
        public List<ValueInfo> inferOutputs(List<ValueInfo> inputs) {
            Shape s = inputs.get(0).shape();
            return List.of(ValueInfo.of(Shape.of(s.dim(0), s.size() / s.dim(0))));
        }

        @Override
        public void forward(Tensor[] in, Tensor[] out, ExecutionContext ctx) {
            out[0].copyFrom(in[0]);
        }

        @Override
        public void backward(Tensor[] in, Tensor[] out, Tensor[] dOut, Tensor[] dIn, ExecutionContext ctx) {
            for (int i = 0; i < dOut[0].size(); i++) {
                dIn[0].data()[dIn[0].offset() + i] += dOut[0].get(i);
            }
        }

        @Override
        public boolean hasBackward() {
            return true;
        }

        @Override
        public boolean isReshapeOfInput() {
            return true;
        }
    }

    @Test
    void parameterGradientsOfConvBatchNormReluMaxPoolGemmMatchFiniteDifferences() {
        Random r = new Random(2024);
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w1", gaussian(r, 4, 3, 3, 3));
        params.put("b1", gaussian(r, 4));
        params.put("scale", uniform(r, 0.5, 1.5, 4));
        params.put("shift", gaussian(r, 4));
        params.put("fc_w", gaussian(r, 5, 64));
        params.put("fc_b", gaussian(r, 5));
        Tensor runningMean = gaussian(r, 4);
        Tensor runningVar = uniform(r, 0.5, 1.5, 4);
        Graph.Builder b = Graph.builder("small-cnn").input("x", 2, 3, 7, 7)
                .initializer("mean", runningMean).initializer("var", runningVar);
        params.forEach(b::initializer);
        Graph graph = b
                .node("conv", Conv.of2d(3, 1, 1), List.of("x", "w1", "b1"), List.of("c"))
                .node("bn", new BatchNormalization(1e-5f, 0.9f), List.of("c", "scale", "shift", "mean", "var"),
                        List.of("n"))
                .node("relu", new Relu(), List.of("n"), List.of("a"))
                .node("pool", new MaxPool(SlidingWindow.of2d(3, 2, 1)), List.of("a"), List.of("p", "argmax"))
                .node("flatten", new FlattenView(), List.of("p"), List.of("f"))
                .node("fc", Gemm.linear(), List.of("f", "fc_w", "fc_b"), List.of("y"))
                .output("y").build();
        Plan plan = Plan.compile(graph, Map.of("x", Shape.of(2, 3, 7, 7)),
                PlanOptions.inference().withThreads(2).withReuseBuffers(false).withVariables(params.keySet()));
        plan.context().setTraining(true);
        Set<String> wrt = new java.util.HashSet<>(params.keySet());
        wrt.add("x");
        plan.requireGradients(wrt);
        assertThat(plan.info("p").shape()).isEqualTo(Shape.of(2, 4, 4, 4));

        Tensor x = gaussian(r, 2, 3, 7, 7);
        Tensor w = gaussian(r, 2, 5);
        Tensor meanBefore = runningMean.copy();
        Tensor varBefore = runningVar.copy();
        plan.run(x);
        assertThat(runningMean.contentEquals(meanBefore)).as("running mean updated in place by training").isFalse();
        Pattern base = Pattern.of(plan);
        plan.backward(Map.of("y", w));

        Map<String, Tensor> all = new LinkedHashMap<>(params);
        all.put("x", x);
        double h = 1e-2;
        int compared = 0;
        int skipped = 0;
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : all.entrySet()) {
            Tensor t = e.getValue();
            Tensor analytic = plan.gradient(e.getKey());
            for (int i = 0; i < t.size(); i++) {
                float original = t.data()[t.offset() + i];
                float plus = (float) (original + h);
                float minus = (float) (original - h);
                t.data()[t.offset() + i] = plus;
                double lossPlus = loss(plan, x, w, runningMean, meanBefore, runningVar, varBefore);
                boolean samePlus = base.equals(Pattern.of(plan));
                t.data()[t.offset() + i] = minus;
                double lossMinus = loss(plan, x, w, runningMean, meanBefore, runningVar, varBefore);
                boolean sameMinus = base.equals(Pattern.of(plan));
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
        assertThat(failures).as("gradient mismatches (%d compared)", compared).isEmpty();
        assertThat(skipped).as("elements whose perturbation crossed a ReLU or max-pool kink").isLessThan(compared / 20);
        assertThat(compared).isGreaterThan(700);
    }

    /** Runs the plan with the running statistics reset (they do not affect Y in training mode anyway). */
    private static double loss(Plan plan, Tensor x, Tensor w, Tensor mean, Tensor meanBefore, Tensor var,
            Tensor varBefore) {
        mean.copyFrom(meanBefore);
        var.copyFrom(varBefore);
        Tensor y = plan.run(x).get("y");
        double sum = 0;
        for (int i = 0; i < y.size(); i++) {
            sum += (double) w.get(i) * y.get(i);
        }
        return sum;
    }

    /** Which side of 0 every ReLU input is on, and which input won every pooling window. */
    private record Pattern(List<Boolean> positive, List<Long> winners) {
        static Pattern of(Plan plan) {
            List<Boolean> signs = new ArrayList<>();
            for (float v : plan.value("n").toFloatArray()) {
                signs.add(v > 0);
            }
            List<Long> winners = new ArrayList<>();
            for (long v : plan.value("argmax").toLongArray()) {
                winners.add(v);
            }
            return new Pattern(signs, winners);
        }
    }
}
