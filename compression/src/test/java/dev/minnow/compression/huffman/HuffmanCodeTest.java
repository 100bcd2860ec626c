package dev.minnow.compression.huffman;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.io.ModelFormatException;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HuffmanCodeTest {

    /** CLRS's example (section 16.3): a 45, b 13, c 12, d 16, e 9, f 5 gives lengths 1 3 3 3 4 4, 224 bits. */
    @Test
    void textbookExampleGivesTheKnownLengthsAndCanonicalCodes() {
        long[] f = {45, 13, 12, 16, 9, 5};
        HuffmanCode code = HuffmanCode.fromFrequencies(f);
        int[] lengths = new int[6];
        for (int s = 0; s < 6; s++) {
            lengths[s] = code.length(s);
        }
        assertThat(lengths).containsExactly(1, 3, 3, 3, 4, 4);
        assertThat(code.encodedBits(f)).isEqualTo(224);
        // canonical: ordered by (length, symbol): a=0, b=100, c=101, d=110, e=1110, f=1111
        assertThat(new int[] {code.code(0), code.code(1), code.code(2), code.code(3), code.code(4), code.code(5)})
                .containsExactly(0b0, 0b100, 0b101, 0b110, 0b1110, 0b1111);
    }

    /** The cost of an optimal prefix code: the sum of all merged weights (an independent re-derivation). */
    private static long optimalCost(long[] f) {
        PriorityQueue<Long> q = new PriorityQueue<>();
        for (long x : f) {
            if (x > 0) {
                q.add(x);
            }
        }
        if (q.size() == 1) {
            return q.peek();        // one symbol: one bit each
        }
        long cost = 0;
        while (q.size() > 1) {
            long m = q.poll() + q.poll();
            cost += m;
            q.add(m);
        }
        return cost;
    }

    private static int[] sample(long[] f, int n, Random r) {
        long total = 0;
        for (long x : f) {
            total += x;
        }
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            long t = (long) (r.nextDouble() * total);
            int k = 0;
            while (t >= f[k]) {
                t -= f[k++];
            }
            s[i] = k;
        }
        return s;
    }

    private static int[] roundTrip(HuffmanCode code, int[] symbols) throws ModelFormatException {
        BitWriter w = new BitWriter();
        code.writeTable(w);
        for (int s : symbols) {
            code.encode(s, w);
        }
        BitReader r = new BitReader(w.toByteArray(), 0, w.bitLength());
        HuffmanCode read = HuffmanCode.readTable(r, code.alphabetSize());
        int[] out = new int[symbols.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = read.decode(r);
        }
        assertThat(r.remaining()).isZero();
        return out;
    }

    @Test
    void randomDistributionsRoundTripAndCostTheOptimum() throws Exception {
        Random r = new Random(7);
        for (int trial = 0; trial < 40; trial++) {
            int alphabet = 1 + r.nextInt(trial % 2 == 0 ? 32 : 256);
            long[] weights = new long[alphabet];
            for (int s = 0; s < alphabet; s++) {
                weights[s] = switch (trial % 3) {
                    case 0 -> 1 + r.nextInt(100);                              // near uniform
                    case 1 -> (long) (1000 * Math.pow(0.7, s)) + (r.nextBoolean() ? 0 : 1); // geometric, some unused
                    default -> 1 + 1000 / (s + 1);                             // Zipf
                };
            }
            int[] symbols = sample(weights, 2000, r);
            long[] f = HuffmanCode.frequencies(symbols, symbols.length, alphabet);
            HuffmanCode code = HuffmanCode.fromFrequencies(f);
            assertThat(roundTrip(code, symbols)).containsExactly(symbols);
            assertThat(code.encodedBits(f)).isEqualTo(optimalCost(f));
            // within one bit of the entropy per symbol
            double h = 0;
            for (long x : f) {
                if (x > 0) {
                    double p = (double) x / symbols.length;
                    h -= p * Math.log(p) / Math.log(2);
                }
            }
            double avg = (double) code.encodedBits(f) / symbols.length;
            assertThat(avg).isGreaterThanOrEqualTo(h - 1e-9).isLessThan(Math.max(h, 0) + 1 + 1e-9);
        }
    }

    @Test
    void oneSymbolGetsOneBitAndNoSymbolCostsNothing() throws Exception {
        long[] f = new long[32];
        f[17] = 1000;
        HuffmanCode one = HuffmanCode.fromFrequencies(f);
        assertThat(one.length(17)).isEqualTo(1);
        assertThat(one.encodedBits(f)).isEqualTo(1000);
        int[] symbols = new int[1000];
        java.util.Arrays.fill(symbols, 17);
        assertThat(roundTrip(one, symbols)).containsExactly(symbols);

        HuffmanCode none = HuffmanCode.fromFrequencies(new long[32]);
        assertThat(none.encodedBits(new long[32])).isZero();
        assertThat(roundTrip(none, new int[0])).isEmpty();
        assertThatThrownBy(() -> none.encode(0, new BitWriter())).isInstanceOf(IllegalArgumentException.class);
    }

    /** Fibonacci frequencies make the deepest possible tree (n-1 levels); the cap must hold and stay decodable. */
    @Test
    void adversarialFibonacciFrequenciesAreCappedAtTheMaximumLength() throws Exception {
        long[] f = new long[40];
        f[0] = 1;
        f[1] = 1;
        for (int s = 2; s < f.length; s++) {
            f[s] = f[s - 1] + f[s - 2];
        }
        HuffmanCode code = HuffmanCode.fromFrequencies(f);
        int max = 0;
        for (int s = 0; s < f.length; s++) {
            max = Math.max(max, code.length(s));
        }
        assertThat(max).isLessThanOrEqualTo(HuffmanCode.MAX_LENGTH);
        // unconstrained it would need 39 bits; the capped code stays within a few percent of optimal
        assertThat((double) code.encodedBits(f) / optimalCost(f)).isLessThan(1.01);
        int[] symbols = new int[200];
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = i % f.length;
        }
        assertThat(roundTrip(code, symbols)).containsExactly(symbols);
    }

    @Test
    void overSubscribedLengthsAreRefused() {
        assertThatThrownBy(() -> HuffmanCode.fromLengths(new int[] {1, 1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Kraft");
        assertThatThrownBy(() -> HuffmanCode.fromLengths(new int[] {25}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnassignedCodeOrAnExhaustedStreamIsAFormatError() {
        // lengths 1 and 2 leave the code 11 unassigned
        HuffmanCode code = HuffmanCode.fromLengths(new int[] {1, 2, 0});
        BitWriter w = new BitWriter();
        w.write(0b11, 2);
        for (int i = 0; i < 30; i++) {
            w.writeBit(1);
        }
        assertThatThrownBy(() -> code.decode(new BitReader(w.toByteArray(), 0, w.bitLength())))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("invalid Huffman code");
        assertThatThrownBy(() -> code.decode(new BitReader(new byte[] {(byte) 0x80}, 0, 1)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("exhausted");
    }

    @Test
    void bitsAreWrittenMostSignificantFirst() throws Exception {
        BitWriter w = new BitWriter();
        w.write(0b101, 3);
        w.write(0b11110, 5);
        w.write(1, 1);
        assertThat(w.bitLength()).isEqualTo(9);
        assertThat(w.toByteArray()).containsExactly((byte) 0b10111110, (byte) 0b10000000);
        BitReader r = new BitReader(w.toByteArray(), 0, 9);
        assertThat(r.read(4)).isEqualTo(0b1011);
        assertThat(r.read(5)).isEqualTo(0b11101);
        assertThatThrownBy(r::readBit).isInstanceOf(ModelFormatException.class);
    }
}
