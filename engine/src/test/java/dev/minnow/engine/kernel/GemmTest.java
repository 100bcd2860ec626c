package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class GemmTest {

    static List<SimdKernels> implementations() {
        List<SimdKernels> impls = new ArrayList<>();
        impls.add(KernelProvider.scalar());
        SimdKernels vector = KernelProvider.vectorOrNull();
        assertThat(vector).as("tests run with --add-modules jdk.incubator.vector").isNotNull();
        impls.add(vector);
        return impls;
    }

    static Stream<Arguments> cases() {
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {4, 16, 8}, {17, 33, 65}, {64, 64, 64}, {130, 7, 300},
            {5, 530, 260}, {129, 131, 257}, {1, 700, 9}, {700, 1, 9}};
        List<Arguments> args = new ArrayList<>();
        for (SimdKernels impl : implementations()) {
            for (int[] s : sizes) {
                for (int t = 0; t < 4; t++) {
                    args.add(Arguments.of(impl, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} transA={4} transB={5}")
    @MethodSource("cases")
    void matchesTheNaiveReference(SimdKernels impl, int m, int n, int k, boolean transA, boolean transB) {
        Random r = new Random(m * 31L + n * 7L + k);
        int lda = (transA ? m : k) + 3;
        int ldb = (transB ? k : n) + 1;
        int ldc = n + 2;
        float[] a = random(r, 5 + (transA ? k : m) * lda);
        float[] b = random(r, 2 + (transB ? n : k) * ldb);
        float[] c0 = random(r, 4 + m * ldc);
        float[] expected = c0.clone();
        float[] actual = c0.clone();
        Gemm.sgemmNaive(transA, transB, m, n, k, 0.75f, a, 5, lda, b, 2, ldb, 0.5f, expected, 4, ldc);
        Gemm.sgemm(impl, transA, transB, m, n, k, 0.75f, a, 5, lda, b, 2, ldb, 0.5f, actual, 4, ldc, 2);
        assertClose(actual, expected, k);
        // beta = 0 ignores whatever C held, even NaN
        float[] nan = c0.clone();
        java.util.Arrays.fill(nan, Float.NaN);
        float[] expected0 = nan.clone();
        Gemm.sgemmNaive(transA, transB, m, n, k, 1f, a, 5, lda, b, 2, ldb, 0f, expected0, 4, ldc);
        Gemm.sgemm(impl, transA, transB, m, n, k, 1f, a, 5, lda, b, 2, ldb, 0f, nan, 4, ldc, 2);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int idx = 4 + i * ldc + j;
                assertThat(nan[idx]).isCloseTo(expected0[idx], org.assertj.core.data.Offset.offset(tolerance(k)));
            }
        }
    }

    @Test
    void leavesPaddingOfCUntouched() {
        for (SimdKernels impl : implementations()) {
            float[] a = random(new Random(1), 6 * 5);
            float[] b = random(new Random(2), 5 * 7);
            float[] c = new float[6 * 9];
            java.util.Arrays.fill(c, 42f);
            Gemm.sgemm(impl, false, false, 6, 7, 5, 1f, a, 0, 5, b, 0, 7, 0f, c, 0, 9, 1);
            for (int i = 0; i < 6; i++) {
                assertThat(c[i * 9 + 7]).isEqualTo(42f);
                assertThat(c[i * 9 + 8]).isEqualTo(42f);
            }
        }
    }

    @Test
    void rejectsMatricesThatDoNotFit() {
        assertThatThrownBy(() -> Gemm.sgemm(false, false, 4, 4, 4, 1f, new float[15], 0, 4, new float[16], 0, 4,
                0f, new float[16], 0, 4, 1))
                .hasMessageContaining("A (4 x 4, ld 4, offset 0) does not fit in an array of 15");
        assertThatThrownBy(() -> Gemm.sgemm(false, false, 4, 4, 4, 1f, new float[16], 0, 3, new float[16], 0, 4,
                0f, new float[16], 0, 4, 1))
                .hasMessageContaining("leading dimension of A is 3 but it has 4 columns");
    }

    static float tolerance(int k) {
        return 1e-5f * k + 1e-5f;
    }

    static void assertClose(float[] actual, float[] expected, int k) {
        float tol = tolerance(k);
        for (int i = 0; i < actual.length; i++) {
            if (Math.abs(actual[i] - expected[i]) > tol * Math.max(1f, Math.abs(expected[i]))) {
                throw new AssertionError("element " + i + ": got " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        return x;
    }
}
