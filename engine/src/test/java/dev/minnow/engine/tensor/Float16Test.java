package dev.minnow.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.Cast;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Half precision against values worked by hand (IEEE 754 binary16 tables) and against an
 * independent reference: the value of a half computed from its fields in double arithmetic, and
 * the nearest half found by searching all 63,488 finite ones.
 */
class Float16Test {

    private static short h(int bits) {
        return (short) bits;
    }

    /** (-1)^s 2^(e-15) (1 + m/1024), or 2^-14 m/1024 for e = 0: the definition, in double. */
    private static double byDefinition(int bits) {
        int s = bits >>> 15 & 1;
        int e = bits >>> 10 & 0x1F;
        int m = bits & 0x3FF;
        double v = e == 0 ? Math.scalb(m / 1024.0, -14) : Math.scalb(1 + m / 1024.0, e - 15);
        return s == 1 ? -v : v;
    }

    @Test
    void wideningIsExactForEveryHalf() {
        for (int b = 0; b < 0x10000; b++) {
            int e = b >>> 10 & 0x1F;
            float f = Float16.toFloat(h(b));
            if (e == 0x1F) {
                assertThat((b & 0x3FF) == 0 ? Float.isInfinite(f) : Float.isNaN(f)).as("bits %04x", b).isTrue();
            } else {
                assertThat((double) f).as("bits %04x", b).isEqualTo(byDefinition(b));
                assertThat(Float.floatToRawIntBits(f) >>> 31).isEqualTo(b >>> 15); // -0 stays -0
            }
        }
    }

    @Test
    void everyHalfSurvivesTheRoundTripBitForBit() {
        for (int b = 0; b < 0x10000; b++) {
            if ((b >>> 10 & 0x1F) == 0x1F && (b & 0x3FF) != 0) {
                continue; // NaN payloads: checked below
            }
            assertThat(Float16.fromFloat(Float16.toFloat(h(b)))).as("bits %04x", b).isEqualTo(h(b));
        }
    }

