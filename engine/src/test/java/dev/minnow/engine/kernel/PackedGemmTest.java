package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The packed-weights GEMM and the implicit im2col, against the naive GEMM and the explicit im2col. */
class PackedGemmTest {

    @Test
    void packedProductWithBiasAndClampMatchesTheNaiveOne() {
        Random r = new Random(4);
        // 130x33, 600x7 and 1100x45 run column by column on the scalar kernels (600 and 1100 rows in 2 and 3 slabs)
        int[][] sizes = {{1, 1, 1}, {5, 7, 3}, {64, 49, 576}, {130, 33, 300}, {17, 600, 260}, {4, 16, 8},
            {600, 7, 20}, {1100, 45, 270}, {6, 1100, 20}};   // 1100 columns: past the scalar epilogue's chunk
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
                // with 2 and 3 threads the scalar kernel splits 64x49 and 130x33 by rows (3 threads: uneven ranges)
                for (int threads : new int[] {1, 2, 3}) {
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

    /**
     * The vector kernels share a product by rows when its columns make fewer than two register tiles
     * per thread (64 x 49 and 1100 x 45 above, at 2 and 3 threads), and by columns otherwise.
     */
    @Test
    void theVectorKernelsShareFewColumnsByRows() {
        assertThat(Gemm.vectorByRows(512, 2, 2)).isTrue();       // ResNet-18's last stage: 49 columns
        assertThat(Gemm.vectorByRows(1100, 3, 3)).isTrue();
        assertThat(Gemm.vectorByRows(512, 4, 2)).isFalse();      // two tiles per thread: by columns
        assertThat(Gemm.vectorByRows(512, 2, 1)).isFalse();      // one thread
        assertThat(Gemm.vectorByRows(24, 1, 2)).isFalse();       // too few rows to share
    }

    /**
     * The scalar kernels run a product with few columns and many rows column by column, along A's
     * columns kept as separate arrays (made on first use: the packed operand's footprint grows).
     */
    @Test
    void theScalarKernelsRunFewColumnsColumnByColumn() {
        assertThat(ScalarKernels.columnwisePays(512, 49)).isTrue();      // ResNet-18's last stage
        assertThat(ScalarKernels.columnwisePays(1000, 169)).isTrue();    // SqueezeNet's classifier: 2 slabs of 500
        assertThat(ScalarKernels.columnwisePays(256, 196)).isFalse();    // rows not twice the columns
        assertThat(ScalarKernels.columnwisePays(4096, 300)).isFalse();   // columns enough for the row-wise loop
        Random r = new Random(5);
        int m = 520, n = 30, k = 9;
        float[] a = GemmTest.random(r, m * k);
        float[] b = GemmTest.random(r, k * n);
        PackedLeft packed = ScalarKernels.INSTANCE.packLeft(a, 0, k, m, k);
        assertThat(packed.footprint()).isZero();
        float[] c = new float[m * n];
        Gemm.sgemmPacked(packed, ColumnSource.matrix(b, 0, n, k, n), c, 0, n, null, 0, Float.NEGATIVE_INFINITY,
                Float.POSITIVE_INFINITY, 1);
        assertThat(packed.footprint()).isEqualTo((long) m * k);
        float[] expected = new float[m * n];
        Gemm.sgemmNaive(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, expected, 0, n);
        for (int i = 0; i < m * n; i++) {
            assertThat(c[i]).as("element %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    /**
     * A row range computes exactly those rows of C (threads share a narrow product this way), in
     * both of the vector kernel's sweep orders (k = 70 panel by panel, k = 40 row tile by row tile).
     */
    @Test
    void aRowRangeWritesOnlyItsRows() {
        aRowRangeWritesOnlyItsRows(70);
        aRowRangeWritesOnlyItsRows(40);
    }

    private static void aRowRangeWritesOnlyItsRows(int k) {
        Random r = new Random(6);
        int m = 150, n = 37;
        float[] a = GemmTest.random(r, m * k);
        float[] b = GemmTest.random(r, k * n);
        float[] expected = new float[m * n];
        Gemm.sgemmNaive(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, expected, 0, n);
        int[][] ranges = {{0, 4}, {4, 8}, {124, 12}, {128, 22}, {136, 14}, {0, 150}};   // across the 128-row blocks
        for (SimdKernels impl : GemmTest.implementations()) {
            PackedLeft packed = impl.packLeft(a, 0, k, m, k);
            for (int[] range : ranges) {
                float[] c = new float[m * n];
                java.util.Arrays.fill(c, Float.NaN);
                impl.gemmPacked(packed, range[0], range[1], ColumnSource.matrix(b, 0, n, k, n), 0, n, c, 0, n,
                        null, 0, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
                for (int i = 0; i < m; i++) {
                    boolean inside = i >= range[0] && i < range[0] + range[1];
                    for (int j = 0; j < n; j++) {
                        float got = c[i * n + j];
                        if (inside ? !(Math.abs(got - expected[i * n + j]) <= GemmTest.tolerance(k)) : !Float.isNaN(got)) {
                            throw new AssertionError(impl.name() + " rows " + range[0] + "+" + range[1] + " at " + i
                                    + "," + j + ": " + got + (inside ? " vs " + expected[i * n + j] : " written"));
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

    /**
     * The GEMM over a {@link ConvColumns} source, the way a convolution runs it: stride-1 shapes
     * whose panels the vector kernel reads in place (output widths 16 and 24, panels inside one
     * output row or straddling two in halves of 8), a width of 14 where some panels must still be
     * packed, stride 2 and dilation 2, an image without padding read where it lies (at an offset),
     * and 40 channels so that the taps span two K blocks; against the explicit im2col times the
     * naive GEMM, on both implementations and 1 and 2 threads.
     */
    @Test
    void convolutionThroughThePackedGemmMatchesTheExplicitIm2col() {
        Random r = new Random(12);
        // {channels, height, width, kernel, stride, pad, dilation, filters}
        int[][] shapes = {{3, 10, 16, 3, 1, 1, 1, 7}, {2, 12, 24, 3, 1, 1, 1, 9}, {40, 9, 14, 3, 1, 1, 1, 5},
            {3, 20, 33, 3, 2, 1, 1, 4}, {4, 18, 20, 3, 1, 2, 2, 6}, {5, 11, 26, 3, 1, 0, 1, 8}, {3, 16, 16, 7, 2, 3, 1, 8}};
        for (SimdKernels impl : GemmTest.implementations()) {
            for (int[] s : shapes) {
                int c = s[0], h = s[1], w = s[2], k = s[3], st = s[4], pad = s[5], dil = s[6], m = s[7];
                int span = dil * (k - 1) + 1;
                int[] in = {1, h, w};
                int[] out = {1, (h + 2 * pad - span) / st + 1, (w + 2 * pad - span) / st + 1};
                int[] kernel = {1, k, k};
                int[] strides = {1, st, st};
                int[] pads = {0, pad, pad};
                int[] dils = {1, dil, dil};
                int taps = c * k * k;
                int p = out[1] * out[2];
                float[] x = GemmTest.random(r, 5 + c * h * w);
                float[] filters = GemmTest.random(r, m * taps);
                float[] bias = GemmTest.random(r, m);
                float[] cols = new float[taps * p];
                ConvKernels.im2col(x, 5, c, in, out, kernel, strides, pads, dils, cols, 0);
                float[] expected = new float[m * p];
                Gemm.sgemmNaive(false, false, m, p, taps, 1f, filters, 0, taps, cols, 0, p, 0f, expected, 0, p);
                PackedLeft packed = impl.packLeft(filters, 0, taps, m, taps);
                for (int threads : new int[] {1, 2}) {
                    float[] y = new float[m * p];
                    ConvColumns source = new ConvColumns().set(x, 5, c, in, out, kernel, strides, pads, dils);
                    Gemm.sgemmPacked(packed, source, y, 0, p, bias, 0, Float.NEGATIVE_INFINITY,
                            Float.POSITIVE_INFINITY, threads);
                    source.clear();
                    for (int i = 0; i < m * p; i++) {
                        float e = expected[i] + bias[i / p];
                        if (Math.abs(y[i] - e) > GemmTest.tolerance(taps)) {
                            throw new AssertionError(impl.name() + " shape " + java.util.Arrays.toString(s)
                                    + " threads " + threads + " at " + i + ": " + y[i] + " vs " + e);
                        }
                    }
                }
            }
        }
    }

    /** Which columns a GEMM may read in place, and that reading them there gives the im2col values. */
    @Test
    void inPlaceColumnsAreTheConsecutiveOnesAndHoldTheIm2colValues() {
        Random r = new Random(3);
        int c = 2;
        int[] in = {1, 4, 10};
        int[] out = {1, 4, 10};
        int[] kernel = {1, 3, 3};
        int[] ones = {1, 1, 1};
        int[] pads = {0, 1, 1};
        float[] x = GemmTest.random(r, c * 40);
        float[] cols = new float[c * 9 * 40];
        ConvKernels.im2col(x, 0, c, in, out, kernel, ones, pads, ones, cols, 0);
        ConvColumns source = new ConvColumns().set(x, 0, c, in, out, kernel, ones, pads, ones);
        assertThat(source.inPlaceColumn(5, 8)).as("columns 5..12 cross from output row 0 into row 1").isEqualTo(-1);
        assertThat(source.inPlaceColumn(36, 8)).as("past the 40 columns").isEqualTo(-1);
        for (int col : new int[] {0, 2, 10, 32}) {
            int start = source.inPlaceColumn(col, 8);
            assertThat(start).as("columns %d..%d lie in one output row", col, col + 7).isGreaterThanOrEqualTo(0);
            for (int row = 0; row < c * 9; row++) {
                for (int t = 0; t < 8; t++) {
                    assertThat(source.inPlaceArray()[source.inPlaceRowOffsets()[row] + start + t])
                            .as("B[%d][%d]", row, col + t).isEqualTo(cols[row * 40 + col + t]);
                }
            }
        }
        // strided rows are stored as phases: one output row's columns are consecutive again
        int[][] strides = {{1, 2, 2}, {1, 1, 3}, {1, 2, 2}};
        int[][] dilations = {ones, ones, {1, 1, 2}};
        int[][] outs = {{1, 2, 5}, {1, 4, 4}, {1, 2, 4}};
        for (int v = 0; v < strides.length; v++) {
            int[] o = outs[v];
            int p = o[1] * o[2];
            float[] expected = new float[c * 9 * p];
            ConvKernels.im2col(x, 0, c, in, o, kernel, strides[v], pads, dilations[v], expected, 0);
            ConvColumns strided = new ConvColumns().set(x, 0, c, in, o, kernel, strides[v], pads, dilations[v]);
            assertThat(strided.inPlaceColumn(o[2] - 1, 2)).as("variant %d: crosses an output row", v).isEqualTo(-1);
            for (int oh = 0; oh < o[1]; oh++) {
                int start = strided.inPlaceColumn(oh * o[2], o[2]);
                assertThat(start).as("variant %d: output row %d in place", v, oh).isGreaterThanOrEqualTo(0);
                for (int row = 0; row < c * 9; row++) {
                    for (int t = 0; t < o[2]; t++) {
                        assertThat(strided.inPlaceArray()[strided.inPlaceRowOffsets()[row] + start + t])
                                .as("variant %d: B[%d][%d]", v, row, oh * o[2] + t)
                                .isEqualTo(expected[row * p + oh * o[2] + t]);
                    }
                }
            }
            float[] panels = new float[c * 9 * 16];
            strided.copyPanels(0, c * 9, 0, Math.min(16, p), 16, panels, 0);
            for (int row = 0; row < c * 9; row++) {
                for (int t = 0; t < Math.min(16, p); t++) {
                    assertThat(panels[row * 16 + t]).as("variant %d: packed B[%d][%d]", v, row, t)
                            .isEqualTo(expected[row * p + t]);
                }
            }
        }
    }

    /**
     * The bordered copy of a strided convolution's input, split into column phases (by vector code
     * at stride 2) and shared by rows among threads once the volume is large: every column of B
     * equals im2col's, for each left padding's parity, odd and even widths, stride 2 and 3.
     */
    @Test
    void stridedVolumesHoldTheIm2colValuesForEveryPaddingAndThreadCount() {
        Random r = new Random(4);
        int c = 5;                   // 5 x 120 x 64: above the volume size that is copied in parallel
        int[] kernel = {1, 3, 3};
        for (int width : new int[] {61, 64}) {
            int[] in = {1, 120, width};
            float[] x = GemmTest.random(r, c * 120 * width);
            for (int stride : new int[] {2, 3}) {
                for (int pad = 0; pad <= 3; pad++) {
                    for (int dilation = 1; dilation <= 2; dilation++) {
                        int[] strides = {1, stride, stride};
                        int[] pads = {0, pad, pad};
                        int[] dils = {1, dilation, dilation};
                        int[] out = new int[3];
                        out[0] = 1;
                        for (int a = 1; a < 3; a++) {
                            out[a] = (in[a] + 2 * pad - dilation * 2 - 1) / stride + 1;
                        }
                        int p = out[1] * out[2];
                        float[] expected = new float[c * 9 * p];
                        ConvKernels.im2col(x, 0, c, in, out, kernel, strides, pads, dils, expected, 0);
                        for (int threads = 1; threads <= 2; threads++) {
                            ConvColumns source = new ConvColumns().set(x, 0, c, in, out, kernel, strides, pads, dils,
                                    threads);
                            float[] b = new float[c * 9 * p];
                            source.copyPanels(0, c * 9, 0, p, p, b, 0);
                            assertThat(java.util.Arrays.mismatch(b, expected))
                                    .as("first wrong element, width %d, stride %d, pad %d, dilation %d, %d threads",
                                            width, stride, pad, dilation, threads)
                                    .isEqualTo(-1);
                        }
                    }
                }
            }
        }
    }
}
