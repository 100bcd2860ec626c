package dev.minnow.compression.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Masks on hand-made weights, against thresholds worked out by hand. */
class MagnitudePrunerTest {

    /** x [N, 4] -> a (W [2, 4]) -> b (W [3, 2]), biases unpruned. */
    static Graph twoLayers(float[] a, float[] b) {
        return Graph.builder("two").input("x", Shape.UNKNOWN, 4)
                .initializer("a", Tensor.of(Shape.of(2, 4), a)).initializer("a_bias", Tensor.zeros(2))
                .initializer("b", Tensor.of(Shape.of(3, 2), b)).initializer("b_bias", Tensor.zeros(3))
                .node("fc_a", Gemm.linear(), List.of("x", "a", "a_bias"), List.of("h"))
                .node("fc_b", Gemm.linear(), List.of("h", "b", "b_bias"), List.of("y"))
                .output("y").build();
    }

    static float[] values(Tensor t) {
        return t.toFloatArray();
    }

    @Test
    void qualityTimesStdIsTheThresholdPerLayer() {
        // a: mean 0, sum of squares 28.5, std = sqrt(28.5 / 8) = 1.8875
        float[] a = {3, -1, 1, -3, 0.5f, -0.5f, 2, -2};
        // b: mean 10/6, deviations -5/3, 1/3, -2/3, 4/3, 7/3, -5/3: sum of squares 16.8333, std 1.675
        float[] b = {0, 2, 1, 3, 4, 0};
        Graph g = twoLayers(a, b);
        Map<String, Tensor> half = MagnitudePruner.byQuality(g, Map.of("a", 0.5f, "b", 1f));
        // a: threshold 0.94 prunes the two 0.5s; b: threshold 1.675 prunes 0, 1, 0
        assertThat(values(half.get("a"))).containsExactly(1, 1, 1, 1, 0, 0, 1, 1);
        assertThat(values(half.get("b"))).containsExactly(0, 1, 0, 1, 1, 0);
        Map<String, Tensor> one = MagnitudePruner.byQuality(g, Map.of("a", 1f));
        assertThat(one).containsOnlyKeys("a");
        assertThat(values(one.get("a"))).containsExactly(1, 0, 0, 1, 0, 0, 1, 1);
        // q = 0 prunes nothing, not even an exact zero (|0| < 0 is false)
        assertThat(values(MagnitudePruner.byQuality(g, 0f).get("b"))).containsOnly(1f);
    }

    @Test
    void anAbsoluteThresholdPrunesTheNearZeroWeightsOfEveryLayer() {
        Graph g = twoLayers(new float[] {1e-4f, -0.3f, 0, 2, -5e-4f, 1e-3f, 0.2f, -1}, new float[] {1, -1e-5f, 3, 0, 5, 6});
        Map<String, Tensor> m = MagnitudePruner.byMagnitude(g, 1e-3f);
        assertThat(values(m.get("a"))).containsExactly(0, 1, 0, 1, 0, 1, 1, 1);
        assertThat(values(m.get("b"))).containsExactly(1, 0, 1, 0, 1, 1);
    }

    @Test
    void anExactSparsityPrunesTheSmallestAndBreaksTiesByIndex() {
        float[] a = {1, -1, 1, 0.5f, 2, -1, 3, 4};
        Graph g = twoLayers(a, new float[] {1, 2, 3, 4, 5, 6});
        // 0.5 of 8 = 4: 0.5 first, then three of the four |w| = 1, the first three by index
        assertThat(values(MagnitudePruner.bySparsity(g, Map.of("a", 0.5)).get("a")))
                .containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
        // 0.25 of 8 = 2: 0.5 and the first |w| = 1
        assertThat(values(MagnitudePruner.bySparsity(g, Map.of("a", 0.25)).get("a")))
                .containsExactly(0, 1, 1, 0, 1, 1, 1, 1);
        // round(0.3 * 6) = 2 of b
        assertThat(values(MagnitudePruner.bySparsity(g, 0.3).get("b"))).containsExactly(0, 0, 1, 1, 1, 1);
        assertThat(values(MagnitudePruner.bySparsity(g, 0.0).get("a"))).containsOnly(1f);
        assertThat(values(MagnitudePruner.bySparsity(g, 1.0).get("a"))).containsOnly(0f);
    }

