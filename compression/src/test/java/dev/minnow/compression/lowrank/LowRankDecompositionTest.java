package dev.minnow.compression.lowrank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.op.SlidingWindow;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decomposed graphs against the layers they replace: at full rank the outputs agree within
 * float rounding; truncated, the chain computes exactly the layer with the approximated weights
 * (an independent one-node graph), within the Eckart-Young bound for SVD; parameter and MAC counts
 * are the formulas worked by hand.
 */
class LowRankDecompositionTest {

    // ---- SVD of fully connected layers ----------------------------------------------------------

    @Test
    void svdAtFullRankReproducesTheLayerForBothLayoutsWithAlphaBetaAndActivation() {
        Random rnd = new Random(1);
        for (boolean transB : new boolean[] {false, true}) {
            Graph g = Graph.builder("fc").input("x", Shape.UNKNOWN, 6)
                    .initializer("w", tensor(rnd, transB ? Shape.of(4, 6) : Shape.of(6, 4)))
                    .initializer("c", tensor(rnd, Shape.of(4)))
                    .node("fc", new Gemm(0.7f, 1.3f, false, transB), List.of("x", "w", "c"), List.of("y"))
                    .node("act", new Relu(), List.of("y"), List.of("z"))
                    .output("z").build();
            LowRankDecomposition.Result r = LowRankDecomposition.apply(g, new LowRankMethod.Svd(RankRule.rank(4)),
                    List.of("fc"));
            assertThat(r.graph().node("fc")).isNull();
            assertThat(r.graph().initializers()).doesNotContainKey("w");
            assertThat(r.layers().get(0).nodes()).containsExactly("fc.svd_in", "fc.svd_out");
            assertThat(r.layers().get(0).relativeError()).isLessThan(1e-14);
            assertSameOutputs(g, r.graph(), Shape.of(3, 6), 1e-5);
        }
    }

    @Test
    void truncatedSvdErrorIsTheDroppedSingularValues() {
        // W [4, 4] = H diag(4, 3, 2, 1) Q^T; at rank 2 each output row moves by at most sigma_3 |x| = 2 |x|
        double[] w = JacobiSvdTest.compose(JacobiSvdTest.hadamard4(), 4, new double[] {4, 3, 2, 1},
                JacobiSvdTest.householder(new double[] {1, 1, 0, 2}), 4);
        Graph g = Graph.builder("fc").input("x", 5, 4)
                .initializer("w", Tensor.of(Shape.of(4, 4), ConvFactorization.toFloat(w)))
                .node("fc", Gemm.linear(), List.of("x", "w"), List.of("y")).output("y").build();
        // rank 2 of a 4 x 4 matrix stores 2 (4 + 4) = 16 weights, as many as W: only an explicit request does it
        LowRankDecomposition.Result r = LowRankDecomposition.apply(g, new LowRankMethod.Svd(RankRule.rank(2)),
                List.of("fc"));
        LayerReport l = r.layers().get(0);
        assertThat(l.ranks()).containsExactly(2);
        assertThat(l.relativeError()).isCloseTo(Math.sqrt(5.0 / 30), within(1e-6));
        assertThat(l.keptEnergy()).isCloseTo(25.0 / 30, within(1e-6));
        Tensor x = tensor(new Random(2), Shape.of(5, 4));
        Tensor y = Plan.compile(g, Shape.of(5, 4)).runSingle(x).copy();
        Tensor yk = Plan.compile(r.graph(), Shape.of(5, 4)).runSingle(x);
        for (int row = 0; row < 5; row++) {
            double diff = 0;
            double norm = 0;
            for (int j = 0; j < 4; j++) {
                diff += Math.pow(y.get(row * 4 + j) - yk.get(row * 4 + j), 2);
                norm += Math.pow(x.get(row * 4 + j), 2);
            }
            assertThat(Math.sqrt(diff)).isLessThanOrEqualTo(2 * Math.sqrt(norm) + 1e-5);
        }
        // the energy rule: 0.8 <= 25/30 needs rank 2; 25/30 < 0.9 <= 29/30 needs rank 3
        assertThat(LowRankDecomposition.apply(g, new LowRankMethod.Svd(RankRule.energy(0.8)), List.of("fc")).layers()
                .get(0).ranks()).containsExactly(2);
        assertThat(LowRankDecomposition.apply(g, new LowRankMethod.Svd(RankRule.energy(0.9))).layers())
                .as("rank 3 of a 4 x 4 matrix would not be smaller").isEmpty();
    }

