package dev.minnow.engine.kernel;

/**
 * {@link Int8Kernels} in plain Java: the same packed layouts as the vector kernels (panels of
 * {@value #PANEL_ROWS} rows), read with scalar loops of int arithmetic. Always available, and the
 * second implementation the tests compare the vector one with.
 */
public final class ScalarInt8Kernels implements Int8Kernels {
    static final ScalarInt8Kernels INSTANCE = new ScalarInt8Kernels();

    /** Rows per packed panel. */
    static final int PANEL_ROWS = 4;

    private ScalarInt8Kernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public PackedInt8 pack(byte[] a, int aOff, int lda, int m, int k, boolean signed) {
        return PackedInt8.pack(this, PANEL_ROWS, a, aOff, lda, m, k, signed);
    }

    @Override
    public void gemmPanel(PackedInt8 a, int panel, int[] pairs, int n, int[] c, int[] colSums) {
        int kp = a.pairs();
        int rows = a.panelRows();
        byte[] data = a.data();
        int base = a.panelOffset(panel);
        int full = n / QuantizedGemm.PANEL_COLUMNS * QuantizedGemm.PANEL_COLUMNS;
        for (int j = 0; j < n; j++) {
            // column j's pairs: stride 4 in a full panel, the tail's width in the last one
            int width = j < full ? QuantizedGemm.PANEL_COLUMNS : n - full;
            int start = (j < full ? j / QuantizedGemm.PANEL_COLUMNS * QuantizedGemm.PANEL_COLUMNS : full) * kp
                    + j % QuantizedGemm.PANEL_COLUMNS;
            if (colSums != null) {
                int s = 0;
                for (int t = 0, at = start; t < kp; t++, at += width) {
                    int v = pairs[at];
                    s += (v & 0xFFFF) + (v >>> 16);
                }
                colSums[j] = s;
            }
            for (int r = 0; r < rows; r++) {
                int acc = 0;
                int ai = base + 2 * r;
                for (int t = 0, at = start; t < kp; t++, at += width, ai += 2 * rows) {
                    int v = pairs[at];
                    acc += (data[ai] & 0xFF) * (v & 0xFFFF) + (data[ai + 1] & 0xFF) * (v >>> 16);
                }
                c[j * rows + r] = acc;
            }
        }
    }

    @Override
    public void gemv(PackedInt8 a, int panelFrom, int panelTo, int[] pairs, int[] c) {
        int kp = a.pairs();
        int rows = a.panelRows();
        byte[] data = a.data();
        for (int q = panelFrom; q < panelTo; q++) {
            int base = a.panelOffset(q);
            for (int r = 0; r < rows; r++) {
                int acc = 0;
                for (int t = 0, ai = base + 2 * r; t < kp; t++, ai += 2 * rows) {
                    int v = pairs[t];
                    acc += (data[ai] & 0xFF) * (v & 0xFFFF) + (data[ai + 1] & 0xFF) * (v >>> 16);
                }
                c[q * rows + r] = acc;
            }
        }
    }

    @Override
    public void shiftedRowSum(int[] in, int[] taps, int[] w, int wOff, int bias, int[] out, int outOff, int width) {
        int nt = taps.length;
        for (int j = 0; j < width; j++) {
            out[outOff + j] = bias;
        }
        for (int t = 0; t < nt; t++) {
            int wt = w[wOff + t];
            int base = taps[t];
            for (int j = 0; j < width; j++) {
                out[outOff + j] += wt * in[base + j];
            }
        }
    }
}
