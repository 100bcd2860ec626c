package dev.minnow.compression.sparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SlicedEllpackMatrixTest {

    @Test
    void aSmallMatrixHasTheseArraysWorkedOutByHand() {
        // rows (non-zeros): r0 (1), r1 (3), r2 (0), r3 (2); sorted by length: r1, r3, r0, r2, then 4 padding rows
        float[] dense = {
            0, 4, 0, 0,
            1, 0, 2, 3,
            0, 0, 0, 0,
            5, 0, 0, 6};
        SlicedEllpackMatrix m = SlicedEllpackMatrix.of(CsrMatrix.fromDense(dense, 0, 4, 4));
        assertThat(m.rowOrder()).containsExactly(1, 3, 0, 2);
        assertThat(m.slices()).isEqualTo(1);
        assertThat(m.paddedRows()).isEqualTo(8);
        assertThat(m.sliceStart()).containsExactly(0, 24);   // 3 steps (the longest row) of 8 lanes
        // step t holds the t-th non-zero of each lane's row; lanes 4..7 are the padding rows
        assertThat(m.values()).containsExactly(
                1, 5, 4, 0, 0, 0, 0, 0,
                2, 6, 0, 0, 0, 0, 0, 0,
                3, 0, 0, 0, 0, 0, 0, 0);
        // padding repeats the row's last column (0 for an empty row)
        assertThat(m.columns()).containsExactly(
                0, 0, 1, 0, 0, 0, 0, 0,
                2, 3, 1, 0, 0, 0, 0, 0,
                3, 3, 1, 0, 0, 0, 0, 0);
        assertThat(m.nnz()).isEqualTo(6);
        assertThat(m.entries()).isEqualTo(24);
        assertThat(m.toDense()).containsExactly(dense);
    }

    @Test
    void theDenseMatrixComesBackForOddShapesWithEmptyAndSingleEntryRows() {
        Random r = new Random(4);
        int rows = 29;
        int cols = 17;
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() < 0.6 ? 0f : r.nextFloat() - 0.5f;
        }
        java.util.Arrays.fill(a, 3 * cols, 4 * cols, 0f);        // row 3 empty
        java.util.Arrays.fill(a, 10 * cols, 11 * cols, 0f);
        a[10 * cols + 16] = 2.5f;                                  // row 10: one entry, in the last column
        SlicedEllpackMatrix m = SlicedEllpackMatrix.of(CsrMatrix.fromDense(a, 0, rows, cols));
        assertThat(m.toDense()).containsExactly(a);
        assertThat(m.slices()).isEqualTo(4);
        assertThat(java.util.Arrays.stream(m.sliceStart())).allMatch(s -> s % SlicedEllpackMatrix.SLICE == 0);
        // rowOrder is a permutation, longest rows first
        int[] seen = new int[rows];
        int previous = Integer.MAX_VALUE;
        for (int p : m.rowOrder()) {
            seen[p]++;
            int length = 0;
            for (int c = 0; c < cols; c++) {
                length += a[p * cols + c] != 0f ? 1 : 0;
            }
            assertThat(length).isLessThanOrEqualTo(previous);
            previous = length;
        }
        assertThat(seen).containsOnly(1);
        assertThat(m.rowOrder()[rows - 1]).as("the only empty row sorts last").isEqualTo(3);
    }

    @Test
    void sortingKeepsThePaddingSmallOnARandomlyPrunedLayer() {
        Random r = new Random(5);
        float[] a = new float[300 * 784];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() < 0.9 ? 0f : 1f;
        }
        SlicedEllpackMatrix m = SlicedEllpackMatrix.of(CsrMatrix.fromDense(a, 0, 300, 784));
        assertThat((double) (m.entries() - m.nnz()) / m.nnz()).as("padding share").isLessThan(0.03);
    }

    @Test
    void anEmptyMatrixHasNoSlices() {
        SlicedEllpackMatrix m = SlicedEllpackMatrix.of(CsrMatrix.fromDense(new float[0], 0, 0, 5));
        assertThat(m.slices()).isZero();
        assertThat(m.entries()).isZero();
        SlicedEllpackMatrix zeros = SlicedEllpackMatrix.of(CsrMatrix.fromDense(new float[3 * 4], 0, 3, 4));
        assertThat(zeros.slices()).isEqualTo(1);
        assertThat(zeros.entries()).isZero();
    }
}
