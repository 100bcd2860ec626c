package dev.minnow.compression.huffman;

import dev.minnow.engine.io.ModelFormatException;
import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * A canonical Huffman code over the alphabet {@code 0 .. alphabetSize-1} (Huffman 1952, "A Method
 * for the Construction of Minimum-Redundancy Codes"; the canonical form is DEFLATE's, RFC 1951
 * section 3.2.2).
 *
 * <p><b>Construction.</b> Repeatedly merge the two least frequent nodes; a symbol's code length is
 * its leaf's depth. This minimises the expected code length {@code sum_s p(s) len(s)}, which lies
 * within one bit of the entropy {@code H = -sum_s p(s) log2 p(s)}. Ties are broken by the lowest
 * symbol, so the same frequencies always give the same code. Lengths are capped at
 * {@link #MAX_LENGTH} bits as bzip2 does it: while the longest code is too long, halve every
 * frequency ({@code f -> 1 + f/2}) and rebuild (a very skewed distribution costs a few
 * hundredths of a bit per symbol; the cap keeps the decoder's tables small and the stored lengths
 * in 5 bits).
 *
 * <p><b>Canonical codes.</b> Only the code lengths are stored. Codes are then assigned in order of
 * (length, symbol): the first code of length {@code L} is {@code (first(L-1) + count(L-1)) << 1},
 * and symbols of the same length take consecutive values. So the table is {@code alphabetSize}
 * numbers of 5 bits, not a tree.
 *
 * <p><b>Decoding</b> (Mark Adler's puff.c): read bits one at a time into {@code code}; at each length
 * {@code L}, the codes of that length are {@code first .. first+count(L)-1}, so {@code code - first
 * < count(L)} identifies the symbol as the {@code (code-first)}-th of that length.
 *
 * <p>Edge cases: an alphabet with no symbol in use has no codes (encoding nothing costs nothing);
 * a single symbol in use gets a 1-bit code (as in DEFLATE), so that every symbol costs at least
 * one bit and the stream length counts the symbols.
 */
public final class HuffmanCode {
    /** The longest code length. */
    public static final int MAX_LENGTH = 24;
    /** Bits used to store one code length in a table. */
    static final int LENGTH_FIELD_BITS = 5;

    private final int[] lengths;
    private final int[] codes;
    private final int[] countPerLength = new int[MAX_LENGTH + 1];
    private final int[] symbolsByCode;

    private HuffmanCode(int[] lengths) {
        this.lengths = lengths;
        this.codes = new int[lengths.length];
        int used = 0;
        for (int len : lengths) {
            countPerLength[len]++;
            used += len > 0 ? 1 : 0;
        }
        countPerLength[0] = 0;
        int[] next = new int[MAX_LENGTH + 2];
        int code = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            code = (code + countPerLength[len - 1]) << 1;
            next[len] = code;
        }
        // symbols ordered by (length, symbol): the order in which canonical codes are handed out
        symbolsByCode = new int[used];
        int[] startOfLength = new int[MAX_LENGTH + 2];
        for (int len = 1; len <= MAX_LENGTH; len++) {
            startOfLength[len + 1] = startOfLength[len] + countPerLength[len];
        }
        for (int s = 0; s < lengths.length; s++) {
            int len = lengths[s];
            if (len > 0) {
                codes[s] = next[len]++;
                symbolsByCode[startOfLength[len]++] = s;
            }
        }
    }

    /**
     * The optimal code (lengths capped at {@link #MAX_LENGTH}) for these symbol frequencies.
     *
     * @param frequencies occurrences of each symbol; the array's length is the alphabet size
     */
    public static HuffmanCode fromFrequencies(long[] frequencies) {
        int used = 0;
        for (long f : frequencies) {
            if (f < 0) {
                throw new IllegalArgumentException("frequencies must be >= 0, found " + f);
            }
            used += f > 0 ? 1 : 0;
        }
        int[] lengths = new int[frequencies.length];
        if (used == 1) {
            for (int s = 0; s < frequencies.length; s++) {
                if (frequencies[s] > 0) {
                    lengths[s] = 1;
                }
            }
        } else if (used > 1) {
            long[] f = frequencies.clone();
            while (true) {
                treeDepths(f, lengths);
                if (Arrays.stream(lengths).max().orElse(0) <= MAX_LENGTH) {
                    break;
                }
                for (int s = 0; s < f.length; s++) {
                    if (f[s] > 0) {
                        f[s] = 1 + f[s] / 2;
                    }
                }
            }
        }
        return new HuffmanCode(lengths);
    }

    /** The Huffman tree's leaf depths for the symbols with a non-zero frequency (others get 0). */
    private static void treeDepths(long[] f, int[] depths) {
        int n = f.length;
        // nodes 0..n-1 are leaves, n.. internal; parent[] records the tree
        int[] parent = new int[2 * n];
        long[] weight = new long[2 * n];
        Arrays.fill(parent, -1);
        PriorityQueue<Integer> queue = new PriorityQueue<>((a, b) -> weight[a] != weight[b]
                ? Long.compare(weight[a], weight[b]) : Integer.compare(a, b));
        for (int s = 0; s < n; s++) {
            if (f[s] > 0) {
                weight[s] = f[s];
                queue.add(s);
            }
        }
        int next = n;
        while (queue.size() > 1) {
            int a = queue.poll();
            int b = queue.poll();
            weight[next] = weight[a] + weight[b];
            parent[a] = next;
            parent[b] = next;
            queue.add(next++);
        }
        for (int s = 0; s < n; s++) {
            int d = 0;
            if (f[s] > 0) {
                for (int p = parent[s]; p >= 0; p = parent[p]) {
                    d++;
                }
            }
            depths[s] = d;
        }
    }

    /**
     * The canonical code with these lengths (0 = symbol unused).
     *
     * @throws IllegalArgumentException if a length is out of range or the lengths over-subscribe
     *                                  the code space (Kraft: {@code sum 2^-len > 1})
     */
    public static HuffmanCode fromLengths(int[] lengths) {
        int[] count = new int[MAX_LENGTH + 1];
        for (int len : lengths) {
            if (len < 0 || len > MAX_LENGTH) {
                throw new IllegalArgumentException("code length " + len + " is outside 0.." + MAX_LENGTH);
            }
            count[len]++;
        }
        long left = 1;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            left = (left << 1) - count[len];
            if (left < 0) {
                throw new IllegalArgumentException("code lengths over-subscribe the code space (Kraft sum > 1)");
            }
        }
        return new HuffmanCode(lengths.clone());
    }

    /** Occurrences of each symbol in {@code symbols[0..count)}. */
    public static long[] frequencies(int[] symbols, int count, int alphabetSize) {
        long[] f = new long[alphabetSize];
        for (int i = 0; i < count; i++) {
            f[symbols[i]]++;
        }
        return f;
    }

    public int alphabetSize() {
        return lengths.length;
    }

    /** The code length of a symbol, 0 if it has no code. */
    public int length(int symbol) {
        return lengths[symbol];
    }

    /** The code of a symbol, as the low {@link #length} bits of the result. */
    public int code(int symbol) {
        return codes[symbol];
    }

    /** Appends a symbol's code. */
    public void encode(int symbol, BitWriter out) {
        if (symbol < 0 || symbol >= lengths.length || lengths[symbol] == 0) {
            throw new IllegalArgumentException("symbol " + symbol + " has no code (alphabet of " + lengths.length
                    + ", symbols in use: those with a non-zero frequency)");
        }
        out.write(codes[symbol], lengths[symbol]);
    }

    /** Reads one symbol. */
    public int decode(BitReader in) throws ModelFormatException {
        int code = 0;
        int first = 0;
        int index = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            code |= in.readBit();
            int count = countPerLength[len];
            if (code - first < count) {
                return symbolsByCode[index + code - first];
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        throw new ModelFormatException("invalid Huffman code in the bit stream (no symbol has it)");
    }

    /** Bits needed to encode symbols with these frequencies: {@code sum_s f(s) len(s)}. */
    public long encodedBits(long[] frequencies) {
        long bits = 0;
        for (int s = 0; s < frequencies.length; s++) {
            bits += frequencies[s] * lengths[s];
        }
        return bits;
    }

    /**
     * Stores the table: the number {@code m} of leading symbols that may have a code (the last
     * used symbol + 1) in {@code ceil(log2(alphabetSize + 1))} bits, then {@code m} lengths of 5 bits.
     */
    public void writeTable(BitWriter out) {
        int m = 0;
        for (int s = 0; s < lengths.length; s++) {
            if (lengths[s] > 0) {
                m = s + 1;
            }
        }
        out.write(m, countBits(lengths.length));
        for (int s = 0; s < m; s++) {
            out.write(lengths[s], LENGTH_FIELD_BITS);
        }
    }

    /** Reads a table {@link #writeTable} wrote, for an alphabet of {@code alphabetSize} symbols. */
    public static HuffmanCode readTable(BitReader in, int alphabetSize) throws ModelFormatException {
        int m = in.read(countBits(alphabetSize));
        if (m > alphabetSize) {
            throw new ModelFormatException("Huffman table lists " + m + " symbols for an alphabet of " + alphabetSize);
        }
        int[] lengths = new int[alphabetSize];
        for (int s = 0; s < m; s++) {
            lengths[s] = in.read(LENGTH_FIELD_BITS);
        }
        try {
            return fromLengths(lengths);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("invalid Huffman table: " + e.getMessage());
        }
    }

    /** Bits to store a count from 0 to {@code n} inclusive. */
    static int countBits(int n) {
        return 32 - Integer.numberOfLeadingZeros(n);
    }

    @Override
    public String toString() {
        int used = symbolsByCode.length;
        int max = 0;
        for (int len : lengths) {
            max = Math.max(max, len);
        }
        return "HuffmanCode(" + used + " of " + lengths.length + " symbols, longest " + max + " bits)";
    }
}