    @Test
    void svdCountsParametersAndMacsAsTheFormulaSays() {
        // fc 10 -> 8 with bias at rank 3: 3 (10 + 8) + 8 = 62 parameters, 3 * 10 + 8 * 3 = 54 MACs per row
        Graph g = Graph.builder("fc").input("x", Shape.UNKNOWN, 10)
                .initializer("w", tensor(new Random(3), Shape.of(8, 10)))
                .initializer("b", tensor(new Random(4), Shape.of(8)))
                .node("fc", Gemm.linear(), List.of("x", "w", "b"), List.of("y")).output("y").build();
        LayerReport l = LowRankDecomposition.apply(g, new LowRankMethod.Svd(RankRule.rank(3))).layers().get(0);
        assertThat(l.paramsBefore()).isEqualTo(88);
        assertThat(l.paramsAfter()).isEqualTo(62).isEqualTo(GemmFactorization.parameters(10, 8, 3, true));
        assertThat(l.macsBefore()).isEqualTo(80);
        assertThat(l.macsAfter()).isEqualTo(54);
        // params=0.25: k (10 + 8) <= 20, k = 1
        assertThat(LowRankDecomposition.apply(g, new LowRankMethod.Svd(RankRule.parameters(0.25))).layers().get(0)
                .ranks()).containsExactly(1);
    }

    // ---- Tucker-2 ---------------------------------------------------------------------------------

