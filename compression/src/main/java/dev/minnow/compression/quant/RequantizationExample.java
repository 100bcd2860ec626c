package dev.minnow.compression.quant;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.kernel.FixedPointMultiplier;
import dev.minnow.engine.op.QGemm;
import dev.minnow.engine.op.QLinearConv;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The integer arithmetic of one quantized layer, worked through on a real input, for the docs and
 * for {@code minnow quantize --explain LAYER}: the scales {@code S1} (input), {@code S2} (weights
 * of output channel 0) and {@code S3} (output), the multiplier {@code M = S1 S2 / S3} and its
 * fixed-point form {@code M0, shift}, then output element 0 of channel 0 recomputed by hand,
 * <pre>
 *   acc = sum_k (q1[k] - Z1) * q2[k] + q_bias          (int32; q_bias = round(bias / (S1 S2)))
 *   q3  = Z3 + round(acc * M0 / 2^(31 + shift))         (saturated to the output type)
 * </pre>
 * and compared with what the layer actually wrote (Jacob et al. 2018, eqs. 4-7).
 */
public final class RequantizationExample {
    private RequantizationExample() {
    }

    /** The worked example for node {@code layer} (a QLinearConv without padding, or a QGemm) of {@code q}, on {@code input}. */
    public static List<String> explain(Graph q, String layer, Tensor input) {
        Node n = q.node(layer);
        if (n == null) {
            throw new IllegalArgumentException("no node '" + layer + "'; the quantized layers are "
                    + q.nodes().stream().filter(x -> x.op() instanceof QLinearConv || x.op() instanceof QGemm)
                    .map(Node::name).toList());
        }
        boolean conv = n.op() instanceof QLinearConv;
        if (!conv && !(n.op() instanceof QGemm)) {
            throw new IllegalArgumentException("node '" + layer + "' is a " + n.op().opType()
                    + "; the worked example needs a QLinearConv or a QGemm of a quantized graph");
        }
        // inputs: x, x_scale, x_zp, w, w_scale, w_zp, then QLinearConv: y_scale, y_zp, bias; QGemm: bias, y_scale, y_zp
        int yScale = conv ? 6 : 7;
        int yZero = conv ? 7 : 8;
        int biasAt = conv ? 8 : 6;
        float s1 = q.initializer(n.input(1)).get(0);
        int z1 = (int) q.initializer(n.input(2)).toLongArray()[0];
        Tensor w = q.initializer(n.input(3));
        float s2 = q.initializer(n.input(4)).get(0);
        float s3 = q.initializer(n.input(yScale)).get(0);
        Tensor zy = q.initializer(n.input(yZero));
        int z3 = (int) zy.toLongArray()[0];
        double m = s1 * s2 / s3; // in float, as the ops compute it
        FixedPointMultiplier fp = FixedPointMultiplier.of(m);

        Plan plan = Plan.compile(q, Map.of(q.inputs().get(0).name(), input.shape()),
                PlanOptions.inference().withThreads(1).withReuseBuffers(false));
        plan.run(input);
        Tensor x = plan.value(n.input(0));
        Tensor y = plan.value(n.output());
        long[] xq = x.toLongArray();
        byte[] wq = w.byteData();
        int k;
        long[] taps;
        if (conv) {
            Shape xs = x.shape();
            Shape ws = w.shape();
            Shape ys = y.shape();
            int kh = ws.dim(2);
            int kw = ws.dim(3);
            QLinearConv op = (QLinearConv) n.op();
            int stride = op.window().stride(0);
            if (op.group() != 1 || ys.dim(2) != (xs.dim(2) - kh) / stride + 1 || op.window().dilation(0) != 1) {
                throw new IllegalArgumentException("node '" + layer + "': the worked example covers convolutions"
                        + " without padding, dilation or groups");
            }
            k = ws.dim(1) * kh * kw;
            taps = new long[k];
            for (int c = 0, t = 0; c < ws.dim(1); c++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        taps[t++] = xq[(c * xs.dim(2) + i) * xs.dim(3) + j];
                    }
                }
            }
        } else {
            k = x.shape().dim(1);
            taps = new long[k];
            System.arraycopy(xq, 0, taps, 0, k);
            if (!((QGemm) n.op()).transB()) {
                throw new IllegalArgumentException("node '" + layer + "': the worked example covers QGemm with transB");
            }
        }
        long bias = n.input(biasAt).isEmpty() ? 0 : q.initializer(n.input(biasAt)).intData()[0];
        long acc = bias;
        for (int t = 0; t < k; t++) {
            acc += (taps[t] - z1) * wq[t];
        }
        int scaled = FixedPointMultiplier.multiply((int) acc, fp.m0(), fp.shift());
        boolean unsigned = zy.type() == DataType.UINT8;
        int q3 = Math.max(unsigned ? 0 : -128, Math.min(unsigned ? 255 : 127, z3 + scaled));
        long actual = y.toLongArray()[0];

        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "layer %s (%s), output channel 0, first output element", layer,
                n.op().opType()));
        lines.add(String.format(Locale.ROOT, "S1 (input)    = %.9g   Z1 = %d", s1, z1));
        lines.add(String.format(Locale.ROOT, "S2 (weights)  = %.9g   Z2 = 0 (symmetric; %s)", s2,
                q.initializer(n.input(4)).size() == 1 ? "per tensor" : "channel 0 of " + q.initializer(n.input(4)).size()));
        lines.add(String.format(Locale.ROOT, "S3 (output)   = %.9g   Z3 = %d", s3, z3));
        lines.add(String.format(Locale.ROOT, "M = S1 S2 / S3 = %.9g = M0 / 2^(31 + shift), M0 = %d (%.9f x 2^31),"
                + " shift = %d", m, fp.m0(), fp.m0() / (double) (1L << 31), fp.shift()));
        lines.add(String.format(Locale.ROOT, "bias: %d (int32 at scale S1 S2 = %.6g)", bias, (double) s1 * s2));
        lines.add(String.format(Locale.ROOT, "acc = bias + sum of %d products (q1 - Z1) q2 = %d", k, acc));
        lines.add(String.format(Locale.ROOT, "acc * M = %.4f -> round %d; + Z3 = %d; saturated: %d", acc * m, scaled,
                z3 + scaled, q3));
        lines.add(String.format(Locale.ROOT, "the layer wrote %d (real value S3 (q3 - Z3) = %.6f)", actual,
                s3 * (actual - z3)));
        if (actual != q3) {
            lines.add("MISMATCH: the hand computation and the layer disagree");
        }
        return lines;
    }
}