    @Test
    void aGlobalThresholdCanEmptyOneLayerAndSpareAnother() {
        Graph g = twoLayers(new float[] {0.1f, -0.2f, 0.3f, 0.4f, -0.05f, 0.15f, 0.25f, 0.35f},
                new float[] {1, 2, -5, 6, 0.45f, 7});
        // 14 weights, 0.5 -> the 7 smallest: all of a but 0.4 (0.45 in b is larger than every other weight of a)
        Map<String, Tensor> m = MagnitudePruner.global(g, 0.5);
        assertThat(values(m.get("a"))).containsExactly(0, 0, 0, 1, 0, 0, 0, 0);
        assertThat(values(m.get("b"))).containsOnly(1f);
        // per layer at the same sparsity, b loses its three smallest: 0.45, 1 and 2
        Map<String, Tensor> per = MagnitudePruner.bySparsity(g, 0.5);
        assertThat(values(per.get("b"))).containsExactly(0, 0, 1, 1, 0, 1);
    }

    @Test
    void globalTiesAcrossLayersArePrunedInLayerOrder() {
        Graph g = twoLayers(new float[] {1, 9, 9, 9, 9, 9, 9, 9}, new float[] {1, 1, 9, 9, 9, 9});
        // 3 of 14 -> the three ones: a[0], b[0], b[1]; 2 of 14 -> a[0] and b[0]
        Map<String, Tensor> m = MagnitudePruner.global(g, 2.0 / 14);
        assertThat(values(m.get("a"))[0]).isZero();
        assertThat(values(m.get("b"))).containsExactly(0, 1, 1, 1, 1, 1);
    }

    @Test
    void applyZeroesInPlaceAndTheReportCountsZeros() {
        Graph g = twoLayers(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new float[] {1, 2, 3, 4, 5, 6});
        MagnitudePruner.apply(g, MagnitudePruner.bySparsity(g, Map.of("a", 0.75)));
        assertThat(values(g.initializer("a"))).containsExactly(0, 0, 0, 0, 0, 0, 7, 8);
        SparsityReport r = MagnitudePruner.sparsity(g);
        assertThat(r.layers()).extracting(SparsityReport.Layer::name).containsExactly("a", "b");
        assertThat(r.layer("a").sparsity()).isEqualTo(0.75);
        assertThat(r.layer("a").kept()).isEqualTo(2);
        assertThat(r.layer("b").sparsity()).isZero();
        assertThat(r.overall()).isEqualTo(6.0 / 14);
        assertThat(r.table()).contains("a", "75.00 %", "total", "42.86 %");
        assertThat(values(MagnitudePruner.masksOfZeros(g).get("a"))).containsExactly(0, 0, 0, 0, 0, 0, 1, 1);
    }

    @Test
    void intersectKeepsOnlyWhatBothKeep() {
        Tensor m1 = Tensor.of(Shape.of(4), 1, 1, 0, 0);
        Tensor m2 = Tensor.of(Shape.of(4), 1, 0, 1, 0);
        Map<String, Tensor> r = MagnitudePruner.intersect(Map.of("w", m1, "u", m1), Map.of("w", m2, "v", m2));
        assertThat(values(r.get("w"))).containsExactly(1, 0, 0, 0);
        assertThat(r.get("u")).isSameAs(m1);
        assertThat(r.get("v")).isSameAs(m2);
    }

    @Test
    void mistakesAreRefusedWithAMessage() {
        Graph g = twoLayers(new float[8], new float[6]);
        assertThatThrownBy(() -> MagnitudePruner.bySparsity(g, Map.of("a_bias", 0.5)))
                .hasMessageContaining("'a_bias' is not a prunable weight").hasMessageContaining("a, b");
        assertThatThrownBy(() -> MagnitudePruner.bySparsity(g, Map.of("a", 1.5)))
                .hasMessageContaining("fraction in [0, 1], got 1.5");
        assertThatThrownBy(() -> MagnitudePruner.byQuality(g, Map.of("a", -1f))).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> MagnitudePruner.apply(g, Map.of("a", Tensor.zeros(8))))
                .hasMessageContaining("mask of 'a' has shape [8] but the weight has [2, 4]");
        assertThatThrownBy(() -> MagnitudePruner.apply(g, Map.of("nope", Tensor.zeros(8))))
                .hasMessageContaining("no initializer 'nope'");
    }
}
