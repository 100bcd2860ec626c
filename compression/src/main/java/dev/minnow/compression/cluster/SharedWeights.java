package dev.minnow.compression.cluster;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;

/**
 * A weight tensor after weight sharing: each element stores only a small code, an index into a
 * per-layer codebook of shared values, {@code w_i = codebook[code_i]} (Han, Mao and Dally 2016,
 * "Deep Compression", section 3).
 *
 * <p>Code 0 is reserved for the exact zero: pruned weights (and the filler entries of the sparse
 * format) decode to 0 and are never clustered. Codes {@code 1 .. codebook.size-1} are the
 * centroids of the kept weights, at most {@code 2^bits - 1} of them, so every code fits in
 * {@code bits} bits. The codebook is a rank-1 tensor so that centroid fine-tuning can update it as
 * a parameter ({@link CentroidFineTuning}).
 */
public final class SharedWeights {
    private final String name;
    private final Shape shape;
    private final int bits;
    private final Tensor codebook;
    private final byte[] codes;

    /**
     * @param name     the weight's initializer name
     * @param shape    the weight's shape
     * @param bits     code width, 1 to 8
     * @param codebook shared values; element 0 must be 0, at most {@code 2^bits} elements
     * @param codes    one code per weight element (unsigned bytes), each below the codebook's size
     */
    public SharedWeights(String name, Shape shape, int bits, Tensor codebook, byte[] codes) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("weight '" + name + "': bits per weight must be 1 to 8, got " + bits);
        }
        if (codebook.rank() != 1 || codebook.size() < 1 || codebook.size() > (1 << bits)) {
            throw new IllegalArgumentException("weight '" + name + "': codebook " + codebook.shape()
                    + " must be rank 1 with 1 to 2^" + bits + " values");
        }
        if (codebook.get(0) != 0f) {
            throw new IllegalArgumentException("weight '" + name + "': codebook[0] must be 0 (pruned weights), got "
                    + codebook.get(0));
        }
        if (codes.length != shape.size()) {
            throw new IllegalArgumentException("weight '" + name + "': " + codes.length + " codes for shape " + shape);
        }
        for (byte c : codes) {
            if ((c & 0xFF) >= codebook.size()) {
                throw new IllegalArgumentException("weight '" + name + "': code " + (c & 0xFF) + " outside a codebook of "
                        + codebook.size());
            }
        }
        this.name = name;
        this.shape = shape;
        this.bits = bits;
        this.codebook = codebook;
        this.codes = codes;
    }

    public String name() {
        return name;
    }

    public Shape shape() {
        return shape;
    }

    public int bits() {
        return bits;
    }

    /** The shared values (element 0 is 0); a live tensor that centroid fine-tuning updates. */
    public Tensor codebook() {
        return codebook;
    }

    /** The code of every element (read as unsigned: {@code codes()[i] & 0xFF}); not a copy. */
    public byte[] codes() {
        return codes;
    }

    public int code(int i) {
        return codes[i] & 0xFF;
    }

    /** Number of weight elements. */
    public int size() {
        return codes.length;
    }

    /** Elements with a non-zero code (the kept weights). */
    public int keptCount() {
        int n = 0;
        for (byte c : codes) {
            n += c != 0 ? 1 : 0;
        }
        return n;
    }

    /** Writes {@code codebook[code_i]} into every element of {@code weight}. */
    public void writeTo(Tensor weight) {
        if (!weight.shape().equals(shape)) {
            throw new IllegalArgumentException("weight '" + name + "' has shape " + shape + ", the target "
                    + weight.shape());
        }
        float[] book = codebook.data();
        int bo = codebook.offset();
        float[] w = weight.data();
        int wo = weight.offset();
        for (int i = 0; i < codes.length; i++) {
            w[wo + i] = book[bo + (codes[i] & 0xFF)];
        }
    }

    /** A new tensor holding the decoded weights. */
    public Tensor toTensor() {
        Tensor t = Tensor.zeros(shape);
        writeTo(t);
        return t;
    }

    /** How often each code occurs. */
    public long[] codeFrequencies() {
        long[] f = new long[1 << bits];
        for (byte c : codes) {
            f[c & 0xFF]++;
        }
        return f;
    }

    @Override
    public String toString() {
        return "SharedWeights(" + name + " " + shape + ", " + bits + " bits, " + (codebook.size() - 1)
                + " shared values, " + keptCount() + " kept)";
    }
}
