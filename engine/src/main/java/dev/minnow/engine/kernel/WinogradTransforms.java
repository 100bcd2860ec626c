package dev.minnow.engine.kernel;

/**
 * The data transforms of {@link WinogradConv} over a block of tiles, in a scalar and a vector
 * implementation chosen with the float kernels ({@link KernelProvider#winograd()}). They are
 * worth a Vector API version because C2 leaves them scalar: every loop reads and writes the same
 * kind of array at offsets that differ by a loop invariant, which C2 (JDK 17) does not vectorise.
 *
 * <p>Layout: {@code s} holds eight rows {@code st} floats apart. For the input transform they are
 * the even and odd samples of a tile row's four input rows, {@code e_r} at {@code 2r*st} and
 * {@code o_r} at {@code (2r+1)*st}, so that tile (column) {@code j} reads
 * {@code d_r = (e_r[j], o_r[j], e_r[j+1], o_r[j+1])}, and row {@code count} is read too. Point
 * {@code xi} of the transformed data (4 x 4 per tile, {@code xi = 4i + k}) is the row
 * {@code v[at + xi*step ..]} / {@code m[at + xi*step ..]}, one value per column.
 */
public interface WinogradTransforms {

    /** {@code v[at + (4i + k)*step + j] = (B^T d_j B)[i][k]} for columns {@code j < count}. */
    void input(float[] s, int st, float[] v, int at, int step, int count);

    /**
     * {@code A^T M_j A} for columns {@code j < count}, from {@code m[at + xi*step + j]}, into four
     * rows of {@code s}: even and odd outputs of the first output row at {@code 0} and {@code st},
     * of the second at {@code 2st} and {@code 3st}.
     */
    void output(float[] m, int at, int step, int count, float[] s, int st);

    /** Plain loops, also the tails of the vector implementation; any column range {@code [j0, j1)}. */
    final class Scalar implements WinogradTransforms {
        public static final Scalar INSTANCE = new Scalar();

        private Scalar() {
        }

        @Override
        public void input(float[] s, int st, float[] v, int at, int step, int count) {
            inputColumns(s, st, v, at, step, 0, count);
        }

        @Override
        public void output(float[] m, int at, int step, int count, float[] s, int st) {
            outputColumns(m, at, step, 0, count, s, st);
        }

        /** {@link #input} for the columns {@code [j0, j1)}. */
        public static void inputColumns(float[] s, int st, float[] v, int at, int step, int j0, int j1) {
            int e0 = 0, o0 = st, e1 = 2 * st, o1 = 3 * st, e2 = 4 * st, o2 = 5 * st, e3 = 6 * st, o3 = 7 * st;
            for (int j = j0; j < j1; j++) {
                // B^T along each row: d0 - d2, d1 + d2, d2 - d1, d1 - d3 (k = 0..3); then down the rows
                for (int k = 0; k < 4; k++) {
                    float h0 = rowTransform(s, k, e0, o0, j);
                    float h1 = rowTransform(s, k, e1, o1, j);
                    float h2 = rowTransform(s, k, e2, o2, j);
                    float h3 = rowTransform(s, k, e3, o3, j);
                    int p = at + k * step + j;
                    v[p] = h0 - h2;
                    v[p + 4 * step] = h1 + h2;
                    v[p + 8 * step] = h2 - h1;
                    v[p + 12 * step] = h1 - h3;
                }
            }
        }

        private static float rowTransform(float[] s, int k, int e, int o, int j) {
            return switch (k) {
                case 0 -> s[e + j] - s[e + j + 1];
                case 1 -> s[o + j] + s[e + j + 1];
                case 2 -> s[e + j + 1] - s[o + j];
                default -> s[o + j] - s[o + j + 1];
            };
        }

        /** {@link #output} for the columns {@code [j0, j1)}. */
        public static void outputColumns(float[] m, int at, int step, int j0, int j1, float[] s, int st) {
            for (int j = j0; j < j1; j++) {
                int q = at + j;
                // down the columns: u0 = m0 + m1 + m2, u1 = m1 - m2 - m3 for each column k
                float m1k0 = m[q + 4 * step], m2k0 = m[q + 8 * step];
                float m1k1 = m[q + 5 * step], m2k1 = m[q + 9 * step];
                float m1k2 = m[q + 6 * step], m2k2 = m[q + 10 * step];
                float m1k3 = m[q + 7 * step], m2k3 = m[q + 11 * step];
                float a0 = m[q] + m1k0 + m2k0;
                float a1 = m[q + step] + m1k1 + m2k1;
                float a2 = m[q + 2 * step] + m1k2 + m2k2;
                float a3 = m[q + 3 * step] + m1k3 + m2k3;
                float b0 = m1k0 - m2k0 - m[q + 12 * step];
                float b1 = m1k1 - m2k1 - m[q + 13 * step];
                float b2 = m1k2 - m2k2 - m[q + 14 * step];
                float b3 = m1k3 - m2k3 - m[q + 15 * step];
                // then along the rows
                s[j] = a0 + a1 + a2;
                s[st + j] = a1 - a2 - a3;
                s[2 * st + j] = b0 + b1 + b2;
                s[3 * st + j] = b1 - b2 - b3;
            }
        }
    }
}
