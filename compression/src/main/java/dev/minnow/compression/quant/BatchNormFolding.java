package dev.minnow.compression.quant;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Dropout;
import dev.minnow.engine.op.Identity;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * STAND-IN, to be replaced by the fusion pass of {@code dev.minnow.compression.fuse} once it is
 * merged: the two inference clean-ups quantization needs first.
 *
 * <p><b>BN folding.</b> A convolution followed by batch normalisation is one affine map per output
 * channel, so the normalisation can live in the filter (Jacob et al. 2018, sec. 3.2; done before
 * quantizing, since BN's own scale would otherwise be quantized apart from the weights it
 * multiplies):
 * <pre>
 *   g = gamma / sqrt(var + eps)       W'[c] = g[c] * W[c]       b'[c] = g[c] * (b[c] - mean[c]) + beta[c]
 * </pre>
 * <b>Dropout</b> is the identity at inference and is removed.
 */
final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /** Folds every Conv -> BatchNormalization pair (the conv's only reader, constant parameters) and drops Dropout. */
    static Graph prepareForInference(Graph g) {
        return removeDropout(foldBatchNormIntoConv(g));
    }

    static Graph foldBatchNormIntoConv(Graph g) {
        Graph.Builder b = g.toBuilder();
        for (Node conv : g.nodes()) {
            if (!(conv.op() instanceof Conv c) || c.activation() != null) {
                continue;
            }
            List<Node> readers = g.consumers(conv.output());
            if (readers.size() != 1 || g.outputs().contains(conv.output())
                    || !(readers.get(0).op() instanceof BatchNormalization bn) || bn.trainingMode()) {
                continue;
            }
            Node bnNode = readers.get(0);
            Tensor w = g.initializer(conv.input(1));
            Tensor bias = conv.input(2).isEmpty() ? null : g.initializer(conv.input(2));
            Tensor gamma = g.initializer(bnNode.input(1));
            Tensor beta = g.initializer(bnNode.input(2));
            Tensor mean = g.initializer(bnNode.input(3));
            Tensor var = g.initializer(bnNode.input(4));
            if (w == null || (!conv.input(2).isEmpty() && bias == null) || gamma == null || beta == null
                    || mean == null || var == null || bnNode.outputs().size() > 1 && !bnNode.outputs().get(1).isEmpty()) {
                continue;
            }
            int channels = w.shape().dim(0);
            int per = w.size() / channels;
            float[] wf = w.toFloatArray();
            float[] bf = new float[channels];
            for (int oc = 0; oc < channels; oc++) {
                float scale = (float) (gamma.get(oc) / Math.sqrt(var.get(oc) + bn.epsilon()));
                for (int i = 0; i < per; i++) {
                    wf[oc * per + i] *= scale;
                }
                bf[oc] = scale * ((bias == null ? 0f : bias.get(oc)) - mean.get(oc)) + beta.get(oc);
            }
            String wName = b.freshName(conv.name() + ".weight_folded");
            String bName = b.freshName(conv.name() + ".bias_folded");
            b.initializer(wName, Tensor.of(w.shape(), wf));
            b.initializer(bName, Tensor.of(dev.minnow.engine.tensor.Shape.of(channels), bf));
            b.removeNode(bnNode.name());
            b.replaceNode(new Node(conv.name(), c, List.of(conv.input(0), wName, bName), List.of(bnNode.output())));
        }
        return dropUnusedInitializers(b.build());
    }

    static Graph removeDropout(Graph g) {
        Graph.Builder b = g.toBuilder();
        boolean changed = false;
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof Dropout)) {
                continue;
            }
            changed = true;
            if (g.outputs().contains(n.output())) {
                b.replaceNode(new Node(n.name(), new Identity(), List.of(n.input(0)), List.of(n.output())));
                continue;
            }
            b.removeNode(n.name());
            for (Node reader : g.consumers(n.output())) {
                b.replaceNode(rewire(currentNode(b, reader.name()), n.output(), n.input(0)));
            }
        }
        return changed ? dropUnusedInitializers(b.build()) : g;
    }

    /** The node of that name as the builder holds it now (earlier edits included). */
    static Node currentNode(Graph.Builder b, String name) {
        for (Node n : b.nodes()) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw new IllegalStateException("no node " + name);
    }

    /** {@code n} reading {@code to} wherever it read {@code from}. */
    static Node rewire(Node n, String from, String to) {
        List<String> in = new ArrayList<>(n.inputs());
        in.replaceAll(s -> s.equals(from) ? to : s);
        return new Node(n.name(), n.op(), in, n.outputs());
    }

    /** The graph without initializers no node reads (and that are not outputs). */
    static Graph dropUnusedInitializers(Graph g) {
        Graph.Builder b = g.toBuilder();
        for (String name : g.initializers().keySet()) {
            if (g.consumers(name).isEmpty() && !g.outputs().contains(name)) {
                b.removeInitializer(name);
            }
        }
        return b.build();
    }
}
