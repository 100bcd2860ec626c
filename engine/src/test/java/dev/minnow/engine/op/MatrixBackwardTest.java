package dev.minnow.engine.op;

import static dev.minnow.engine.op.GradientCheck.gaussian;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gemm's and MatMul's backward passes against finite differences. */
class MatrixBackwardTest {
    private final Random r = new Random(53);

    @ParameterizedTest(name = "transA {0} transB {1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void gemmWithEveryTransposition(boolean transA, boolean transB) {
        int m = 5, k = 7, n = 3;
        Gemm gemm = new Gemm(0.7f, -1.3f, transA, transB);
        GradientCheck.of(gemm).check(transA ? gaussian(r, k, m) : gaussian(r, m, k),
                transB ? gaussian(r, n, k) : gaussian(r, k, n), gaussian(r, m, n));
    }

    @Test
    void gemmSumsTheGradientOfABroadcastC() {
        Gemm gemm = new Gemm(1.1f, 0.6f, false, true);
        int[][] shapes = {{}, {1}, {3}, {1, 3}, {4, 1}, {1, 1}, {4, 3}};
        for (int[] c : shapes) {
            GradientCheck.of(gemm).check(gaussian(r, 4, 5), gaussian(r, 3, 5), gaussian(r, c));
        }
    }

    @Test
    void gemmWithoutCAndWithBetaZero() {
        GradientCheck.of(Gemm.linear()).check(gaussian(r, 2, 6), gaussian(r, 4, 6));
        // beta = 0: Y does not depend on C, whose gradient must stay zero
        GradientCheck.of(new Gemm(1f, 0f, false, false)).check(gaussian(r, 2, 3), gaussian(r, 3, 2), gaussian(r, 2, 2));
    }

    @Test
    void gemmLargeEnoughToRunOnSeveralThreads() {
        // 40 x 50 x 40 multiply-adds exceed the GEMM's threshold for splitting across threads
        GradientCheck.of(Gemm.linear()).step(1e-2).tolerance(3e-3, 1e-2).threads(2)
                .check(gaussian(r, 40, 50), gaussian(r, 40, 50), gaussian(r, 40));
    }

    @Test
    void matMulPlain() {
        GradientCheck.of(new MatMul()).check(gaussian(r, 5, 7), gaussian(r, 7, 3));
    }

    @Test
    void matMulWithVectors() {
        GradientCheck.of(new MatMul()).check(gaussian(r, 7), gaussian(r, 7));
        GradientCheck.of(new MatMul()).check(gaussian(r, 7), gaussian(r, 7, 3));
        GradientCheck.of(new MatMul()).check(gaussian(r, 5, 7), gaussian(r, 7));
        GradientCheck.of(new MatMul()).check(gaussian(r, 7), gaussian(r, 2, 7, 3));
        GradientCheck.of(new MatMul()).check(gaussian(r, 2, 3, 5, 7), gaussian(r, 7));
    }

    @Test
    void matMulWithBroadcastBatchDimensions() {
        // B reused by every batch of A, A by every batch of B, and both broadcast at once
        GradientCheck.of(new MatMul()).check(gaussian(r, 2, 5, 7), gaussian(r, 7, 3));
        GradientCheck.of(new MatMul()).check(gaussian(r, 5, 7), gaussian(r, 4, 7, 3));
        GradientCheck.of(new MatMul()).check(gaussian(r, 2, 1, 5, 7), gaussian(r, 3, 7, 4));
        GradientCheck.of(new MatMul()).check(gaussian(r, 1, 3, 1, 4), gaussian(r, 2, 1, 4, 5));
    }
}