    @Test
    void edgeCasesWorkedByHand() {
        assertThat(Float16.fromFloat(1f)).isEqualTo(h(0x3C00));
        assertThat(Float16.fromFloat(-2f)).isEqualTo(h(0xC000));
        assertThat(Float16.fromFloat(0f)).isEqualTo(h(0x0000));
        assertThat(Float16.fromFloat(-0f)).isEqualTo(h(0x8000));
        assertThat(Float16.fromFloat(65504f)).isEqualTo(h(0x7BFF));
        // overflow: 65519.99 rounds down to 65504; 65520 is the tie between 65504 (odd) and 2^16 (even): infinity
        assertThat(Float16.fromFloat(65519.99f)).isEqualTo(h(0x7BFF));
        assertThat(Float16.fromFloat(65520f)).isEqualTo(h(0x7C00));
        assertThat(Float16.fromFloat(-1e9f)).isEqualTo(h(0xFC00));
        assertThat(Float16.fromFloat(Float.POSITIVE_INFINITY)).isEqualTo(h(0x7C00));
        assertThat(Float16.fromFloat(Float.NEGATIVE_INFINITY)).isEqualTo(h(0xFC00));
        // NaN stays NaN (quiet), sign kept
        assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN)))).isTrue();
        assertThat(Float16.fromFloat(Float.intBitsToFloat(0xFF80_0001)) & 0xFE00).isEqualTo(0xFE00);
        // ties to even between 1 and the next half 1 + 2^-10
        assertThat(Float16.fromFloat(1f + 0x1.0p-11f)).isEqualTo(h(0x3C00));          // tie: even 1.0
        assertThat(Float16.fromFloat(1f + 3 * 0x1.0p-11f)).isEqualTo(h(0x3C02));      // tie: even 1 + 2^-9
        assertThat(Float16.fromFloat(1f + 0x1.0p-11f + 0x1.0p-20f)).isEqualTo(h(0x3C01)); // above the tie
        // subnormals: 2^-24 is the smallest; 2^-25 is the tie with 0 (even: 0); just above rounds up
        assertThat(Float16.fromFloat(0x1.0p-24f)).isEqualTo(h(0x0001));
        assertThat(Float16.fromFloat(0x1.0p-25f)).isEqualTo(h(0x0000));
        assertThat(Float16.fromFloat(0x1.0p-25f * 1.0001f)).isEqualTo(h(0x0001));
        assertThat(Float16.fromFloat(-3 * 0x1.0p-25f)).isEqualTo(h(0x8002));        // 1.5 steps: tie, even 2
        assertThat(Float16.fromFloat(5 * 0x1.0p-25f)).isEqualTo(h(0x0002));         // 2.5 steps: tie, even 2
        assertThat(Float16.fromFloat(Float.MIN_VALUE)).isEqualTo(h(0x0000));          // float subnormal
        // the largest subnormal (1023 * 2^-24) and the carry into the smallest normal 2^-14
        assertThat(Float16.fromFloat(1023 * 0x1.0p-24f)).isEqualTo(h(0x03FF));
        assertThat(Float16.fromFloat(1023.5f * 0x1.0p-24f)).isEqualTo(h(0x0400));
        assertThat(Float16.toFloat(h(0x0400))).isEqualTo(Float16.MIN_NORMAL);
        assertThat(Float16.fromFloat(0.1f)).isEqualTo(h(0x2E66)); // 0.0999755859375
    }

    @Test
    void narrowingFindsTheNearestHalfTiesToEven() {
        // the finite halves >= 0 in increasing order are the bit patterns 0x0000 .. 0x7BFF
        Random r = new Random(7);
        for (int k = 0; k < 20_000; k++) {
            float f = switch (k % 3) {
                case 0 -> (float) Math.scalb(r.nextDouble(), r.nextInt(42) - 26); // subnormal to large
                case 1 -> Float.intBitsToFloat(r.nextInt()) % 65504f;              // any bit pattern in range
                default -> (Float16.toFloat(h(r.nextInt(0x7BFF))) + Float16.toFloat(h(r.nextInt(0x7BFF)))) / 2;
            };
            if (Float.isNaN(f)) {
                continue;
            }
            assertThat(Float16.fromFloat(f)).as("%s", Float.toHexString(f)).isEqualTo(nearest(f));
        }
    }

    /** The nearest finite half by binary search over the ordered magnitudes; ties to the even pattern. */
    private static short nearest(float f) {
        double a = Math.abs((double) f);
        int lo = 0;
        int hi = 0x7BFF;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (byDefinition(mid) <= a) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int best = lo;
        if (lo < 0x7BFF) {
            double below = a - byDefinition(lo);
            double above = byDefinition(lo + 1) - a;
            if (above < below || above == below && (lo & 1) == 1) {
                best = lo + 1;
            }
        }
        int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
        return (short) (sign | best);
    }

    @Test
    void float16TensorsGoThroughOnnxAndCastWidensThem() throws Exception {
        Tensor half = Float16.narrow(Tensor.of(Shape.of(2, 2), 1f, -0.1f, 65504f, 0x1.0p-24f));
        assertThat(half.shortData()).containsExactly(h(0x3C00), h(0xAE66), h(0x7BFF), h(0x0001));
        assertThat(half.copy().contentEquals(half)).isTrue();
        assertThat(half.reshape(Shape.of(4)).shortData()).isSameAs(half.shortData());
        Graph g = Graph.builder("widen").input("x", 2, 2).initializer("w", half)
                .node("cast", new Cast(DataType.FLOAT), List.of("w"), List.of("wf"))
                .node("add", new dev.minnow.engine.op.Add(), List.of("x", "wf"), List.of("y")).output("y").build();
        Graph back = OnnxReader.read(OnnxWriter.toBytes(g), "half");
        assertThat(back.initializer("w").contentEquals(half)).isTrue();
        Tensor y = Plan.compile(back, Shape.of(2, 2)).runSingle(Tensor.zeros(2, 2));
        assertThat(y.toFloatArray()).containsExactly(1f, Float16.toFloat(h(0xAE66)), 65504f, 0x1.0p-24f);
        Tensor int16 = Tensor.ofShorts(Shape.of(3), DataType.INT16, (short) -32768, (short) 7, (short) 32767);
        Graph gi = Graph.builder("i16").input("x", 3).initializer("q", int16)
                .node("cast", new Cast(DataType.FLOAT), List.of("q"), List.of("qf"))
                .node("add", new dev.minnow.engine.op.Add(), List.of("x", "qf"), List.of("y")).output("y").build();
        Graph gb = OnnxReader.read(OnnxWriter.toBytes(gi), "int16");
        assertThat(Plan.compile(gb, Shape.of(3)).runSingle(Tensor.zeros(3)).toFloatArray())
                .containsExactly(-32768f, 7f, 32767f);
        assertThat(int16.toLongArray()).containsExactly(-32768L, 7L, 32767L);
    }
}
