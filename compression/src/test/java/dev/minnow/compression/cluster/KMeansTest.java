package dev.minnow.compression.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KMeansTest {

    /** Three tight, well-separated groups around -1, 0.2 and 1.5 of the given sizes. */
    private static float[] threeGroups(int a, int b, int c) {
        Random r = new Random(3);
        float[] v = new float[a + b + c];
        for (int i = 0; i < v.length; i++) {
            double centre = i < a ? -1 : i < a + b ? 0.2 : 1.5;
            v[i] = (float) (centre + 0.02 * r.nextGaussian());
        }
        return v;
    }

    private static float mean(float[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += v[i];
        }
        return (float) (s / (to - from));
    }

    @ParameterizedTest
    @EnumSource(KMeansInit.class)
    void everyInitialisationFindsWellSeparatedGroupsOfEqualSize(KMeansInit init) {
        float[] v = threeGroups(100, 100, 100);
        KMeans.Result r = KMeans.fit(v, 3, init, 11, 100);
        assertThat(r.centroids()[0]).isCloseTo(mean(v, 0, 100), within(1e-5f));
        assertThat(r.centroids()[1]).isCloseTo(mean(v, 100, 200), within(1e-5f));
        assertThat(r.centroids()[2]).isCloseTo(mean(v, 200, 300), within(1e-5f));
        for (int i = 0; i < v.length; i++) {
            assertThat(r.assignments()[i]).isEqualTo(i / 100);
        }
    }

    /**
     * Deep Compression's argument for linear initialisation (section 3.2): density-based
     * initialisation spends its centroids where the weights are many and leaves the rare large
     * weights without one; linear initialisation spans the whole range and keeps them.
     */
    @Test
    void linearInitialisationKeepsRareLargeWeightsThatDensityInitialisationLoses() {
        float[] v = threeGroups(200, 100, 20);
        KMeans.Result linear = KMeans.fit(v, 3, KMeansInit.LINEAR, 0, 100);
        assertThat(linear.centroids()[2]).isCloseTo(mean(v, 300, 320), within(1e-5f));
        KMeans.Result density = KMeans.fit(v, 3, KMeansInit.DENSITY, 0, 100);
        // quantiles 1/6 and 1/2 both fall in the big group around -1: it is split in two, the others merged
        assertThat(density.centroids()[0]).isLessThan(-0.9f);
        assertThat(density.centroids()[1]).isLessThan(-0.9f);
        assertThat(Math.abs(density.centroids()[2] - 1.5f)).isGreaterThan(0.5f);
        assertThat(KMeans.inertia(v, linear)).isLessThan(KMeans.inertia(v, density));
    }

    @Test
    void lloydStepsByHand() {
        // linear init puts centroids at 1 and 11; {1, 2} and {10, 11} -> means 1.5 and 10.5; then stable
        KMeans.Result r = KMeans.fit(new float[] {1, 2, 10, 11}, 2, KMeansInit.LINEAR, 0, 100);
        assertThat(r.centroids()).containsExactly(1.5f, 10.5f);
        assertThat(r.assignments()).containsExactly(0, 0, 1, 1);
        assertThat(r.iterations()).isEqualTo(2);
        // {0, 1, 2, 9}: linear init at 0, 4.5, 9 -> {0, 1, 2} {} {9}: the middle centroid stays at 4.5
        KMeans.Result s = KMeans.fit(new float[] {0, 1, 2, 9}, 3, KMeansInit.LINEAR, 0, 100);
        assertThat(s.centroids()).containsExactly(1f, 4.5f, 9f);
        assertThat(KMeans.inertia(new float[] {0, 1, 2, 9}, s)).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void initialCentroidsOfEachMethod() {
        float[] v = {-1f, -0.5f, 0f, 0.25f, 1f};
        assertThat(KMeans.initialCentroids(v, 5, KMeansInit.LINEAR, new Random(0)))
                .containsExactly(-1, -0.5, 0, 0.5, 1);
        // density: the quantiles at (j + 1/2) / k of the sorted values
        float[] w = new float[100];
        for (int i = 0; i < 100; i++) {
            w[i] = 99 - i;                 // 0..99 in reverse
        }
        assertThat(KMeans.initialCentroids(w, 4, KMeansInit.DENSITY, new Random(0))).containsExactly(12, 37, 62, 87);
        // random and k-means++ pick data points; random picks distinct positions
        double[] forgy = KMeans.initialCentroids(v, 5, KMeansInit.RANDOM, new Random(5));
        java.util.Arrays.sort(forgy);
        assertThat(forgy).containsExactly(-1, -0.5, 0, 0.25, 1);
        double[] pp = KMeans.initialCentroids(v, 3, KMeansInit.KMEANS_PLUS_PLUS, new Random(5));
        for (double c : pp) {
            assertThat(new double[] {-1, -0.5, 0, 0.25, 1}).contains(c);
        }
        assertThat(pp).doesNotHaveDuplicates();
    }

    /** k-means++ draws a far point with probability D^2 / sum D^2: with one far outlier it is chosen almost always. */
    @Test
    void kmeansPlusPlusFavoursDistantPoints() {
        float[] v = new float[101];
        v[100] = 100f;                           // 100 zeros and one outlier
        int chosen = 0;
        for (int seed = 0; seed < 200; seed++) {
            double[] c = KMeans.initialCentroids(v, 2, KMeansInit.KMEANS_PLUS_PLUS, new Random(seed));
            if (c[0] == 100 || c[1] == 100) {
                chosen++;
            }
        }
        assertThat(chosen).isEqualTo(200);
    }

    @Test
    void moreClustersThanValuesAndEmptyInput() {
        KMeans.Result r = KMeans.fit(new float[] {0.5f, 0.5f}, 4, KMeansInit.LINEAR, 0, 10);
        assertThat(r.assignments()).hasSize(2);
        assertThat(r.centroids()[r.assignments()[0]]).isEqualTo(0.5f);
        assertThat(KMeans.fit(new float[0], 3, KMeansInit.LINEAR, 0, 10).centroids()).hasSize(3);
    }

    @Test
    void nearestBreaksTiesDownwards() {
        double[] c = {0, 1, 2};
        assertThat(KMeans.nearest(c, 0.5f)).isEqualTo(0);
        assertThat(KMeans.nearest(c, 0.51f)).isEqualTo(1);
        assertThat(KMeans.nearest(c, -7f)).isEqualTo(0);
        assertThat(KMeans.nearest(c, 7f)).isEqualTo(2);
    }

    @Test
    void parsesInitialisationNames() {
        assertThat(KMeansInit.parse("Linear")).isEqualTo(KMeansInit.LINEAR);
        assertThat(KMeansInit.parse("forgy")).isEqualTo(KMeansInit.RANDOM);
        assertThat(KMeansInit.parse("kmeans++")).isEqualTo(KMeansInit.KMEANS_PLUS_PLUS);
        assertThat(KMeansInit.KMEANS_PLUS_PLUS.label()).isEqualTo("kmeans++");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KMeansInit.parse("median"))
                .hasMessageContaining("linear, random, density or kmeans++");
    }
}
