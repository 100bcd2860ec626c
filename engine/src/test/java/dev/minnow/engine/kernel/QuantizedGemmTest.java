package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The integer GEMM (both kernel implementations, one and two threads) against the textbook loops
 * over {@code (w - zw)(x - zx)} followed by the fixed-point requantization, element by element,
 * exactly; and the requantized result against the float computation it approximates.
 */
class QuantizedGemmTest {

    static List<Int8Kernels> implementations() {
        List<Int8Kernels> impls = new ArrayList<>();
        impls.add(KernelProvider.int8Scalar());
        Int8Kernels vector = KernelProvider.int8VectorOrNull();
        assertThat(vector).as("tests run with --add-modules jdk.incubator.vector").isNotNull();
        impls.add(vector);
        return impls;
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    @Test
    void packedProductEqualsTheReferenceExactly() {
        Random r = new Random(11);
        int[][] sizes = {{1, 1, 1}, {3, 1, 5}, {8, 1, 4096 / 16}, {37, 1, 101}, {24, 1, 64}, {17, 3, 33}, {9, 4, 8}, {16, 5, 64}, {20, 64, 27},
            {33, 130, 75}, {64, 7, 576}, {5, 200, 2}};
        for (Int8Kernels impl : implementations()) {
            for (int[] s : sizes) {
                for (int signs = 0; signs < 4; signs++) {
                    check(r, impl, s[0], s[1], s[2], (signs & 1) != 0, (signs & 2) != 0, signs % 2 == 0);
                }
            }
        }
    }

    private static void check(Random r, Int8Kernels impl, int m, int n, int k, boolean wSigned, boolean xSigned,
                              boolean transposed) {
        byte[] w = randomBytes(r, m * k);
        byte[] x = randomBytes(r, k * n);
        int[] zw = new int[m];
        for (int i = 0; i < m; i++) {
            zw[i] = wSigned ? r.nextInt(256) - 128 : r.nextInt(256);
        }
        int zx = xSigned ? r.nextInt(256) - 128 : r.nextInt(256);
        int[] bias = new int[m];
        double[] mult = new double[m];
        for (int i = 0; i < m; i++) {
            bias[i] = r.nextInt(20001) - 10000;
            mult[i] = Math.exp(-3 - 6 * r.nextDouble()) / Math.sqrt(k);
        }
        boolean outSigned = r.nextBoolean();
        int qmin = outSigned ? -128 : 0;
        int qmax = outSigned ? 127 : 255;
        int zy = qmin + r.nextInt(256);
        // reference: int32 product per row zero point, then M per row
        int[] acc = new int[m * n];
        QuantizedGemm.matmulNaive(m, n, k, w, 0, wSigned, zw, x, 0, xSigned, new int[] {zx}, acc, 0);
        byte[] expected = new byte[m * n];
        for (int i = 0; i < m; i++) {
            FixedPointMultiplier f = FixedPointMultiplier.of(mult[i]);
            for (int j = 0; j < n; j++) {
                int q = zy + f.apply(acc[i * n + j] + bias[i]);
                expected[i * n + j] = (byte) Math.max(qmin, Math.min(qmax, q));
            }
        }
        PackedInt8 packed = impl.pack(w, 0, k, m, k, wSigned);
        int[] zwU = new int[m];
        for (int i = 0; i < m; i++) {
            zwU[i] = zw[i] + (wSigned ? 128 : 0);
        }
        Requantization rq = Requantization.forProduct(packed, zwU, xSigned ? zx + 128 : zx, bias, mult, zy, qmin, qmax);
        Int8MatrixColumns src = new Int8MatrixColumns();
        byte[] xt = x;
        if (transposed) {   // the same B stored column by column
            xt = new byte[k * n];
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    xt[j * k + p] = x[p * n + j];
                }
            }
            src.set(xt, 0, k, k, n, true, xSigned);
        } else {
            src.set(x, 0, n, k, n, false, xSigned);
        }
        for (int threads : new int[] {1, 2}) {
            byte[] y = new byte[m * n];
            QuantizedGemm.multiply(packed, src, rq, y, 0, n, 1, threads);
            for (int i = 0; i < m * n; i++) {
                if (y[i] != expected[i]) {
                    throw new AssertionError(impl.name() + " " + m + "x" + n + "x" + k + " w" + (wSigned ? "s" : "u")
                            + " x" + (xSigned ? "s" : "u") + (transposed ? " transposed" : "") + " threads " + threads
                            + " at " + i + ": " + y[i] + " vs " + expected[i]);
                }
            }
        }
    }

    @Test
    void gemvEqualsUnsignedDotProductsOnAnyPanelRange() {
        // raw kernel: c[i] = sum_p u(A[i][p]) * x[p] for the rows of the chosen panels, odd k included
        Random r = new Random(12);
        int[][] sizes = {{1, 1}, {5, 3}, {19, 37}, {40, 64}, {33, 255}};
        for (Int8Kernels impl : implementations()) {
            for (int[] s : sizes) {
                int m = s[0], k = s[1];
                for (boolean signed : new boolean[] {false, true}) {
                    byte[] a = randomBytes(r, m * k);
                    int[] x = new int[k];
                    for (int p = 0; p < k; p++) {
                        x[p] = r.nextInt(256);
                    }
                    int kp = (k + 1) / 2;
                    int[] pairs = new int[kp];
                    for (int t = 0; t < kp; t++) {
                        pairs[t] = x[2 * t] | (2 * t + 1 < k ? x[2 * t + 1] << 16 : 0);
                    }
                    PackedInt8 packed = impl.pack(a, 0, k, m, k, signed);
                    int rows = packed.panelRows();
                    int panels = packed.panels();
                    int[][] ranges = {{0, panels}, {panels / 2, panels}, {1, Math.min(panels, 4)}};
                    for (int[] range : ranges) {
                        if (range[0] >= range[1]) {
                            continue;
                        }
                        int[] c = new int[panels * rows];
                        impl.gemv(packed, range[0], range[1], pairs, c);
                        for (int i = range[0] * rows; i < Math.min(m, range[1] * rows); i++) {
                            int want = 0;
                            for (int p = 0; p < k; p++) {
                                int u = (a[i * k + p] & 0xFF) ^ (signed ? 0x80 : 0);
                                want += u * x[p];
                            }
                            assertThat(c[i]).as("%s %dx%d signed %s panels %d..%d row %d", impl.name(), m, k, signed,
                                    range[0], range[1], i).isEqualTo(want);
                        }
                    }
                }
            }
        }
    }

    @Test
    void gemvOfA4096Layer() {
        Random r = new Random(5);
        for (Int8Kernels impl : implementations()) {
            check(r, impl, 4096, 1, 4096, true, false, true);
        }
    }

    @Test
    void requantizedProductApproximatesTheFloatProduct() {
        // real W and x, quantized per row (symmetric int8) and per tensor (uint8): the integer
        // result is within a few output steps of the float one
        Random r = new Random(6);
        int m = 24, n = 10, k = 200;
        float[] w = new float[m * k];
        float[] x = new float[k * n];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.1f;
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 3;
        }
        float sx = 3f / 255;
        byte[] wq = new byte[m * k];
        float[] sw = new float[m];
        for (int i = 0; i < m; i++) {
            float max = 0;
            for (int p = 0; p < k; p++) {
                max = Math.max(max, Math.abs(w[i * k + p]));
            }
            sw[i] = max / 127;
            for (int p = 0; p < k; p++) {
                wq[i * k + p] = (byte) Math.round(w[i * k + p] / sw[i]);
            }
        }
        byte[] xq = new byte[k * n];
        for (int i = 0; i < x.length; i++) {
            xq[i] = (byte) Math.round(x[i] / sx);
        }
        float[] real = new float[m * n];
        Gemm.sgemmNaive(false, false, m, n, k, 1f, w, 0, k, x, 0, n, 0f, real, 0, n);
        float ymin = -3, ymax = 3;
        float sy = (ymax - ymin) / 255;
        int zy = Math.round(-ymin / sy);
        double[] mult = new double[m];
        for (int i = 0; i < m; i++) {
            mult[i] = sx * sw[i] / sy;
        }
        for (Int8Kernels impl : implementations()) {
            PackedInt8 packed = impl.pack(wq, 0, k, m, k, true);
            Requantization rq = Requantization.forProduct(packed, new int[] {128}, 0, null, mult, zy, 0, 255);
            byte[] y = new byte[m * n];
            QuantizedGemm.multiply(packed, new Int8MatrixColumns().set(xq, 0, n, k, n, false, false), rq, y, 0, n, 1, 1);
            for (int i = 0; i < m * n; i++) {
                float got = ((y[i] & 0xFF) - zy) * sy;
                float want = Math.max(ymin, Math.min(ymax, real[i]));
                assertThat(Math.abs(got - want)).as("%s element %d", impl.name(), i).isLessThan(4 * sy);
            }
        }
    }
}
