package dev.minnow.compression.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.op.ExecutionContext;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The op at batch 1 (sliced ELLPACK) and batch 2 (CSR times dense) against y = alpha x W^T + beta c in double. */
class SparseGemmTest {

    static Stream<SparseKernels> implementations() {
        return SparseKernelsTest.implementations();
    }

    /** {@code [n, k]} with row 3 empty and row 7 holding a single entry (in the last column). */
    static float[] weight(int n, int k, double density, long seed) {
        float[] w = SparseKernelsTest.sparseMatrix(n, k, density, seed);
        Arrays.fill(w, 3 * k, 4 * k, 0f);
        Arrays.fill(w, 7 * k, 8 * k, 0f);
        w[7 * k + k - 1] = 1.25f;
        return w;
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void batchOneAndTwoWithAnInputOffsetAndABiasOnOneAndTwoThreads(SparseKernels kernels) {
        // 203 outputs (25 slices and 3 rows), 40 k non-zeros: above CsrJob's threshold for a second thread
        int n = 203;
        int k = 1000;
        float[] w = weight(n, k, 0.2, 11);
        float[] bias = SparseKernelsTest.random(n, 12);
        float alpha = 0.5f;
        float beta = 2f;
        SparseGemm op = new SparseGemm(new Gemm(alpha, beta, false, true), CsrMatrix.fromDense(w, 0, n, k), kernels);
        for (int batch : new int[] {1, 2}) {
            for (int threads : new int[] {1, 2}) {
                float[] data = SparseKernelsTest.random(5 + batch * k, batch + threads);
                Tensor x = Tensor.wrap(Shape.of(batch, k), data, 5);
                Tensor y = Tensor.zeros(Shape.of(batch, n));
                // input 1, the dense weight, is only read when the op is made (SparseInference)
                Tensor[] inputs = {x, Tensor.zeros(Shape.of(n, k)), Tensor.of(Shape.of(n), bias)};
                op.forward(inputs, new Tensor[] {y}, ExecutionContext.standalone(threads));
                for (int i = 0; i < batch; i++) {
                    for (int o = 0; o < n; o++) {
                        double ref = 0;
                        for (int c = 0; c < k; c++) {
                            ref += (double) w[o * k + c] * data[5 + i * k + c];
                        }
                        assertThat(y.get(i, o)).as("batch %d, %d threads, y[%d][%d]", batch, threads, i, o)
                                .isCloseTo((float) (alpha * ref + beta * bias[o]), within(2e-4f));
                    }
                }
                assertThat(y.get(0, 3)).as("an empty row gives the bias alone").isEqualTo(beta * bias[3]);
            }
        }
    }
}
