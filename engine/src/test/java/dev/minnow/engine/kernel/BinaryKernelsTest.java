package dev.minnow.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Both {@link BinaryKernels} implementations against a plain double loop over the same layouts:
 * one step of the adder tree (eight words) and many, all-ones and all-zeros words (the counts'
 * extremes, where a wrong carry would show), group ranges that do not start at zero, and an output
 * offset; and the check of the word count both share.
 */
class BinaryKernelsTest {

    /** The scalar kernels, and the vector ones when this JVM can load them (the build's tests always can). */
    static List<BinaryKernels> implementations() {
        List<BinaryKernels> all = new ArrayList<>();
        all.add(KernelProvider.binaryScalar());
        BinaryKernels vector = KernelProvider.binaryVectorOrNull();
        if (vector != null) {
            all.add(vector);
        }
        return all;
    }

    @Test
    void theBuildTestsTheVectorKernelsToo() {
        assertThat(KernelProvider.vectorModulePresent()).as("surefire runs with --add-modules jdk.incubator.vector")
                .isTrue();
        assertThat(implementations()).extracting(BinaryKernels::name).containsExactly("scalar", "vector (256-bit)");
    }

    @Test
    void countsDisagreeingBitsLikeTheDefinition() {
        Random r = new Random(5);
        for (int words : new int[] {8, 16, 24, 40, 72, 104}) {
            int groups = 7;
            long[] x = new long[groups * words * 4];
            long[] w = new long[3 + words * 4];
            for (int i = 0; i < x.length; i++) {
                x[i] = switch (i % 7) {
                    case 0 -> -1L;
                    case 1 -> 0L;
                    default -> r.nextLong();
                };
            }
            for (int k = 0; k < words; k++) {
                long v = k % 5 == 0 ? -1L : r.nextLong();
                for (int l = 0; l < 4; l++) {
                    w[3 + 4 * k + l] = v;
                }
            }
            int[] expected = new int[groups * 4];
            for (int g = 0; g < groups; g++) {
                for (int l = 0; l < 4; l++) {
                    int n = 0;
                    for (int k = 0; k < words; k++) {
                        n += Long.bitCount(x[(g * words + k) * 4 + l] ^ w[3 + 4 * k + l]);
                    }
                    expected[g * 4 + l] = n;
                }
            }
            for (BinaryKernels kernels : implementations()) {
                int[] out = new int[2 + groups * 4];
                kernels.disagreements(x, words, w, 3, 2, groups, out, 2 + 8);
                kernels.disagreements(x, words, w, 3, 0, 2, out, 2);
                for (int i = 0; i < groups * 4; i++) {
                    assertThat(out[2 + i]).as("%s, %d words, window %d", kernels.name(), words, i).isEqualTo(expected[i]);
                }
            }
        }
    }

    @Test
    void theLargestCountsAreExact() {
        int words = 1000;   // 64,000 disagreeing bits per window: far past any byte or 16-bit lane
        long[] x = new long[words * 4];
        long[] w = new long[words * 4];
        java.util.Arrays.fill(x, -1L);
        for (BinaryKernels kernels : implementations()) {
            int[] out = new int[4];
            kernels.disagreements(x, words, w, 0, 0, 1, out, 0);
            assertThat(out).as(kernels.name()).containsOnly(64 * words);
        }
    }

    @Test
    void rejectsWordCountsThatAreNotMultiplesOfEight() {
        for (BinaryKernels kernels : implementations()) {
            for (int words : new int[] {0, 4, 12}) {
                assertThatThrownBy(() -> kernels.disagreements(new long[48], words, new long[48], 0, 0, 1, new int[4], 0))
                        .as(kernels.name()).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("multiple of 8").hasMessageContaining("got " + words);
            }
        }
    }
}
