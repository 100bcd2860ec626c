package dev.minnow.compression.lowrank;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.SlidingWindow;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A 2-D convolution {@code W [C_out, C_in, kh, kw]} as a chain of thinner convolutions, from a
 * Tucker-2 or a CP decomposition of its kernel. Both work because a convolution is linear in W:
 * a kernel that is a sum of products of factors is a sequence of convolutions by those factors.
 * The input is {@code C_in x H x W}, the output {@code C_out x H' x W'}.
 *
 * <p><b>Tucker-2</b> (Kim et al. 2016; {@link Tucker2}):
 * {@code W[o,i,y,x] = sum_{a,b} U_out[o,a] G[a,b,y,x] U_in[i,b]} becomes
 * <pre>
 *   1x1 conv C_in -> R_in (U_in^T)  ->  kh x kw conv R_in -> R_out (the core G, the layer's stride,
 *   pads and dilation)  ->  1x1 conv R_out -> C_out (U_out, the layer's bias)
 *   params  C_in R_in + R_in R_out kh kw + R_out C_out          (+ C_out bias)
 *   MACs    C_in R_in H W + R_in R_out kh kw H' W' + R_out C_out H' W'
 * </pre>
 * against {@code C_out C_in kh kw} params and {@code C_out C_in kh kw H' W'} MACs. The first 1x1
 * runs before the padding, which is fine: projecting zeros gives zeros (no bias there).
 *
 * <p><b>CP</b> (Lebedev et al. 2015; {@link CpDecomposition}):
 * {@code W[o,i,y,x] = sum_r A[o,r] B[i,r] C[y,r] D[x,r]} (the weights lambda spread evenly over the
 * four factors, {@code lambda^1/4} each) becomes
 * <pre>
 *   1x1 conv C_in -> R (B^T)  ->  kh x 1 depthwise conv over R channels (C; the vertical stride,
 *   pads, dilation)  ->  1 x kw depthwise conv (D; the horizontal ones)  ->  1x1 conv R -> C_out (A, bias)
 *   params  R (C_in + kh + kw + C_out)                          (+ C_out bias)
 *   MACs    R C_in H W + R kh H' W + R kw H' W' + R C_out H' W'
 * </pre>
 *
 * <p>Only ordinary convolutions ({@code group = 1}) with a 2-D kernel held in a float initializer
 * are decomposed: a grouped or depthwise convolution is already a structured factorization, and
 * is refused with a message. A fused activation moves to the last convolution.
 */
public final class ConvFactorization {
    private ConvFactorization() {
    }

    /** Why {@code node} cannot be decomposed, or null when it can. */
    static String whyNot(Graph g, Node node) {
        if (!(node.op() instanceof Conv conv)) {
            return "node " + node.describe() + " is not a convolution";
        }
        if (conv.group() != 1) {
            return "node " + node.describe() + " has group " + conv.group() + ": Tucker-2 and CP decompose ordinary"
                    + " convolutions only (group = 1)";
        }
        Tensor w = g.initializer(node.input(1));
        if (w == null || w.type() != DataType.FLOAT || w.rank() != 4) {
            return "node " + node.describe() + " does not read a 2-D kernel [C_out, C_in, kh, kw] from a float"
                    + " initializer";
        }
        if (g.initializer(node.input(0)) != null) {
            return "node " + node.describe() + " convolves a constant";
        }
        return null;
    }

    /** True for a 1x1 kernel, a matrix over channels that Tucker-2 or CP cannot shrink further than an SVD. */
    static boolean isPointwise(Graph g, Node node) {
        Shape s = g.initializer(node.input(1)).shape();
        return s.dim(2) == 1 && s.dim(3) == 1;
    }

    /** Tucker-2 parameters (weights, plus {@code cOut} biases when there is one). */
    public static long tuckerParameters(int cOut, int cIn, int kh, int kw, int rOut, int rIn, boolean bias) {
        return (long) cIn * rIn + (long) rIn * rOut * kh * kw + (long) rOut * cOut + (bias ? cOut : 0);
    }

    /** CP parameters (weights, plus {@code cOut} biases when there is one). */
    public static long cpParameters(int cOut, int cIn, int kh, int kw, int rank, boolean bias) {
        return (long) rank * (cIn + kh + kw + cOut) + (bias ? cOut : 0);
    }

    static LayerRewrite tucker(Graph g, Graph.Builder names, Node node, RankRule outRule, RankRule inRule) {
        Tensor wt = g.initializer(node.input(1));
        int cOut = wt.shape().dim(0);
        int cIn = wt.shape().dim(1);
        int kh = wt.shape().dim(2);
        int kw = wt.shape().dim(3);
        double[] w = toDouble(wt);
        Tucker2 t = Tucker2.decompose(w, cOut, cIn, kh, kw, outRule, inRule);
        int rIn = t.rIn();
        int rOut = t.rOut();
        float[] first = new float[rIn * cIn];
        for (int b = 0; b < rIn; b++) {
            for (int i = 0; i < cIn; i++) {
                first[b * cIn + i] = (float) t.inFactor()[i * rIn + b];
            }
        }
        float[] last = new float[cOut * rOut];
        for (int o = 0; o < cOut * rOut; o++) {
            last[o] = (float) t.outFactor()[o];
        }
        Conv conv = (Conv) node.op();
        Chain c = new Chain(g, names, node, "tucker");
        String h1 = c.hidden("in");
        String h2 = c.hidden("core");
        c.add("in", new Conv(SlidingWindow.of(1, 1), 1), node.input(0), Tensor.of(Shape.of(rIn, cIn, 1, 1), first), h1);
        c.add("core", new Conv(conv.window(), 1), h1, Tensor.of(Shape.of(rOut, rIn, kh, kw), toFloat(t.core())), h2);
        c.addLast("out", new Conv(SlidingWindow.of(1, 1), 1, conv.activation()), h2,
                Tensor.of(Shape.of(cOut, rOut, 1, 1), last));
        double[] kept = t.keptEnergy();
        return c.rewrite("tucker2", new int[] {rIn, rOut}, t.relativeError(w), Math.min(kept[0], kept[1]), 0);
    }

    static LayerRewrite cp(Graph g, Graph.Builder names, Node node, LowRankMethod.Cp method) {
        Tensor wt = g.initializer(node.input(1));
        int cOut = wt.shape().dim(0);
        int cIn = wt.shape().dim(1);
        int kh = wt.shape().dim(2);
        int kw = wt.shape().dim(3);
        int r = method.rank();
        CpDecomposition cp = CpDecomposition.decompose(toDouble(wt), new int[] {cOut, cIn, kh, kw}, r,
                method.iterations(), method.tolerance(), method.seed());
        double[] scale = new double[r];
        for (int j = 0; j < r; j++) {
            scale[j] = Math.pow(cp.weights()[j], 0.25);
        }
        float[] first = new float[r * cIn];
        float[] vertical = new float[r * kh];
        float[] horizontal = new float[r * kw];
        float[] last = new float[cOut * r];
        for (int j = 0; j < r; j++) {
            for (int i = 0; i < cIn; i++) {
                first[j * cIn + i] = (float) (scale[j] * cp.factor(1, i, j));
            }
            for (int y = 0; y < kh; y++) {
                vertical[j * kh + y] = (float) (scale[j] * cp.factor(2, y, j));
            }
            for (int x = 0; x < kw; x++) {
                horizontal[j * kw + x] = (float) (scale[j] * cp.factor(3, x, j));
            }
            for (int o = 0; o < cOut; o++) {
                last[o * r + j] = (float) (scale[j] * cp.factor(0, o, j));
            }
        }
        Conv conv = (Conv) node.op();
        SlidingWindow win = conv.window();
        SlidingWindow.AutoPad auto = win.autoPad();
        int[] pads = conv.attributes().getInts("pads", new int[4]);
        boolean explicit = auto == SlidingWindow.AutoPad.NOTSET;
        SlidingWindow verticalWindow = new SlidingWindow(new int[] {kh, 1}, new int[] {win.stride(0), 1},
                explicit ? new int[] {pads[0], 0, pads[2], 0} : null, new int[] {win.dilation(0), 1}, auto, false);
        SlidingWindow horizontalWindow = new SlidingWindow(new int[] {1, kw}, new int[] {1, win.stride(1)},
                explicit ? new int[] {0, pads[1], 0, pads[3]} : null, new int[] {1, win.dilation(1)}, auto, false);
        Chain c = new Chain(g, names, node, "cp");
        String h1 = c.hidden("in");
        String h2 = c.hidden("vertical");
        String h3 = c.hidden("horizontal");
        c.add("in", new Conv(SlidingWindow.of(1, 1), 1), node.input(0), Tensor.of(Shape.of(r, cIn, 1, 1), first), h1);
        c.add("vertical", new Conv(verticalWindow, r), h1, Tensor.of(Shape.of(r, 1, kh, 1), vertical), h2);
        c.add("horizontal", new Conv(horizontalWindow, r), h2, Tensor.of(Shape.of(r, 1, 1, kw), horizontal), h3);
        c.addLast("out", new Conv(SlidingWindow.of(1, 1), 1, conv.activation()), h3,
                Tensor.of(Shape.of(cOut, r, 1, 1), last));
        return c.rewrite("cp", new int[] {r}, cp.relativeError(), Double.NaN, cp.iterations());
    }

    /** The chain being built for one convolution: node and tensor names, weights, and the bias at the end. */
    private static final class Chain {
        private final Graph g;
        private final Graph.Builder names;
        private final Node node;
        private final String prefix;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Tensor> inits = new LinkedHashMap<>();
        private long weightsAfter;
        private long biasSize;

        Chain(Graph g, Graph.Builder names, Node node, String method) {
            this.g = g;
            this.names = names;
            this.node = node;
            this.prefix = node.name() + "." + method + "_";
        }

        String hidden(String step) {
            return names.freshName(prefix + step + "_out");
        }

        void add(String step, Conv op, String input, Tensor weight, String output) {
            String name = names.freshName(prefix + step);
            String w = names.freshName(name + ".weight");
            inits.put(w, weight);
            weightsAfter += weight.size();
            nodes.add(new Node(name, op, List.of(input, w), List.of(output)));
        }

        /** The last convolution: it takes the layer's bias (a copy) and writes the layer's outputs. */
        void addLast(String step, Conv op, String input, Tensor weight) {
            String name = names.freshName(prefix + step);
            String w = names.freshName(name + ".weight");
            inits.put(w, weight);
            weightsAfter += weight.size();
            List<String> ins = new ArrayList<>(List.of(input, w));
            if (!node.input(2).isEmpty()) {
                ins.add(node.input(2));
                Tensor bias = g.initializer(node.input(2));
                if (bias != null) {
                    inits.put(node.input(2), bias.copy());
                    biasSize = bias.size();
                }
            }
            nodes.add(new Node(name, op, ins, node.outputs()));
        }

        LayerRewrite rewrite(String method, int[] ranks, double error, double kept, int iterations) {
            long before = g.initializer(node.input(1)).size() + biasSize;
            return new LayerRewrite(node.name(), nodes, inits, List.of(node.input(1)), method, ranks, error, kept,
                    iterations, before, weightsAfter + biasSize);
        }
    }

    static double[] toDouble(Tensor t) {
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