    @Test
    void tuckerAtFullRankReproducesAStridedPaddedDilatedConvolution() {
        SlidingWindow window = new SlidingWindow(new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0, 2, 1},
                new int[] {1, 2}, SlidingWindow.AutoPad.NOTSET, false);
        Graph g = conv(new Conv(window, 1), 6, 4, 3, 2, 9, 8, 5);
        LowRankDecomposition.Result r = LowRankDecomposition.apply(g, new LowRankMethod.Tucker(RankRule.channels(1)));
        assertThat(r.layers()).as("full rank does not shrink, so only an explicit request decomposes it").isEmpty();
        r = LowRankDecomposition.apply(g, new LowRankMethod.Tucker(RankRule.channels(1)), List.of("conv"));
        assertThat(r.layers().get(0).ranks()).containsExactly(4, 6);
        assertThat(r.layers().get(0).nodes()).containsExactly("conv.tucker_in", "conv.tucker_core", "conv.tucker_out");
        assertSameOutputs(g, r.graph(), Shape.of(2, 4, 9, 8), 1e-5);
    }

    @Test
    void truncatedTuckerComputesTheLayerWithTheHosvdKernel() {
        Graph g = conv(Conv.of2d(3, 1, 1), 8, 6, 3, 3, 7, 7, 6);
        LowRankDecomposition.Result r = LowRankDecomposition.apply(g,
                new LowRankMethod.Tucker(RankRule.rank(3), RankRule.rank(2)));
        // the reference: one ordinary convolution with W^ = G x_0 U_out x_1 U_in and the same bias
        double[] w = ConvFactorization.toDouble(g.initializer("w"));
        Tucker2 t = Tucker2.decompose(w, 8, 6, 3, 3, 3, 2);
        Graph reference = withWeight(g, t.reconstruct());
        assertSameOutputs(reference, r.graph(), Shape.of(2, 6, 7, 7), 1e-5);
        assertThat(r.layers().get(0).relativeError()).isCloseTo(t.relativeError(w), within(1e-12));
        assertThat(r.layers().get(0).ranks()).containsExactly(2, 3);
    }

    @Test
    void tuckerCountsParametersAndMacsAsTheFormulaSays() {
        // conv 8 -> 16, 3x3, pad 1, on 10x10, ranks in 4, out 8:
        //   params 8*4 + 4*8*9 + 8*16 + 16 = 464 (was 16*8*9 + 16 = 1168)
        //   MACs   8*4*100 + 4*8*9*100 + 8*16*100 = 44,800 (was 16*8*9*100 = 115,200)
        Graph g = conv(Conv.of2d(3, 1, 1), 16, 8, 3, 3, 10, 10, 7);
        LayerReport l = LowRankDecomposition.apply(g, new LowRankMethod.Tucker(RankRule.rank(8), RankRule.rank(4)))
                .layers().get(0);
        assertThat(l.paramsBefore()).isEqualTo(1168);
        assertThat(l.paramsAfter()).isEqualTo(464).isEqualTo(ConvFactorization.tuckerParameters(16, 8, 3, 3, 8, 4, true));
        assertThat(l.macsBefore()).isEqualTo(115_200);
        assertThat(l.macsAfter()).isEqualTo(44_800);
        assertThat(l.macReduction()).isCloseTo(115_200 / 44_800.0, within(1e-12));
    }

    // ---- CP -------------------------------------------------------------------------------------

    @Test
    void cpChainComputesTheLayerWithTheCpKernelForAnyGeometry() {
        SlidingWindow window = new SlidingWindow(new int[] {3, 3}, new int[] {2, 1}, new int[] {1, 2, 0, 1},
                new int[] {2, 1}, SlidingWindow.AutoPad.NOTSET, false);
        Graph g = conv(new Conv(window, 1), 5, 4, 3, 3, 9, 8, 8);
        LowRankMethod.Cp method = new LowRankMethod.Cp(4, 100, 1e-9, 3);
        LowRankDecomposition.Result r = LowRankDecomposition.apply(g, method);
        assertThat(r.layers().get(0).nodes()).containsExactly("conv.cp_in", "conv.cp_vertical", "conv.cp_horizontal",
                "conv.cp_out");
        CpDecomposition cp = CpDecomposition.decompose(ConvFactorization.toDouble(g.initializer("w")),
                new int[] {5, 4, 3, 3}, 4, 100, 1e-9, 3);
        assertThat(r.layers().get(0).relativeError()).isEqualTo(cp.relativeError());
        assertThat(r.layers().get(0).iterations()).isEqualTo(cp.iterations());
        assertSameOutputs(withWeight(g, cp.reconstruct()), r.graph(), Shape.of(2, 4, 9, 8), 1e-5);
    }

    @Test
    void cpOfAnExactlyLowRankKernelReproducesTheLayer() {
        Graph g = conv(Conv.of2d(3, 1, 1), 6, 5, 3, 3, 6, 6, 9);
        double[] w = CpDecompositionTest.lowRank(new int[] {6, 5, 3, 3}, 2, new Random(10));
        Graph lowRank = withWeight(g, w);
        LowRankDecomposition.Result r = LowRankDecomposition.apply(lowRank, new LowRankMethod.Cp(2, 2000, 1e-14, 1));
        assertThat(r.layers().get(0).relativeError()).isLessThan(1e-6);
        assertSameOutputs(lowRank, r.graph(), Shape.of(1, 5, 6, 6), 1e-4);
    }

    @Test
    void cpCountsParametersAndMacsAsTheFormulaSays() {
        // conv 8 -> 16, 3x3, pad 1, on 10x10, rank 5:
        //   params 5 (8 + 3 + 3 + 16) + 16 = 166
        //   MACs   5*8*100 + 5*3*10*10 (vertical, full width) + 5*3*100 + 16*5*100 = 15,000
        Graph g = conv(Conv.of2d(3, 1, 1), 16, 8, 3, 3, 10, 10, 11);
        LayerReport l = LowRankDecomposition.apply(g, new LowRankMethod.Cp(5, 20, 0, 1)).layers().get(0);
        assertThat(l.paramsAfter()).isEqualTo(166).isEqualTo(ConvFactorization.cpParameters(16, 8, 3, 3, 5, true));
        assertThat(l.macsAfter()).isEqualTo(15_000);
        assertThat(l.iterations()).isEqualTo(20);
    }

    // ---- selection, refusals, export, training ----------------------------------------------------

    @Test
    void refusesWhatItCannotDecomposeNamingTheLayer() {
        Graph grouped = conv(Conv.of2d(3, 1, 1, 1, 2), 4, 4, 3, 3, 5, 5, 12);
        assertThatThrownBy(() -> LowRankDecomposition.apply(grouped, new LowRankMethod.Cp(2), List.of("conv")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node 'conv' (Conv) has group 2: Tucker-2 and CP decompose ordinary convolutions only"
                        + " (group = 1)");
        assertThat(LowRankDecomposition.apply(grouped, new LowRankMethod.Tucker(RankRule.channels(0.5))).layers())
                .isEmpty();
        assertThatThrownBy(() -> LowRankDecomposition.apply(grouped, new LowRankMethod.Svd(RankRule.rank(2)),
                List.of("conv")))
                .hasMessage("node 'conv' (Conv) is not a fully connected layer (Gemm); SVD decomposes those (use"
                        + " Tucker-2 or CP for convolutions)");
        Graph g = conv(Conv.of2d(3, 1, 1), 4, 4, 3, 3, 5, 5, 13);
        assertThatThrownBy(() -> LowRankDecomposition.apply(g, new LowRankMethod.Cp(2), List.of("fc9")))
                .hasMessage("graph 'conv' has no node 'fc9'; cp can decompose: conv");
    }

    @Test
    void leavesPointwiseConvolutionsAndLayersThatWouldGrowUnlessNamed() {
        Graph g = conv(Conv.of2d(1, 1, 0), 4, 6, 1, 1, 5, 5, 14);
        LowRankDecomposition.Result r = LowRankDecomposition.apply(g, new LowRankMethod.Tucker(RankRule.channels(0.5)));
        assertThat(r.layers()).isEmpty();
        assertThat(r.graph()).isSameAs(g);
        assertThat(r.skipped()).containsExactly("conv: a 1x1 convolution (a matrix over channels; nothing for Tucker-2"
                + " or CP to gain)");
        Graph fc = Graph.builder("fc").input("x", 1, 5)
                .initializer("w", tensor(new Random(15), Shape.of(3, 5)))
                .node("fc", Gemm.linear(), List.of("x", "w"), List.of("y")).output("y").build();
        assertThat(LowRankDecomposition.apply(fc, new LowRankMethod.Svd(RankRule.rank(3))).skipped())
                .containsExactly("fc: rank 3 would not make it smaller (15 -> 24 parameters)");
    }

    @Test
    void leavesTheSourceGraphAndItsTensorsUntouched() {
        Graph g = conv(Conv.of2d(3, 1, 1), 6, 5, 3, 3, 5, 5, 16);
        float[] w = g.initializer("w").toFloatArray();
        LowRankDecomposition.Result r = LowRankDecomposition.apply(g, new LowRankMethod.Tucker(RankRule.channels(0.5)));
        assertThat(r.graph().initializer("b")).isNotSameAs(g.initializer("b"));
        assertThat(g.initializer("w").toFloatArray()).containsExactly(w);
        assertThat(g.nodes()).extracting(Node::name).containsExactly("conv");
    }

    /** {@code x [N, cIn, h, w] -> conv (weights w, bias b) -> y}, weights Gaussian from {@code seed}. */
    static Graph conv(Conv op, int cOut, int cIn, int kh, int kw, int h, int w, long seed) {
        Random rnd = new Random(seed);
        Graph.Builder b = Graph.builder("conv").input("x", Shape.UNKNOWN, cIn, h, w)
                .initializer("w", tensor(rnd, Shape.of(cOut, cIn / op.group(), kh, kw)));
        b.initializer("b", tensor(rnd, Shape.of(cOut)));
        return b.node("conv", op, List.of("x", "w", "b"), List.of("y")).output("y").build();
    }

    /** The same graph with another kernel. */
    static Graph withWeight(Graph g, double[] w) {
        return g.toBuilder().initializer("w", Tensor.of(g.initializer("w").shape(), ConvFactorization.toFloat(w)))
                .build();
    }

    static Tensor tensor(Random rnd, Shape s) {
        Tensor t = Tensor.zeros(s);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) rnd.nextGaussian();
        }
        return t;
    }

    static void assertSameOutputs(Graph a, Graph b, Shape input, double tolerance) {
        Tensor x = tensor(new Random(99), input);
        Tensor ya = Plan.compile(a, input).runSingle(x).copy();
        Tensor yb = Plan.compile(b, input).runSingle(x);
        assertThat(yb.shape()).isEqualTo(ya.shape());
        for (int i = 0; i < ya.size(); i++) {
            assertThat((double) yb.get(i)).as("element %d", i)
                    .isCloseTo(ya.get(i), within(tolerance * (1 + Math.abs(ya.get(i)))));
        }
    }
}
