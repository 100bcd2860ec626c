package dev.minnow.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The affine map real = S (q - Z): parameter choice, rounding rules and round trips. */
class AffineQuantizationTest {

    @Test
    void affineRangeIsWidenedToContainZeroAndZeroIsExact() {
        // [-1, 3] on uint8: S = 4/255, Z = round(1 / S) = round(63.75) = 64
        AffineQuantization q = AffineQuantization.uint8(-1f, 3f);
        assertThat(q.scale()).isEqualTo(4f / 255f);
        assertThat(q.zeroPoint()).isEqualTo(64);
        assertThat(q.dequantize(q.quantize(0f))).isZero();
        // a ReLU output [0, 6]: Z = 0, so saturating at 0 is the ReLU
        AffineQuantization relu = AffineQuantization.uint8(0f, 6f);
        assertThat(relu.zeroPoint()).isZero();
        assertThat(relu.quantize(-2f)).isZero();
        // a range that does not reach 0 is widened: [2, 5] -> [0, 5]
        assertThat(AffineQuantization.uint8(2f, 5f).zeroPoint()).isZero();
        assertThat(AffineQuantization.uint8(2f, 5f).scale()).isEqualTo(5f / 255f);
        // all zeros: scale 1, nothing divides by zero
        assertThat(AffineQuantization.uint8(0f, 0f).scale()).isEqualTo(1f);
    }

    @Test
    void symmetricUsesZeroPointZeroAndTheNarrowRange() {
        AffineQuantization w = AffineQuantization.symmetric(0.5f, 127);
        assertThat(w.zeroPoint()).isZero();
        assertThat(w.qmin()).isEqualTo(-127);
        assertThat(w.scale()).isEqualTo(0.5f / 127);
        assertThat(w.quantize(-0.5f)).isEqualTo(-127);
        assertThat(w.quantize(-0.9f)).isEqualTo(-127);
        assertThat(w.quantize(0.25f)).isEqualTo(64);   // 63.5 -> 64 (half to even)
    }

    @Test
    void roundsHalfToEvenAsOnnx() {
        // ONNX QuantizeLinear example: scale 2, zero point 128: 3 / 2 = 1.5 -> 2, 1 / 2 = 0.5 -> 0, -254 / 2 -> 1
        assertThat(AffineQuantization.quantize(3f, 2f, 128, 0, 255)).isEqualTo(130);
        assertThat(AffineQuantization.quantize(1f, 2f, 128, 0, 255)).isEqualTo(128);
        assertThat(AffineQuantization.quantize(5f, 2f, 128, 0, 255)).isEqualTo(130);
        assertThat(AffineQuantization.quantize(-254f, 2f, 128, 0, 255)).isEqualTo(1);
        assertThat(AffineQuantization.quantize(1000f, 2f, 128, 0, 255)).isEqualTo(255);
        assertThat(AffineQuantization.quantize(-1000f, 2f, 128, 0, 255)).isEqualTo(0);
        assertThat(AffineQuantization.quantize(Float.NaN, 2f, 128, 0, 255)).isEqualTo(128);
    }

    @Test
    void roundTripErrorIsAtMostHalfAStepInsideTheRange() {
        Random r = new Random(3);
        for (int t = 0; t < 100; t++) {
            float min = -r.nextFloat() * 5;
            float max = r.nextFloat() * 5;
            AffineQuantization q = AffineQuantization.uint8(min, max);
            for (int i = 0; i < 100; i++) {
                float x = min + r.nextFloat() * (max - min);
                assertThat(Math.abs(q.fakeQuantize(x) - x)).isLessThanOrEqualTo(q.scale() / 2 * 1.0001f);
            }
            for (int v = 0; v <= 255; v++) {
                assertThat(q.quantize(q.dequantize(v))).isEqualTo(v);   // integers survive exactly
            }
        }
    }
}
