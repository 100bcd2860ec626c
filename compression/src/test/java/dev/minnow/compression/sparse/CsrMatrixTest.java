package dev.minnow.compression.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CsrMatrixTest {

    @Test
    void theClassCommentsExampleHasTheseThreeArrays() {
        float[] dense = {5, 0, 0, 0, /**/ 0, 8, 0, 0, /**/ 0, 0, 3, 0, /**/ 0, 6, 0, 0};
        CsrMatrix m = CsrMatrix.fromDense(dense, 0, 4, 4);
        assertThat(m.values()).containsExactly(5, 8, 3, 6);
        assertThat(m.columns()).containsExactly(0, 1, 2, 1);
        assertThat(m.rowStart()).containsExactly(0, 1, 2, 3, 4);
        assertThat(m.nnz()).isEqualTo(4);
        assertThat(m.density()).isEqualTo(0.25);
        assertThat(m.bytes()).isEqualTo(4 * (2 * 4 + 5));
    }

    @Test
    void denseToCsrAndBackIsExactIncludingEmptyRowsAndAnOffset() {
        Random r = new Random(3);
        float[] a = new float[2 + 7 * 13];
        for (int i = 2; i < a.length; i++) {
            a[i] = r.nextFloat() < 0.7 ? 0f : r.nextFloat() - 0.5f;
        }
        for (int c = 0; c < 13; c++) {
            a[2 + 4 * 13 + c] = 0f; // row 4 empty
        }
        CsrMatrix m = CsrMatrix.fromDense(a, 2, 7, 13);
        float[] back = m.toDense();
        for (int i = 0; i < 7 * 13; i++) {
            assertThat(back[i]).isEqualTo(a[2 + i]);
        }
        assertThat(m.rowStart()[5]).isEqualTo(m.rowStart()[4]);
        // the public constructor accepts what fromDense made
        assertThat(new CsrMatrix(7, 13, m.rowStart(), m.columns(), m.values())).isEqualTo(m);
    }

    @Test
    void theTransposedFormHoldsTheTranspose() {
        float[] a = {1, 0, 2, /**/ 0, 3, 0};   // 2 x 3
        CsrMatrix t = CsrMatrix.fromDenseTransposed(a, 0, 2, 3);
        assertThat(t.rows()).isEqualTo(3);
        assertThat(t.cols()).isEqualTo(2);
        assertThat(t.toDense()).containsExactly(1, 0, /**/ 0, 3, /**/ 2, 0);
    }

    @Test
    void aTensorIsViewedAsItsFirstDimensionByTheRest() {
        Tensor w = Tensor.zeros(Shape.of(4, 2, 3, 3));
        w.data()[18 + 5] = 7f;   // filter 1, element 5
        CsrMatrix m = CsrMatrix.fromDense(w);
        assertThat(m.rows()).isEqualTo(4);
        assertThat(m.cols()).isEqualTo(18);
        assertThat(m.rowStart()).containsExactly(0, 0, 1, 1, 1);
        assertThat(m.columns()).containsExactly(5);
        assertThat(m.toTensor(w.shape()).contentEquals(w)).isTrue();
    }

    @Test
    void inconsistentArraysAreRefusedWithAMessage() {
        assertThatThrownBy(() -> new CsrMatrix(2, 3, new int[] {0, 1}, new int[] {0}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 row offsets");
        assertThatThrownBy(() -> new CsrMatrix(1, 3, new int[] {0, 2}, new int[] {2, 1}, new float[] {1, 1}))
                .hasMessageContaining("columns must increase");
        assertThatThrownBy(() -> new CsrMatrix(1, 3, new int[] {0, 1}, new int[] {3}, new float[] {1}))
                .hasMessageContaining("[0, 3)");
    }
}
