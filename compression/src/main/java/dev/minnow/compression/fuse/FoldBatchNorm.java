package dev.minnow.compression.fuse;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Folds an inference-mode BatchNormalization into the Conv or Gemm that feeds it. At inference BN
 * is an affine map per channel c (Ioffe &amp; Szegedy 2015),
 * <pre>
 *   BN(y)[c] = gamma[c] * (y[c] - mean[c]) / sqrt(var[c] + eps) + beta[c] = a[c] * y[c] + (beta[c] - a[c] * mean[c])
 *   a[c]     = gamma[c] / sqrt(var[c] + eps)
 * </pre>
 * and a convolution is linear in its weights, so BN(conv(x; w, b)) = conv(x; w', b') with
 * <pre>
 *   w'[c, ...] = w[c, ...] * a[c]                    (every weight of output channel c)
 *   b'[c]      = (b[c] - mean[c]) * a[c] + beta[c]   (b = 0 for a convolution without bias)
 * </pre>
 * For {@code Gemm} ({@code Y = alpha * op(A) op(B) + beta_g * C}, BN over Y's columns), column n
 * of {@code op(B)} is scaled by {@code a[n]} and the new bias is
 * {@code C'[n] = (beta_g * C[n] - mean[n]) * a[n] + beta[n]} with {@code beta_g = 1} afterwards.
 * The factors are computed in double precision; the result differs from the unfolded graph only
 * by float rounding.
 *
 * <p>Conditions (otherwise the pair is left alone): the BN is in inference form (no
 * {@code training_mode}, only its first output used) with constant scale, shift, mean and
 * variance; the producer is a Conv or Gemm without a fused activation, with constant weights
 * (and bias); and the producer's output is read by the BN alone and is not a graph output, since
 * anyone else would see the changed values. Weights shared with other nodes are copied, never
 * changed in place.
 */
public final class FoldBatchNorm implements GraphPass {

    @Override
    public String name() {
        return "fold-batchnorm";
    }

    /** Every match is disjoint from the others (one BN per producer), so all are rewritten in one sweep. */
    @Override
    public PassResult apply(Graph graph) {
        Graph.Builder b = graph.toBuilder();
        List<String> changes = new ArrayList<>();
        for (Node bn : graph.nodes()) {
            Node producer = foldableProducer(graph, bn);
            if (producer != null) {
                fold(graph, b, producer, bn, changes);
            }
        }
        return PassResult.exact(changes.isEmpty() ? graph : b.build(), changes);
    }

    /** The Conv or Gemm that {@code bn} can be folded into, or null. */
    private static Node foldableProducer(Graph g, Node bn) {
        if (!(bn.op() instanceof BatchNormalization op) || op.trainingMode()) {
            return null;
        }
        for (int o = 1; o < bn.outputs().size(); o++) {
            String extra = bn.outputs().get(o);
            if (!extra.isEmpty() && (!g.consumers(extra).isEmpty() || GraphEdits.isGraphOutput(g, extra))) {
                return null;
            }
        }
        for (int i = 1; i <= 4; i++) {
            Tensor t = g.initializer(bn.input(i));
            if (t == null || t.type() != DataType.FLOAT) {
                return null;
            }
        }
        Node p = g.producer(bn.input(0));
        if (p == null || !GraphEdits.readOnlyBy(g, bn.input(0), bn)) {
            return null;
        }
        boolean convLike = p.op() instanceof Conv c && c.activation() == null
                || p.op() instanceof Gemm gm && gm.activation() == null;
        if (!convLike || g.initializer(p.input(1)) == null) {
            return null;
        }
        return p.input(2).isEmpty() || g.initializer(p.input(2)) != null ? p : null;
    }

    /** a[c] = gamma[c] / sqrt(var[c] + eps) and the shift beta[c] - a[c] * mean[c] folded with the old bias. */
    private static void fold(Graph g, Graph.Builder b, Node p, Node bn, List<String> changes) {
        float eps = ((BatchNormalization) bn.op()).epsilon();
        float[] gamma = g.initializer(bn.input(1)).toFloatArray();
        float[] beta = g.initializer(bn.input(2)).toFloatArray();
        float[] mean = g.initializer(bn.input(3)).toFloatArray();
        float[] var = g.initializer(bn.input(4)).toFloatArray();
        int channels = gamma.length;
        if (beta.length != channels || mean.length != channels || var.length != channels) {
            return;
        }
        double[] a = new double[channels];
        for (int c = 0; c < channels; c++) {
            a[c] = gamma[c] / Math.sqrt((double) var[c] + eps);
        }
        Tensor w = g.initializer(p.input(1));
        Tensor bias = p.input(2).isEmpty() ? null : g.initializer(p.input(2));
        Tensor newW;
        Tensor newB;
        Node folded;
        if (p.op() instanceof Conv) {
            if (w.rank() < 3 || w.shape().dim(0) != channels || bias != null && bias.size() != channels) {
                return;
            }
            newW = scaleRows(w, a);
            newB = Tensor.zeros(channels);
            for (int c = 0; c < channels; c++) {
                double old = bias == null ? 0 : bias.get(c);
                newB.data()[c] = (float) ((old - mean[c]) * a[c] + beta[c]);
            }
            folded = p;
        } else {
            Gemm gemm = (Gemm) p.op();
            if (w.rank() != 2 || w.shape().dim(gemm.transB() ? 0 : 1) != channels) {
                return;
            }
            double[] c0 = gemmBias(bias, channels);
            if (c0 == null) {
                return; // C depends on the row (batch): not a per-feature bias
            }
            newW = gemm.transB() ? scaleRows(w, a) : scaleColumns(w, a);
            newB = Tensor.zeros(channels);
            for (int n = 0; n < channels; n++) {
                newB.data()[n] = (float) ((gemm.beta() * c0[n] - mean[n]) * a[n] + beta[n]);
            }
            folded = p.withOp(new Gemm(gemm.alpha(), 1f, gemm.transA(), gemm.transB()));
        }
        String wName = newName(g, b, p, p.input(1), "weight");
        String bName = p.input(2).isEmpty() ? b.freshName(p.name() + ".bias") : newName(g, b, p, p.input(2), "bias");
        b.initializer(wName, newW);
        b.initializer(bName, newB);
        b.removeNode(bn.name());
        b.replaceNode(new Node(p.name(), folded.op(), List.of(p.input(0), wName, bName), List.of(bn.output())));
        GraphEdits.dropUnreadInitializers(b, bn.inputs().subList(1, bn.inputs().size()));
        changes.add(String.format(Locale.ROOT, "folded %s into %s (%d channels, eps %s)", bn.describe(), p.describe(),
                channels, eps));
    }

    /** The tensor's own name when {@code p} alone reads it (it is then replaced), else a fresh one. */
    private static String newName(Graph g, Graph.Builder b, Node p, String tensor, String kind) {
        return GraphEdits.readElsewhere(g, tensor, p) ? b.freshName(p.name() + "." + kind + "_bn_folded") : tensor;
    }

    /** Gemm's C as one value per column, or null when it varies along the rows. */
    private static double[] gemmBias(Tensor c, int n) {
        double[] r = new double[n];
        if (c == null) {
            return r;
        }
        Shape s = c.shape();
        boolean perColumn = s.size() == 1 || s.size() == n && (s.rank() == 1 || s.rank() == 2 && s.dim(0) == 1);
        if (!perColumn) {
            return null;
        }
        for (int j = 0; j < n; j++) {
            r[j] = c.get(s.size() == 1 ? 0 : j);
        }
        return r;
    }

    /** {@code w[c, ...] * a[c]}: every element of row c (a filter, or a row of a [N, K] matrix). */
    private static Tensor scaleRows(Tensor w, double[] a) {
        Tensor r = w.copy();
        int per = w.size() / a.length;
        float[] d = r.data();
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < per; i++) {
                d[r.offset() + c * per + i] = (float) (d[r.offset() + c * per + i] * a[c]);
            }
        }
        return r;
    }

    /** {@code w[k, n] * a[n]}: the columns of a [K, N] matrix. */
    private static Tensor scaleColumns(Tensor w, double[] a) {
        Tensor r = w.copy();
        int n = a.length;
        float[] d = r.data();
        for (int i = 0; i < w.size(); i++) {
            d[r.offset() + i] = (float) (d[r.offset() + i] * a[i % n]);
        }
        return r;
    }
}
