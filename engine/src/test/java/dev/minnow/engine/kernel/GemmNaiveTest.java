package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GemmNaiveTest {

    @Test
    void addressesSubMatricesThroughLeadingDimensions() {
        // A is the top-left 2x2 of a 3-wide array, B the right 2x2 of a 3-wide array, C the middle of a 4-wide one
        float[] a = {1, 2, 99, 3, 4, 99};
        float[] b = {99, 1, 0, 99, 0, 1};
        float[] c = {-1, 0, 0, -1, -1, 0, 0, -1};
        Gemm.sgemmNaive(false, false, 2, 2, 2, 1f, a, 0, 3, b, 1, 3, 0f, c, 1, 4);
        assertThat(c).containsExactly(-1, 1, 2, -1, -1, 3, 4, -1);
    }

    @Test
    void betaZeroIgnoresOldContentsAndBetaOneAccumulates() {
        float[] a = {1, 2};        // 1x2
        float[] b = {3, 4};        // 2x1
        float[] c = {Float.NaN};
        Gemm.sgemmNaive(false, false, 1, 1, 2, 1f, a, 0, 2, b, 0, 1, 0f, c, 0, 1);
        assertThat(c).containsExactly(11);
        Gemm.sgemmNaive(false, false, 1, 1, 2, 2f, a, 0, 2, b, 0, 1, 1f, c, 0, 1);
        assertThat(c).containsExactly(33);
    }

    @Test
    void transposesBothOperands() {
        // A stored as [K=2, M=3], B stored as [N=2, K=2]: C = A^T B^T
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] b = {1, 0, 1, 1};
        float[] c = new float[6];
        Gemm.sgemmNaive(true, true, 3, 2, 2, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
        // A^T = [[1,4],[2,5],[3,6]], B^T = [[1,1],[0,1]]
        assertThat(c).containsExactly(1, 5, 2, 7, 3, 9);
    }
}
