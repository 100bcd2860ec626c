package dev.minnow.compression.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both implementations against the dense product computed here in double precision. */
class SparseKernelsTest {

    static Stream<SparseKernels> implementations() {
        List<SparseKernels> k = new ArrayList<>();
        k.add(SparseKernelProvider.scalar());
        SparseKernels v = SparseKernelProvider.vectorOrNull();
        if (v != null) {
            k.add(v);
        }
        return k.stream();
    }

    @Test
    void theVectorImplementationIsAvailableInTests() {
        assertThat(SparseKernelProvider.vectorOrNull()).as("surefire passes --add-modules jdk.incubator.vector").isNotNull();
        assertThat(SparseKernelProvider.vectorOrNull().name()).startsWith("vector");
    }

    @Test
    void theBatchOneProductRunsOnTheScalarKernelUnlessTheGatherIsAskedFor() {
        assertThat(System.getProperty("minnow.sparse.gather")).as("the default configuration").isNull();
        assertThat(SparseKernelProvider.slicedTimesVectorKernels()).isSameAs(SparseKernelProvider.scalar());
    }

    static float[] sparseMatrix(int rows, int cols, double density, long seed) {
        Random r = new Random(seed);
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) {
            if (r.nextDouble() < density) {
                a[i] = (float) r.nextGaussian();
            }
        }
        return a;
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void matrixTimesVectorMatchesTheDenseProduct(SparseKernels k) {
        for (double density : new double[] {0, 0.05, 0.3, 1}) {
            int rows = 37;
            int cols = 101;
            float[] a = sparseMatrix(rows, cols, density, 7);
            float[] x = random(cols + 3, 8);
            CsrMatrix m = CsrMatrix.fromDense(a, 0, rows, cols);
            float[] y = new float[rows + 5];
            java.util.Arrays.fill(y, Float.NaN);
            k.csrTimesVector(m.rowStart(), m.columns(), m.values(), 0, rows, x, 3, y, 5);
            for (int r = 0; r < rows; r++) {
                double ref = 0;
                for (int c = 0; c < cols; c++) {
                    ref += (double) a[r * cols + c] * x[3 + c];
                }
                assertThat(y[5 + r]).as("row %d at density %s", r, density).isCloseTo((float) ref, within(1e-4f));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void matrixTimesVectorTouchesOnlyItsRows(SparseKernels k) {
        float[] a = sparseMatrix(10, 20, 0.5, 1);
        CsrMatrix m = CsrMatrix.fromDense(a, 0, 10, 20);
        float[] y = new float[10];
        java.util.Arrays.fill(y, -9f);
        k.csrTimesVector(m.rowStart(), m.columns(), m.values(), 3, 6, random(20, 2), 0, y, 0);
        assertThat(y[2]).isEqualTo(-9f);
        assertThat(y[6]).isEqualTo(-9f);
        assertThat(y[3]).isNotEqualTo(-9f);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void matrixTimesDenseMatchesTheDenseProductForWidthsAroundTheVectorTiles(SparseKernels k) {
        for (int n : new int[] {1, 3, 8, 16, 31, 32, 33, 64, 100, 300}) {
            int rows = 19;
            int kk = 45;
            float[] a = sparseMatrix(rows, kk, 0.2, n);
            int ldb = n + 2;
            float[] b = random(4 + kk * ldb, n + 1);
            int ldc = n + 1;
            float[] c = new float[7 + rows * ldc];
            java.util.Arrays.fill(c, Float.NaN);
            CsrMatrix m = CsrMatrix.fromDense(a, 0, rows, kk);
            k.csrTimesDense(m.rowStart(), m.columns(), m.values(), 2, rows, n, b, 4, ldb, c, 7, ldc);
            for (int r = 0; r < rows; r++) {
                for (int p = 0; p < n; p++) {
                    if (r < 2) {
                        assertThat(c[7 + r * ldc + p]).isNaN();
                        continue;
                    }
                    double ref = 0;
                    for (int q = 0; q < kk; q++) {
                        ref += (double) a[r * kk + q] * b[4 + q * ldb + p];
                    }
                    assertThat(c[7 + r * ldc + p]).as("n %d, C[%d][%d]", n, r, p).isCloseTo((float) ref, within(1e-4f));
                }
                if (n + 1 == ldc) {
                    assertThat(c[7 + r * ldc + n]).as("the padding column is untouched").isNaN();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void slicedEllpackTimesVectorMatchesTheDenseProductWithEmptyAndSingleEntryRows(SparseKernels k) {
        for (double density : new double[] {0, 0.05, 0.3, 1}) {
            int rows = 37;   // 5 slices, the last with 3 padding rows
            int cols = 101;
            float[] a = sparseMatrix(rows, cols, density, 9);
            java.util.Arrays.fill(a, 4 * cols, 5 * cols, 0f);         // row 4 empty
            java.util.Arrays.fill(a, 20 * cols, 21 * cols, 0f);
            a[20 * cols + 100] = -1.5f;                                // row 20: a single entry, last column
            java.util.Arrays.fill(a, 21 * cols, 22 * cols, 0f);
            a[21 * cols] = 0.75f;                                      // row 21: a single entry, column 0
            float[] x = random(cols + 3, 10);
            SlicedEllpackMatrix m = SlicedEllpackMatrix.of(CsrMatrix.fromDense(a, 0, rows, cols));
            float[] y = new float[5 + m.paddedRows() + 2];
            java.util.Arrays.fill(y, Float.NaN);
            k.sellTimesVector(m.sliceStart(), m.columns(), m.values(), 0, m.slices(), x, y, 5);
            for (int p = 0; p < rows; p++) {
                int r = m.rowOrder()[p];
                double ref = 0;
                for (int c = 0; c < cols; c++) {
                    ref += (double) a[r * cols + c] * x[c];
                }
                assertThat(y[5 + p]).as("row %d at density %s", r, density).isCloseTo((float) ref, within(1e-4f));
            }
            for (int p = rows; p < m.paddedRows(); p++) {
                assertThat(y[5 + p]).as("padding row %d", p).isZero();
            }
            assertThat(y[4]).isNaN();
            assertThat(y[5 + m.paddedRows()]).as("nothing written past the last slice").isNaN();
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void slicedEllpackTimesVectorTouchesOnlyItsSlices(SparseKernels k) {
        SlicedEllpackMatrix m = SlicedEllpackMatrix.of(CsrMatrix.fromDense(sparseMatrix(40, 20, 0.5, 3), 0, 40, 20));
        float[] y = new float[m.paddedRows()];
        java.util.Arrays.fill(y, -9f);
        k.sellTimesVector(m.sliceStart(), m.columns(), m.values(), 2, 4, random(20, 2), y, 0);
        assertThat(y[15]).isEqualTo(-9f);
        assertThat(y[32]).isEqualTo(-9f);
        for (int p = 16; p < 32; p++) {
            assertThat(y[p]).isNotEqualTo(-9f);
        }
    }
}
