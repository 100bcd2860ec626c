package dev.minnow.compression.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.tensor.AffineQuantization;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The observers against ranges worked out by hand, and the histogram calibrations on data with known answers. */
class ObserversTest {

    private static Tensor t(float... v) {
        return Tensor.of(Shape.of(v.length), v);
    }

    @Test
    void minMaxKeepsTheExtremesOfEveryBatch() {
        MinMaxObserver o = new MinMaxObserver();
        assertThatThrownBy(o::range).hasMessageContaining("seen no values");
        o.observe(t(1f, -2f, 3f));
        o.observe(t(0.5f, 4f, -1f));
        assertThat(o.range()).isEqualTo(new Range(-2f, 4f));
    }

    @Test
    void movingAverageStartsAtTheFirstBatchThenMovesByTheAveragingConstant() {
        MovingAverageMinMaxObserver o = new MovingAverageMinMaxObserver(0.5f);
        o.observe(t(-1f, 2f));
        assertThat(o.range()).isEqualTo(new Range(-1f, 2f));
        // min = -1 + 0.5 (-3 - -1) = -2;  max = 2 + 0.5 (4 - 2) = 3
        o.observe(t(-3f, 0f, 4f));
        assertThat(o.range()).isEqualTo(new Range(-2f, 3f));
        // one wild batch moves a 0.01 average by a hundredth of the jump only
        MovingAverageMinMaxObserver slow = new MovingAverageMinMaxObserver(0.01f);
        slow.observe(t(0f, 1f));
        slow.observe(t(0f, 101f));
        assertThat(slow.range().max()).isEqualTo(2f, within(1e-6f));
        assertThatThrownBy(() -> new MovingAverageMinMaxObserver(0f)).hasMessageContaining("(0, 1]");
    }

    /** 1000 values evenly in [0, 1) and one outlier at 100. */
    private static Tensor uniformWithOutlier() {
        float[] v = new float[1001];
        for (int i = 0; i < 1000; i++) {
            v[i] = i / 1000f;
        }
        v[1000] = 100f;
        return t(v);
    }

    private static Range calibrate(Observer o, Tensor... batches) {
        for (Tensor b : batches) {
            o.observe(b);
        }
        assertThat(o.needsSecondPass()).isTrue();
        for (Tensor b : batches) {
            o.observeAgain(b);
        }
        return o.range();
    }

    @Test
    void percentileClipsAtTheBinHoldingThatShareOfTheValues() {
        // 2048 bins of width 100/2048 = 0.0488; 99.9 % of 1001 values = 1000 values, all below 0.999,
        // i.e. in bins 0..20; the threshold is the end of bin 20: 21 * 0.0488 = 1.025
        Range r = calibrate(HistogramObserver.percentile(99.9), uniformWithOutlier());
        assertThat(r.min()).isEqualTo(0f);
        assertThat(r.max()).isEqualTo(21 * 100f / 2048, within(1e-4f));
        // 100 % keeps everything
        assertThat(calibrate(HistogramObserver.percentile(100), uniformWithOutlier()).max()).isEqualTo(100f);
    }

    @Test
    void entropyAndMseCalibrationClipALoneOutlierButKeepABalancedRange() {
        Range entropy = calibrate(HistogramObserver.entropy(), uniformWithOutlier());
        Range mse = calibrate(HistogramObserver.mse(), uniformWithOutlier());
        // min/max would spend 255 levels on [0, 100], leaving ~2.5 levels for the data itself
        assertThat(entropy.max()).isBetween(0.9f, 20f);
        assertThat(mse.max()).isBetween(0.9f, 20f);
        // with no outlier, clipping only hurts: both keep (nearly) the whole range of uniform data
        Random rnd = new Random(3);
        float[] u = new float[20000];
        for (int i = 0; i < u.length; i++) {
            u[i] = rnd.nextFloat();
        }
        assertThat(calibrate(HistogramObserver.entropy(), t(u)).max()).isGreaterThan(0.8f);
        assertThat(calibrate(HistogramObserver.mse(), t(u)).max()).isGreaterThan(0.95f);
    }

    @Test
    void mseClipsAGaussianBetweenTwoAndFiveStandardDeviations() {
        // for 8-bit uniform noise over [-t, t] against Gaussian tails, the optimum lies near 3-4 sigma
        Random rnd = new Random(5);
        float[] g = new float[100_000];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rnd.nextGaussian();
        }
        Range r = calibrate(HistogramObserver.mse(), t(g));
        assertThat(r.max()).isBetween(2f, 5f);
        assertThat(r.min()).isEqualTo(-r.max(), within(1e-6f));
    }

    @Test
    void rangesBecomeAffineParametersThatRepresentZeroExactly() {
        // [-1, 3]: scale = 4 / 255, zero point = 0 - round(-1 / scale) = round(63.75) = 64
        AffineQuantization q = new Range(-1f, 3f).uint8();
        assertThat(q.scale()).isEqualTo(4f / 255, within(1e-9f));
        assertThat(q.zeroPoint()).isEqualTo(64);
        assertThat(q.dequantize(q.quantize(0f))).isEqualTo(0f);
        // a ReLU output [0, 6]: zero point 0, so saturation at 0 is the ReLU
        assertThat(new Range(0f, 6f).uint8().zeroPoint()).isZero();
        // signed activations: [-128, 127]
        assertThat(new Range(-1f, 1f).parameters(true).qmin()).isEqualTo(-128);
        assertThat(ObserverKind.fromCliName("ema")).isEqualTo(ObserverKind.MOVING_AVERAGE);
        assertThatThrownBy(() -> ObserverKind.fromCliName("kl")).hasMessageContaining("minmax, ema, percentile");
    }
}
