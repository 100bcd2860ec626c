package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.op.SlidingWindow.AutoPad;
import dev.minnow.engine.tensor.Shape;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {

    /** Resolves a 1-D window on an input of length {@code in} and returns {out, padBegin, padEnd}. */
    private static int[] along(SlidingWindow w, int in) {
        WindowGeometry g = w.resolve(Shape.of(1, 1, in), null);
        return new int[] {g.out[2], g.padBegin[2], g.padEnd[2]};
    }

    @Test
    void floorFormula() {
        // floor((10 + 1 + 1 - 3) / 2) + 1 = 5
        assertThat(along(SlidingWindow.of(3).withStrides(2).withPads(1, 1), 10)).containsExactly(5, 1, 1);
        // dilation 3 makes a 3-tap kernel span 7: floor((10 - 7) / 1) + 1 = 4
        assertThat(along(SlidingWindow.of(3).withDilations(3), 10)).containsExactly(4, 0, 0);
        // asymmetric: floor((6 + 2 + 0 - 2) / 3) + 1 = 3
        assertThat(along(SlidingWindow.of(2).withStrides(3).withPads(2, 0), 6)).containsExactly(3, 2, 0);
    }

    @Test
    void ceilModeKeepsPartialWindowsThatStartInside() {
        // 4 inputs, kernel 3, stride 2: floor gives 1, ceil gives 2 (the second window starts at 2)
        assertThat(along(SlidingWindow.of(3).withStrides(2), 4)[0]).isEqualTo(1);
        assertThat(along(SlidingWindow.of(3).withStrides(2).withCeilMode(true), 4)[0]).isEqualTo(2);
        // 5 inputs, pad 1, kernel 2, stride 3: ceil((5 + 2 - 2) / 3) + 1 = 3, but the third window
        // would start at 6 = in + pad_begin, inside the right padding, so it is dropped
        assertThat(along(SlidingWindow.of(2).withStrides(3).withPads(1, 1).withCeilMode(true), 5)[0]).isEqualTo(2);
        // exact fit: ceil and floor agree
        assertThat(along(SlidingWindow.of(2).withStrides(2).withCeilMode(true), 6)[0]).isEqualTo(3);
    }

    @Test
    void autoPadSplitsThePadding() {
        // in 5, stride 2, kernel 4: out 3, total (3-1)*2 + 4 - 5 = 3
        assertThat(along(SlidingWindow.of(4).withStrides(2).withAutoPad(AutoPad.SAME_UPPER), 5))
                .containsExactly(3, 1, 2);
        assertThat(along(SlidingWindow.of(4).withStrides(2).withAutoPad(AutoPad.SAME_LOWER), 5))
                .containsExactly(3, 2, 1);
        // a stride larger than the kernel can need no padding at all: in 5, stride 3, kernel 1
        assertThat(along(SlidingWindow.of(1).withStrides(3).withAutoPad(AutoPad.SAME_UPPER), 5))
                .containsExactly(2, 0, 0);
        // VALID: no padding, floor((7 - 3) / 2) + 1 = 3
        assertThat(along(SlidingWindow.of(3).withStrides(2).withAutoPad(AutoPad.VALID), 7)).containsExactly(3, 0, 0);
    }

    @Test
    void mapsLowerRanksOntoTrailingAxes() {
        WindowGeometry g = SlidingWindow.of(3, 2).withStrides(2, 1).resolve(Shape.of(2, 3, 7, 5), null);
        assertThat(g.in).containsExactly(1, 7, 5);
        assertThat(g.kernel).containsExactly(1, 3, 2);
        assertThat(g.out).containsExactly(1, 3, 4);
        assertThat(g.outputShape(8)).isEqualTo(Shape.of(2, 8, 3, 4));
    }

    @Test
    void readsAndExportsOnnxAttributes() {
        Attributes a = Attributes.builder().set("kernel_shape", new long[] {3, 3}).set("strides", new long[] {2, 2})
                .set("pads", new long[] {0, 1, 1, 0}).set("dilations", new long[] {2, 1}).build();
        SlidingWindow w = SlidingWindow.fromOnnx(a);
        assertThat(w).isEqualTo(SlidingWindow.of(3, 3).withStrides(2, 2).withPads(0, 1, 1, 0).withDilations(2, 1));
        Attributes.Builder b = Attributes.builder();
        w.exportTo(b);
        assertThat(b.build()).isEqualTo(a);
        assertThat(w.toString()).isEqualTo("SlidingWindow(kernel=[3, 3], strides=[2, 2], pads=[0, 1, 1, 0], dilations=[2, 1])");
    }

    @Test
    void refusesInconsistentSettings() {
        assertThatThrownBy(() -> SlidingWindow.of(3, 3).withStrides(1))
                .hasMessageContaining("inconsistent numbers of spatial axes");
        assertThatThrownBy(() -> SlidingWindow.of(3).withPads(1, 1, 1))
                .hasMessageContaining("pads must hold a begin and an end per spatial axis, found 3 values");
        assertThatThrownBy(() -> SlidingWindow.of(3).withPads(-1, 0)).hasMessageContaining("pads must be >= 0");
        assertThatThrownBy(() -> SlidingWindow.of(0)).hasMessageContaining("kernel_shape must be positive");
        assertThatThrownBy(() -> SlidingWindow.of(3).withPads(1, 1).withAutoPad(AutoPad.VALID).withPads(1, 1))
                .hasMessageContaining("cannot be combined with auto_pad VALID");
        // all-zero pads next to auto_pad are harmless and accepted (some exporters write them)
        assertThat(SlidingWindow.fromOnnx(Attributes.builder().set("kernel_shape", new long[] {2})
                .set("auto_pad", "VALID").set("pads", new long[] {0, 0}).build()).autoPad()).isEqualTo(AutoPad.VALID);
    }
}
