package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Requantization arithmetic: M = M0 * 2^-(31+shift), against hand computations and exact arithmetic. */
class FixedPointMultiplierTest {

    @Test
    void decomposesAMultiplierIntoASignificandInHalfOpenUnitIntervalAndAShift() {
        // 0.3 = 0.6 * 2^-1: M0 = round(0.6 * 2^31) = 1288490189, shift 1
        FixedPointMultiplier f = FixedPointMultiplier.of(0.3);
        assertThat(f.m0()).isEqualTo(1288490189);
        assertThat(f.shift()).isEqualTo(1);
        // 0.5 exactly: M0 = 2^30, shift 0
        assertThat(FixedPointMultiplier.of(0.5)).isEqualTo(new FixedPointMultiplier(1 << 30, 0));
        // 3.0 = 0.75 * 2^2: a multiplier above 1 shifts left
        assertThat(FixedPointMultiplier.of(3.0)).isEqualTo(new FixedPointMultiplier(1610612736, -2));
        assertThat(FixedPointMultiplier.of(0)).isEqualTo(new FixedPointMultiplier(0, 0));
        Random r = new Random(1);
        for (int i = 0; i < 1000; i++) {
            double m = Math.exp(-20 * r.nextDouble()) * 3;
            FixedPointMultiplier g = FixedPointMultiplier.of(m);
            assertThat(g.m0()).isBetween(1 << 30, Integer.MAX_VALUE);
            assertThat(Math.abs(g.real() - m) / m).isLessThan(1e-9);
        }
    }

    @Test
    void multiplyRoundsToNearestWithTiesToEven() {
        // M = 0.5: 3 * 0.5 = 1.5 -> 2, 5 * 0.5 = 2.5 -> 2, -3 * 0.5 = -1.5 -> -2, 7 * 0.5 = 3.5 -> 4
        FixedPointMultiplier half = FixedPointMultiplier.of(0.5);
        assertThat(half.apply(3)).isEqualTo(2);
        assertThat(half.apply(5)).isEqualTo(2);
        assertThat(half.apply(-3)).isEqualTo(-2);
        assertThat(half.apply(7)).isEqualTo(4);
        // M = 0.3, acc = 1000: 300 exactly (M0 approximates 0.6 within 2^-32)
        assertThat(FixedPointMultiplier.of(0.3).apply(1000)).isEqualTo(300);
        assertThat(FixedPointMultiplier.of(0.3).apply(-1001)).isEqualTo(-300);   // -300.3
    }

    @Test
    void multiplyIsTheCorrectlyRoundedProductOfTheFixedPointValue() {
        Random r = new Random(2);
        for (int i = 0; i < 20000; i++) {
            FixedPointMultiplier f = FixedPointMultiplier.of(Math.exp(-25 * r.nextDouble()) * 4);
            int acc = r.nextInt(1 << 24) - (1 << 23);
            BigDecimal exact = BigDecimal.valueOf(acc).multiply(BigDecimal.valueOf(f.m0()))
                    .divide(BigDecimal.valueOf(2).pow(31 + f.shift()));
            int expected = exact.setScale(0, RoundingMode.HALF_EVEN).intValueExact();
            assertThat(f.apply(acc)).as("%d * %s", acc, f).isEqualTo(expected);
            // the paper's two roundings differ from one rounding by at most 1
            assertThat(Math.abs(FixedPointMultiplier.multiplyTwoRoundings(acc, f.m0(), f.shift()) - expected))
                    .isLessThanOrEqualTo(1);
        }
    }

    @Test
    void gemmlowpPrimitivesMatchTheirDefinitions() {
        // SRDHM(a, b) = round(a * b / 2^31), a tie rounding up
        assertThat(FixedPointMultiplier.saturatingRoundingDoublingHighMul(1 << 30, 1 << 30)).isEqualTo(1 << 29);
        assertThat(FixedPointMultiplier.saturatingRoundingDoublingHighMul(Integer.MIN_VALUE, Integer.MIN_VALUE))
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(FixedPointMultiplier.saturatingRoundingDoublingHighMul(3, 1 << 30)).isEqualTo(2);   // 1.5 -> 2
        assertThat(FixedPointMultiplier.saturatingRoundingDoublingHighMul(-3, 1 << 30)).isEqualTo(-1);  // -1.5 -> -1
        // RoundingDivideByPOT: 5 / 2 = 2.5 -> 3, -5 / 2 -> -3, 7 / 4 = 1.75 -> 2
        assertThat(FixedPointMultiplier.roundingDivideByPowerOfTwo(5, 1)).isEqualTo(3);
        assertThat(FixedPointMultiplier.roundingDivideByPowerOfTwo(-5, 1)).isEqualTo(-3);
        assertThat(FixedPointMultiplier.roundingDivideByPowerOfTwo(7, 2)).isEqualTo(2);
    }

    @Test
    void refusesNegativeAndHugeMultipliers() {
        assertThatThrownBy(() -> FixedPointMultiplier.of(-1)).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> FixedPointMultiplier.of(1e12)).hasMessageContaining("too large");
    }
}
