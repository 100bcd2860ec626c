package dev.minnow.engine.kernel;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The packed-weights GEMM and the implicit im2col, against the naive GEMM and the explicit im2col. */
class PackedGemmTest {

    @Test
    void packedProductWithBiasAndClampMatchesTheNaiveOne() {
        Random r = new Random(4);
        int[][] sizes = {{1, 1, 1}, {5, 7, 3}, {64, 49, 576}, {130, 33, 300}, {17, 600, 260}, {4, 16, 8}};
        for (SimdKernels impl : GemmTest.implementations()) {
            for (int[] s : sizes) {
                int m = s[0], n = s[1], k = s[2];
                float[] a = GemmTest.random(r, 3 + m * (k + 2));
                float[] b = GemmTest.random(r, k * n);
                float[] bias = GemmTest.random(r, m + 1);
                float[] expected = new float[m * n];
                Gemm.sgemmNaive(false, false, m, n, k, 1f, a, 3, k + 2, b, 0, n, 0f, expected, 0, n);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        expected[i * n + j] = Math.min(Math.max(expected[i * n + j] + bias[1 + i], 0f), 0.5f);
                    }
                }
                PackedLeft packed = impl.packLeft(a, 3, k + 2, m, k);
                for (int threads : new int[] {1, 2}) {
                    float[] c = new float[m * (n + 1)];
                    java.util.Arrays.fill(c, Float.NaN);
                    Gemm.sgemmPacked(packed, ColumnSource.matrix(b, 0, n, k, n), c, 0, n + 1, bias, 1, 0f, 0.5f,
                            threads);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            float got = c[i * (n + 1) + j];
                            if (Math.abs(got - expected[i * n + j]) > GemmTest.tolerance(k)) {
                                throw new AssertionError(impl.name() + " " + m + "x" + n + "x" + k + " threads "
                                        + threads + " at " + i + "," + j + ": " + got + " vs " + expected[i * n + j]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void convColumnsProduceExactlyTheIm2colMatrix() {
        Random r = new Random(8);
        for (int trial = 0; trial < 200; trial++) {
            int c = 1 + r.nextInt(3);
            int dims = 1 + r.nextInt(3);
            int[] in = {dims == 3 ? 2 + r.nextInt(4) : 1, dims >= 2 ? 1 + r.nextInt(9) : 1, 1 + r.nextInt(12)};
            int[] kernel = new int[3];
            int[] stride = new int[3];
            int[] pad = new int[3];
            int[] dil = new int[3];
            int[] out = new int[3];
            boolean ok = true;
            for (int a = 0; a < 3; a++) {
                boolean active = a >= 3 - dims;
                kernel[a] = active ? 1 + r.nextInt(3) : 1;
                stride[a] = active ? 1 + r.nextInt(3) : 1;
                dil[a] = active ? 1 + r.nextInt(2) : 1;
                pad[a] = active ? r.nextInt(3) : 0;
                int padEnd = active ? r.nextInt(3) : 0;
                int span = dil[a] * (kernel[a] - 1) + 1;
                out[a] = (in[a] + pad[a] + padEnd - span) / stride[a] + 1;
                ok &= in[a] + pad[a] + padEnd >= span;
            }
            if (!ok) {
                continue;
            }
            int taps = c * kernel[0] * kernel[1] * kernel[2];
            int p = out[0] * out[1] * out[2];
            float[] x = GemmTest.random(r, 2 + c * in[0] * in[1] * in[2]);
            float[] expected = new float[taps * p];
            ConvKernels.im2col(x, 2, c, in, out, kernel, stride, pad, dil, expected, 0);
            ConvColumns src = new ConvColumns().set(x, 2, c, in, out, kernel, stride, pad, dil);
            // copy in odd-sized blocks and panels, the way a GEMM asks for them, past the end too
            int blockRows = 1 + r.nextInt(5);
            int blockCols = 1 + r.nextInt(40);
            int width = 1 + r.nextInt(17);
            int padded = (blockCols + width - 1) / width * width;
            for (int r0 = 0; r0 < taps; r0 += blockRows) {
                for (int c0 = 0; c0 < p; c0 += blockCols) {
                    int rows = Math.min(blockRows, taps - r0);
                    float[] got = new float[rows * padded + 3];
                    java.util.Arrays.fill(got, Float.NaN);
                    src.copyPanels(r0, rows, c0, blockCols, width, got, 3);
                    for (int rr = 0; rr < rows; rr++) {
                        for (int j = 0; j < padded; j++) {
                            int col = c0 + j;
                            float e = col < p && j < blockCols ? expected[(r0 + rr) * p + col] : 0f;
                            float g = got[3 + (j / width) * rows * width + rr * width + j % width];
                            if (Float.floatToRawIntBits(e) != Float.floatToRawIntBits(g)) {
                                throw new AssertionError("trial " + trial + " row " + (r0 + rr) + " col " + col
                                        + " (width " + width + "): " + g + " vs " + e);
                            }
                        }
                    }
                }
            }
        }
    }
}
