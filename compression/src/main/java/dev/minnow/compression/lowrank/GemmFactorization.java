package dev.minnow.compression.lowrank;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fully connected layer as two thinner ones, by truncated SVD (Denton et al. 2014, "Exploiting
 * Linear Structure Within Convolutional Networks for Efficient Evaluation"; Xue, Li &amp; Gong 2013
 * for speech models). With the layer {@code y = alpha W x + beta c}, {@code W [out, in]} and
 * {@code W = U S V^T}:
 * <pre>
 *   W  ~  W_k = U_k S_k V_k^T = (U_k S_k^1/2) (S_k^1/2 V_k^T)
 *   x --Gemm(in -> k, no bias: W_1 = S_k^1/2 V_k^T [k, in])--> h --Gemm(k -> out: W_2 = alpha U_k S_k^1/2 [out, k], beta c)--> y
 * </pre>
 * The square root of S goes to both factors so that they start at the same scale, which suits
 * fine-tuning both with one learning rate. By Eckart-Young no rank-k matrix is closer to W in the
 * Frobenius (or spectral) norm, and for every input {@code |y - y_k| <= sigma_{k+1} |x|}.
 *
 * <p><b>Cost</b> per input row (weights and MACs alike, plus {@code out} biases):
 * {@code in * out  ->  k (in + out)}, smaller exactly when {@code k < in out / (in + out)}. LeNet-5's
 * {@code fc1} (800 -> 500, 400,000 weights) at k = 64 keeps 83,200, 4.8x fewer.
 *
 * <p>The layer must be a {@code Gemm} with {@code transA = 0} reading its weight {@code B} from a
 * rank-2 float initializer (either layout, {@code transB} 0 or 1); a fused activation moves to the
 * second Gemm.
 */
public final class GemmFactorization {
    private GemmFactorization() {
    }

    /** Why {@code node} cannot be factorized, or null when it can. */
    static String whyNot(Graph g, Node node) {
        if (!(node.op() instanceof Gemm gemm)) {
            return "node " + node.describe() + " is not a fully connected layer (Gemm)";
        }
        if (gemm.transA()) {
            return "node " + node.describe() + " has transA = 1; SVD factorizes a Gemm whose A is the activation";
        }
        Tensor w = g.initializer(node.input(1));
        if (w == null || w.type() != DataType.FLOAT || w.rank() != 2) {
            return "node " + node.describe() + " does not read its weight B from a rank-2 float initializer";
        }
        if (g.initializer(node.input(0)) != null) {
            return "node " + node.describe() + " multiplies two constants";
        }
        return null;
    }

    /** {@code k (in + out)} weights, plus {@code out} biases when there is one: the factorized layer's parameters. */
    public static long parameters(int in, int out, int k, boolean bias) {
        return (long) k * (in + out) + (bias ? out : 0);
    }

    /** The rewrite of {@code node} at the rank {@code rule} chooses; names are reserved in {@code names}. */
    static LayerRewrite svd(Graph g, Graph.Builder names, Node node, RankRule rule) {
        Gemm gemm = (Gemm) node.op();
        Tensor b = g.initializer(node.input(1));
        int out = gemm.transB() ? b.shape().dim(0) : b.shape().dim(1);
        int in = gemm.transB() ? b.shape().dim(1) : b.shape().dim(0);
        double[] w = new double[out * in];
        float[] bd = b.toFloatArray();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                w[o * in + i] = (double) gemm.alpha() * (gemm.transB() ? bd[o * in + i] : bd[i * out + o]);
            }
        }
        JacobiSvd.Result svd = JacobiSvd.decompose(w, out, in);
        int k = rule.choose(svd.s(), out, in);
        float[] first = new float[k * in];
        float[] second = new float[out * k];
        for (int j = 0; j < k; j++) {
            double root = Math.sqrt(svd.s()[j]);
            for (int i = 0; i < in; i++) {
                first[j * in + i] = (float) (root * svd.v(i, j));
            }
            for (int o = 0; o < out; o++) {
                second[o * k + j] = (float) (svd.u(o, j) * root);
            }
        }
        String inNode = names.freshName(node.name() + ".svd_in");
        String outNode = names.freshName(node.name() + ".svd_out");
        String w1 = names.freshName(inNode + ".weight");
        String w2 = names.freshName(outNode + ".weight");
        String hidden = names.freshName(node.name() + ".svd_hidden");
        Map<String, Tensor> inits = new LinkedHashMap<>();
        inits.put(w1, Tensor.of(Shape.of(k, in), first));
        inits.put(w2, Tensor.of(Shape.of(out, k), second));
        List<String> secondInputs = new ArrayList<>(List.of(hidden, w2));
        long biasSize = 0;
        if (!node.input(2).isEmpty()) {
            secondInputs.add(node.input(2));
            Tensor c = g.initializer(node.input(2));
            if (c != null) {
                inits.put(node.input(2), c.copy());      // fine-tuning trains the copy, never the source graph's tensor
                biasSize = c.size();
            }
        }
        List<Node> chain = List.of(
                new Node(inNode, Gemm.linear(), List.of(node.input(0), w1), List.of(hidden)),
                new Node(outNode, new Gemm(1f, gemm.beta(), false, true, gemm.activation()), secondInputs,
                        node.outputs()));
        double error = Frobenius.relativeError(w, svd.reconstruct(k));
        return new LayerRewrite(node.name(), chain, inits, List.of(node.input(1)), "svd", new int[] {k}, error,
                RankRule.keptEnergy(svd.s(), k), svd.sweeps(), (long) out * in + biasSize,
                (long) k * (in + out) + biasSize);
    }
}
