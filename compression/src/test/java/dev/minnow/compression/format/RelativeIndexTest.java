package dev.minnow.compression.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.io.ModelFormatException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RelativeIndexTest {

    private static byte[] codesAt(int size, int[] positions, int[] codes) {
        byte[] c = new byte[size];
        for (int i = 0; i < positions.length; i++) {
            c[positions[i]] = (byte) codes[i];
        }
        return c;
    }

    /** With 3-bit gaps (at most 7 zeros skipped), kept weights at 1, 4 and 15 need one filler at 12. */
    @Test
    void aGapWiderThanTheIndexGetsAFillerZero() {
        byte[] c = codesAt(20, new int[] {1, 4, 15}, new int[] {5, 6, 7});
        RelativeIndex.Entries e = RelativeIndex.encode(c, 3);
        assertThat(e.count()).isEqualTo(4);
        assertThat(e.fillers()).isEqualTo(1);
        assertThat(Arrays.copyOf(e.gaps(), 4)).containsExactly(1, 2, 7, 2);   // 1; 4-1-1; filler at 12; 15-12-1
        assertThat(Arrays.copyOf(e.codes(), 4)).containsExactly(5, 6, 0, 7);
    }

    @Test
    void gapsAtAndJustPastTheLimit() {
        // exactly 7 zeros before position 7: fits
        RelativeIndex.Entries fits = RelativeIndex.encode(codesAt(8, new int[] {7}, new int[] {1}), 3);
        assertThat(fits.count()).isEqualTo(1);
        assertThat(fits.gaps()[0]).isEqualTo(7);
        // 8 zeros: a filler at 7, then a gap of 0
        RelativeIndex.Entries one = RelativeIndex.encode(codesAt(9, new int[] {8}, new int[] {1}), 3);
        assertThat(Arrays.copyOf(one.gaps(), one.count())).containsExactly(7, 0);
        assertThat(Arrays.copyOf(one.codes(), one.count())).containsExactly(0, 1);
        // 16 zeros: fillers at 7 and 15, then a gap of 0
        RelativeIndex.Entries two = RelativeIndex.encode(codesAt(17, new int[] {16}, new int[] {3}), 3);
        assertThat(Arrays.copyOf(two.gaps(), two.count())).containsExactly(7, 7, 0);
        assertThat(two.fillers()).isEqualTo(2);
    }

    @Test
    void emptyAndAllPrunedLayersHaveNoEntriesAndADenseLayerHasOnlyZeroGaps() {
        assertThat(RelativeIndex.encode(new byte[0], 5).count()).isZero();
        assertThat(RelativeIndex.encode(new byte[100], 5).count()).isZero();
        byte[] dense = new byte[10];
        Arrays.fill(dense, (byte) 2);
        RelativeIndex.Entries e = RelativeIndex.encode(dense, 1);
        assertThat(e.count()).isEqualTo(10);
        assertThat(Arrays.copyOf(e.gaps(), 10)).containsOnly(0);
    }

    @Test
    void randomSparsePatternsRoundTrip() throws Exception {
        Random r = new Random(9);
        for (int trial = 0; trial < 200; trial++) {
            int size = r.nextInt(3000);
            double keep = r.nextDouble() * (trial % 4 == 0 ? 0.01 : 0.5);
            byte[] c = new byte[size];
            for (int i = 0; i < size; i++) {
                if (r.nextDouble() < keep) {
                    c[i] = (byte) (1 + r.nextInt(255));
                }
            }
            int bits = 1 + r.nextInt(8);
            RelativeIndex.Entries e = RelativeIndex.encode(c, bits);
            for (int j = 0; j < e.count(); j++) {
                assertThat(e.gaps()[j]).isBetween(0, (1 << bits) - 1);
            }
            assertThat(RelativeIndex.decode(e.gaps(), e.codes(), e.count(), size)).containsExactly(c);
        }
    }

    @Test
    void anEntryPastTheEndIsAFormatError() {
        assertThatThrownBy(() -> RelativeIndex.decode(new int[] {3, 4}, new int[] {1, 1}, 2, 8))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("past the end of a layer of 8");
    }
}
