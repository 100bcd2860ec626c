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
}
