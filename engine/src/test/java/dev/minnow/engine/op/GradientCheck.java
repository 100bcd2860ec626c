package dev.minnow.engine.op;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Checks an op's {@link Op#backward} against central finite differences of its {@link Op#forward}.
 *
 * <p>The scalar being differentiated is {@code L = sum over float outputs o of sum_i w_o[i] * y_o[i]},
 * summed in double, with fixed random weights {@code w} (so every output element matters, with a
 * different weight), so {@code dL/dy_o = w_o}. The analytic gradient is what {@code backward}
 * adds into gradient tensors pre-filled with known values, which are then subtracted (an op that
 * overwrites instead of adding fails). The numerical gradient of each element {@code x_e} of each
 * checked input is
 * <pre>
 *   (L(x_e + h) - L(x_e - h)) / ((x_e + h) - (x_e - h))      (the perturbed values rounded to float)
 * </pre>
 * with every input restored from a snapshot before each evaluation, so ops that update inputs in
 * place (BatchNormalization's running statistics in training mode) and ops whose output depends
 * on every input (batch statistics) are evaluated exactly as the analytic pass saw them. Each
 * evaluation re-runs forward on the same context and in the same mode ({@link #training}).
 * Non-float inputs (a Reshape's shape, Pad's pads, Gather's indices) are never differentiated and
 * reach {@link Op#inferOutputs} as constants, as they would in a planned graph.
 *
 * <p>The pair passes when {@code |analytic - numeric| <= abs + rel * max(|analytic|, |numeric|)}.
 * Central differences are exact for piecewise-linear ops away from their kinks and have an
 * {@code O(h^2)} error otherwise; float rounding adds roughly {@code 1e-7 * |y| / h} per affected
 * output. Inputs must avoid non-differentiable points by at least {@code h} (see
 * {@link #awayFromZero} and {@link #distinct}).
 *
 * <pre>
 *   GradientCheck.of(Conv.of2d(3, 2, 1)).check(x, w, b);
 *   GradientCheck.of(new BatchNormalization()).training(true).skip(3, 4).check(x, scale, bias, mean, var);
 * </pre>
 */
public final class GradientCheck {
    private final Op op;
    private boolean training;
    private double step = 1e-2;
    private double absTolerance = 1e-3;
    private double relTolerance = 1e-2;
    private long seed = 12345;
    private int threads = 2;
    private final Set<Integer> skipped = new HashSet<>();

    private GradientCheck(Op op) {
        this.op = op;
    }

    public static GradientCheck of(Op op) {
        return new GradientCheck(op);
    }

    /** Runs forward and backward with {@link ExecutionContext#training()} set (default off). */
    public GradientCheck training(boolean on) {
        this.training = on;
        return this;
    }

    /** The finite-difference step {@code h} (default 1e-2). */
    public GradientCheck step(double h) {
        this.step = h;
        return this;
    }

    /** Absolute and relative tolerance (defaults 1e-3 and 1e-2). */
    public GradientCheck tolerance(double abs, double rel) {
        this.absTolerance = abs;
        this.relTolerance = rel;
        return this;
    }

    /** Seed of the output weights {@code w} (default 12345). */
    public GradientCheck seed(long s) {
        this.seed = s;
        return this;
    }

    /** Threads of the execution context (default 2, so parallel kernels run split). */
    public GradientCheck threads(int n) {
        this.threads = n;
        return this;
    }

    /** Inputs not to check (their gradient is neither requested nor compared). */
    public GradientCheck skip(int... inputIndices) {
        for (int i : inputIndices) {
            skipped.add(i);
        }
        return this;
    }

    /**
     * Compares analytic and numerical gradients of every float input that is not skipped and
     * throws an {@link AssertionError} listing the worst mismatches. The inputs are left as given.
     *
     * @return the number of gradient elements compared
     */
    public int check(Tensor... inputs) {
        boolean any = false;
        for (int i = 0; i < inputs.length; i++) {
            any |= checked(inputs, i);
        }
        if (!any) {
            throw new AssertionError("gradient check of " + op + " would compare nothing: no float input left to check");
        }
        Tensor[] snapshot = new Tensor[inputs.length];
        List<ValueInfo> infos = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            snapshot[i] = inputs[i] == null ? null : inputs[i].copy();
            // integer inputs (shapes, axes, pads, indices) are settings, known when planning as in a graph
            infos.add(inputs[i] == null ? null : inputs[i].type() == DataType.FLOAT
                    ? ValueInfo.of(inputs[i].type(), inputs[i].shape()) : ValueInfo.constant(inputs[i]));
        }
        List<ValueInfo> outInfos = op.inferOutputs(infos);
        Tensor[] outputs = new Tensor[outInfos.size()];
        Tensor[] weights = new Tensor[outInfos.size()];
        Random r = new Random(seed);
        for (int o = 0; o < outputs.length; o++) {
            outputs[o] = Tensor.zeros(outInfos.get(o).shape(), outInfos.get(o).type());
            if (outInfos.get(o).type() == DataType.FLOAT) {
                weights[o] = gaussian(r, outInfos.get(o).shape());
            }
        }
        ExecutionContext ctx = ExecutionContext.standalone(threads);
        ctx.setTraining(training);

        // analytic: gradients pre-filled with a marker that must survive (backward adds)
        Tensor[] grads = new Tensor[inputs.length];
        float[][] prefill = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            if (checked(inputs, i)) {
                grads[i] = Tensor.zeros(inputs[i].shape());
                prefill[i] = new float[inputs[i].size()];
                for (int e = 0; e < prefill[i].length; e++) {
                    prefill[i][e] = (float) (r.nextInt(7) - 3) * 0.25f;
                    grads[i].data()[grads[i].offset() + e] = prefill[i][e];
                }
            }
        }
        restore(inputs, snapshot);
        op.forward(inputs, outputs, ctx);
        op.backward(inputs, outputs, weights, grads, ctx);

        List<String> failures = new ArrayList<>();
        double worst = 0;
        int compared = 0;
        for (int i = 0; i < inputs.length; i++) {
            if (!checked(inputs, i)) {
                continue;
            }
            float[] x = inputs[i].data();
            int at = inputs[i].offset();
            for (int e = 0; e < inputs[i].size(); e++) {
                double analytic = grads[i].data()[grads[i].offset() + e] - (double) prefill[i][e];
                float original = snapshot[i].data()[snapshot[i].offset() + e];
                float plus = (float) (original + step);
                float minus = (float) (original - step);
                restore(inputs, snapshot);
                x[at + e] = plus;
                double lossPlus = loss(inputs, outputs, weights, ctx);
                restore(inputs, snapshot);
                x[at + e] = minus;
                double lossMinus = loss(inputs, outputs, weights, ctx);
                double numeric = (lossPlus - lossMinus) / ((double) plus - (double) minus);
                double error = Math.abs(analytic - numeric);
                double allowed = absTolerance + relTolerance * Math.max(Math.abs(analytic), Math.abs(numeric));
                compared++;
                if (!(error <= allowed)) {
                    worst = Math.max(worst, error / allowed);
                    if (failures.size() < 10) {
                        failures.add(String.format(Locale.ROOT, "input %d %s element %d: analytic %.6g, numeric %.6g",
                                i, inputs[i].shape(), e, analytic, numeric));
                    }
                }
            }
        }
        restore(inputs, snapshot);
        if (!failures.isEmpty()) {
            throw new AssertionError("gradient check of " + op + (training ? " (training)" : "") + " failed (worst "
                    + String.format(Locale.ROOT, "%.1f", worst) + "x the tolerance " + absTolerance + " + "
                    + relTolerance + " * |g|, h = " + step + "):\n  " + String.join("\n  ", failures));
        }
        return compared;
    }

    private boolean checked(Tensor[] inputs, int i) {
        return inputs[i] != null && inputs[i].type() == DataType.FLOAT && !skipped.contains(i);
    }

    private double loss(Tensor[] inputs, Tensor[] outputs, Tensor[] weights, ExecutionContext ctx) {
        op.forward(inputs, outputs, ctx);
        double sum = 0;
        for (int o = 0; o < outputs.length; o++) {
            if (weights[o] == null) {
                continue;
            }
            float[] y = outputs[o].data();
            float[] w = weights[o].data();
            for (int k = 0; k < outputs[o].size(); k++) {
                sum += (double) w[weights[o].offset() + k] * y[outputs[o].offset() + k];
            }
        }
        return sum;
    }

    private static void restore(Tensor[] inputs, Tensor[] snapshot) {
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null) {
                inputs[i].copyFrom(snapshot[i]);
            }
        }
    }

    /** Standard normal values. */
    public static Tensor gaussian(Random r, Shape shape) {
        float[] v = new float[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(shape, v);
    }

    public static Tensor gaussian(Random r, int... dims) {
        return gaussian(r, Shape.of(dims));
    }

    /** Uniform values in {@code [low, high)} (positive variances, BN scales). */
    public static Tensor uniform(Random r, double low, double high, int... dims) {
        Shape shape = Shape.of(dims);
        float[] v = new float[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (low + (high - low) * r.nextDouble());
        }
        return Tensor.of(shape, v);
    }

    /**
     * Normal values pushed at least {@code margin} away from 0 ({@code sign(g) * (margin + |g|)}),
     * for ops with a kink at 0 such as ReLU.
     */
    public static Tensor awayFromZero(Random r, double margin, int... dims) {
        Shape shape = Shape.of(dims);
        float[] v = new float[shape.size()];
        for (int i = 0; i < v.length; i++) {
            double g = r.nextGaussian();
            v[i] = (float) (Math.copySign(margin, g) + g);
        }
        return Tensor.of(shape, v);
    }

    /**
     * All elements distinct and at least {@code gap} apart, in random order, centred on 0: a
     * shuffled {@code (k - size/2) * gap}. Perturbing one element by less than {@code gap/2} never
     * changes which element of any set is the largest (max pooling stays away from ties).
     */
    public static Tensor distinct(Random r, double gap, int... dims) {
        Shape shape = Shape.of(dims);
        int n = shape.size();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((i - n / 2.0) * gap);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return Tensor.of(shape, v);
    }
}
