package dev.minnow.engine.kernel;

/**
 * The four arithmetic operations over one run of a broadcast walk: {@code n} outputs
 * {@code y[yi + i] = a[ai + i*as] (op) b[bi + i*bs]}, where each step {@code as}, {@code bs} is
 * 1 (the operand advances) or 0 (one of its elements is repeated, as when adding a scalar or a
 * per-channel bias). One method per element type; the choice of operation is made once per run,
 * outside the loop.
 *
 * <p>Integer division truncates toward zero, as in C and Java ({@code -7 / 2 == -3}); division
 * by zero throws {@link ArithmeticException}. Integer overflow wraps around (two's complement),
 * as ONNX Runtime's does; uint8 operands are read as 0..255.
 *
 * <p><b>Backward</b> (float only), {@link #floatRunBackward}: over the same run, with
 * {@code g = dL/dy},
 * <pre>
 *   ADD:  dA += g          dB += g
 *   SUB:  dA += g          dB -= g
 *   MUL:  dA += g * b      dB += g * a
 *   DIV:  dA += g / b      dB -= g * a / b^2
 * </pre>
 * An operand repeated along the run (step 0) receives the sum of the run's contributions in its
 * one element: the reduction over a broadcast dimension. {@link #addInto} is the backward of a
 * copy.
 */
public final class ArithmeticKernels {

    /** The operation applied element by element. */
    public enum Operation {
        ADD, SUB, MUL, DIV
    }

    private ArithmeticKernels() {
    }

    public static void floatRun(Operation op, float[] a, int ai, int as, float[] b, int bi, int bs,
                                float[] y, int yi, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] + b[bi + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] - b[bi + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] * b[bi + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] / b[bi + i * bs]; }
        }
    }

    public static void longRun(Operation op, long[] a, int ai, int as, long[] b, int bi, int bs,
                               long[] y, int yi, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] + b[bi + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] - b[bi + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] * b[bi + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] / b[bi + i * bs]; }
        }
    }

    public static void intRun(Operation op, int[] a, int ai, int as, int[] b, int bi, int bs,
                              int[] y, int yi, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] + b[bi + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] - b[bi + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] * b[bi + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) y[yi + i] = a[ai + i * as] / b[bi + i * bs]; }
        }
    }

    /**
     * int8 or uint8 ({@code unsigned}); results keep their low 8 bits. Only division depends on
     * signedness: the low 8 bits of a sum, difference or product are the same either way.
     */
    public static void byteRun(Operation op, boolean unsigned, byte[] a, int ai, int as, byte[] b, int bi, int bs,
                               byte[] y, int yi, int n) {
        int mask = unsigned ? 0xFF : -1;
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) y[yi + i] = (byte) (a[ai + i * as] + b[bi + i * bs]); }
            case SUB -> { for (int i = 0; i < n; i++) y[yi + i] = (byte) (a[ai + i * as] - b[bi + i * bs]); }
            case MUL -> { for (int i = 0; i < n; i++) y[yi + i] = (byte) (a[ai + i * as] * b[bi + i * bs]); }
            case DIV -> {
                for (int i = 0; i < n; i++) {
                    y[yi + i] = (byte) ((a[ai + i * as] & mask) / (b[bi + i * bs] & mask));
                }
            }
        }
    }

    /**
     * Adds the gradients of one float run into {@code da} and {@code db} (either may be null):
     * element {@code i} of the run contributes to {@code da[dai + i*as]} and {@code db[dbi + i*bs]},
     * the positions the forward run read {@code a} and {@code b} at. See the class comment for the
     * formulas.
     */
    public static void floatRunBackward(Operation op, float[] a, int ai, int as, float[] b, int bi, int bs,
                                        float[] dy, int dyi, float[] da, int dai, float[] db, int dbi, int n) {
        if (da != null) {
            switch (op) {
                case ADD, SUB -> { for (int i = 0; i < n; i++) da[dai + i * as] += dy[dyi + i]; }
                case MUL -> { for (int i = 0; i < n; i++) da[dai + i * as] += dy[dyi + i] * b[bi + i * bs]; }
                case DIV -> { for (int i = 0; i < n; i++) da[dai + i * as] += dy[dyi + i] / b[bi + i * bs]; }
            }
        }
        if (db != null) {
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) db[dbi + i * bs] += dy[dyi + i]; }
                case SUB -> { for (int i = 0; i < n; i++) db[dbi + i * bs] -= dy[dyi + i]; }
                case MUL -> { for (int i = 0; i < n; i++) db[dbi + i * bs] += dy[dyi + i] * a[ai + i * as]; }
                case DIV -> {
                    for (int i = 0; i < n; i++) {
                        float bv = b[bi + i * bs];
                        db[dbi + i * bs] -= dy[dyi + i] * a[ai + i * as] / (bv * bv);
                    }
                }
            }
        }
    }

    /** {@code dst[di + i] += src[si + i]} for {@code i < n}: the backward of a copy. */
    public static void addInto(float[] src, int si, float[] dst, int di, int n) {
        for (int i = 0; i < n; i++) {
            dst[di + i] += src[si + i];
        }
    }
}
