package dev.minnow.engine.kernel;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Integer convolutions (the packed GEMM with implicit im2col, and the depthwise kernel, both
 * kernel implementations) against the direct int32 loops followed by the same requantization:
 * exactly equal.
 */
class QuantizedConvTest {

    private record Geometry(int batch, int cin, int cout, int group, int h, int w, int k, int stride, int pad,
                            int dilation) {
        int outH() {
            return (h + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        }

        int outW() {
            return (w + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        }
    }

    private static final Geometry[] CASES = {
        new Geometry(1, 3, 8, 1, 9, 9, 3, 1, 1, 1),
        new Geometry(2, 4, 10, 1, 12, 11, 3, 2, 1, 1),
        new Geometry(1, 16, 24, 1, 7, 7, 1, 1, 0, 1),      // pointwise
        new Geometry(2, 8, 12, 2, 8, 9, 3, 1, 2, 2),       // grouped and dilated
        new Geometry(1, 1, 20, 1, 28, 28, 5, 1, 0, 1),     // LeNet-5's first layer
        new Geometry(1, 6, 6, 6, 10, 10, 3, 1, 1, 1),      // depthwise stride 1
        new Geometry(2, 5, 10, 5, 11, 12, 3, 2, 1, 1),     // depthwise stride 2, multiplier 2
        new Geometry(1, 4, 4, 4, 9, 9, 3, 1, 2, 2),        // depthwise dilated
    };

    @Test
    void integerConvolutionsEqualTheReference() {
        Random r = new Random(21);
        for (Int8Kernels impl : QuantizedGemmTest.implementations()) {
            for (Geometry g : CASES) {
                for (int signs = 0; signs < 4; signs++) {
                    check(r, impl, g, (signs & 1) != 0, (signs & 2) != 0);
                }
            }
        }
    }

    private static void check(Random r, Int8Kernels impl, Geometry g, boolean xSigned, boolean wSigned) {
        int cinG = g.cin() / g.group();
        int taps = cinG * g.k() * g.k();
        byte[] x = QuantizedGemmTest.randomBytes(r, g.batch() * g.cin() * g.h() * g.w());
        byte[] w = QuantizedGemmTest.randomBytes(r, g.cout() * taps);
        int zx = xSigned ? r.nextInt(256) - 128 : r.nextInt(256);
        int[] zw = new int[g.cout()];
        double[] mult = new double[g.cout()];
        int[] bias = new int[g.cout()];
        for (int c = 0; c < g.cout(); c++) {
            zw[c] = wSigned ? r.nextInt(5) - 2 : 126 + r.nextInt(5);
            mult[c] = Math.exp(-4 - 3 * r.nextDouble()) / Math.sqrt(taps);
            bias[c] = r.nextInt(2001) - 1000;
        }
        int zy = r.nextInt(256);
        int[] in = {1, g.h(), g.w()};
        int[] out = {1, g.outH(), g.outW()};
        int[] kernel = {1, g.k(), g.k()};
        int[] strides = {1, g.stride(), g.stride()};
        int[] pads = {0, g.pad(), g.pad()};
        int[] dil = {1, g.dilation(), g.dilation()};
        int outPlane = g.outH() * g.outW();
        int[] acc = new int[g.batch() * g.cout() * outPlane];
        QuantizedConv.convolutionNaive(x, 0, xSigned, zx, w, 0, wSigned, zw, acc, 0, g.batch(), g.cin(), g.cout(),
                g.group(), in, out, kernel, strides, pads, dil);
        byte[] expected = new byte[acc.length];
        for (int i = 0; i < acc.length; i++) {
            int c = (i / outPlane) % g.cout();
            int q = zy + FixedPointMultiplier.of(mult[c]).apply(acc[i] + bias[c]);
            expected[i] = (byte) Math.max(0, Math.min(255, q));
        }
        byte[] y = new byte[expected.length];
        if (cinG == 1) {
            int[] centred = QuantizedDepthwise.centredWeights(w, 0, wSigned, zw, g.cout(), g.k() * g.k());
            Requantization rq = Requantization.forCentredSums(g.cout(), bias, mult, zy, 0, 255);
            QuantizedDepthwise.forward(impl, x, 0, xSigned, zx, centred, rq, y, 0, g.batch(), g.cin(),
                    g.cout() / g.cin(), g.h(), g.w(), g.outH(), g.outW(), g.k(), g.k(), g.stride(), g.stride(),
                    g.dilation(), g.dilation(), g.pad(), g.pad(), 2);
            compare(impl, g, "depthwise", y, expected);
        }
        ConvGemm.Shape s = ConvGemm.Shape.of(g.batch(), g.cin(), g.cout(), g.group(), in, out, kernel, strides, pads, dil);
        PackedInt8[] packed = QuantizedConv.packWeights(impl, s, w, 0, wSigned);
        int m = g.cout() / g.group();
        Requantization[] rq = new Requantization[g.group()];
        for (int gi = 0; gi < g.group(); gi++) {
            int[] zwU = new int[m];
            int[] b = new int[m];
            double[] mm = new double[m];
            for (int i = 0; i < m; i++) {
                zwU[i] = zw[gi * m + i] + (wSigned ? 128 : 0);
                b[i] = bias[gi * m + i];
                mm[i] = mult[gi * m + i];
            }
            rq[gi] = Requantization.forProduct(packed[gi], zwU, xSigned ? zx + 128 : zx, b, mm, zy, 0, 255);
        }
        for (int threads : new int[] {1, 2}) {
            java.util.Arrays.fill(y, (byte) 0);
            QuantizedConv.forwardPacked(s, packed, rq, x, 0, xSigned, zx, y, 0, new QuantizedConv.Sources(), threads);
            compare(impl, g, "gemm, " + threads + " threads", y, expected);
        }
    }

    private static void compare(Int8Kernels impl, Geometry g, String path, byte[] y, byte[] expected) {
        for (int i = 0; i < y.length; i++) {
            if (y[i] != expected[i]) {
                throw new AssertionError(impl.name() + " " + path + " " + g + " at " + i + ": " + (y[i] & 0xFF) + " vs "
                        + (expected[i] & 0xFF));
            }
        }
    }
}
