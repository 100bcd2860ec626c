package dev.minnow.compression.format;

import dev.minnow.compression.cluster.SharedWeights;
import dev.minnow.compression.huffman.BitReader;
import dev.minnow.compression.huffman.BitWriter;
import dev.minnow.compression.huffman.HuffmanCode;
import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;

/**
 * One compressed layer of a {@code .mnz} file: the codebook, the relative indices and the codes.
 * <pre>
 *   string  name                 (varint length + UTF-8)
 *   u8      bits                 code width, 1..8
 *   u8      indexBits            relative-index width, 1..16
 *   varint  elements             weights in the layer (must match the graph's declared shape)
 *   varint  entries              stored entries (kept weights + filler zeros)
 *   varint  K                    codebook size, 1..2^bits (code 0 is the implicit zero)
 *   f32 x (K-1)                  shared values of codes 1..K-1, little-endian
 *   stream  gaps                 entries symbols of alphabet 2^indexBits
 *   stream  codes                entries symbols of alphabet 2^bits
 * stream:
 *   u8      encoding             0 fixed width, 1 canonical Huffman
 *   varint  bit length
 *   bytes   ceil(bit length / 8): [Huffman table] symbols, most significant bit first
 * </pre>
 * With Huffman coding allowed, each stream takes whichever encoding is smaller for it, table
 * included (a table of 2^8 lengths can outweigh a tiny layer).
 */
final class LayerCodec {
    static final int FIXED = 0;
    static final int HUFFMAN = 1;

    private LayerCodec() {
    }

    /** Appends a layer's section; returns its sizes. */
    static LayerSize encode(SharedWeights s, int indexBits, boolean huffman, PayloadWriter out) {
        int start = out.size();
        RelativeIndex.Entries e = RelativeIndex.encode(s.codes(), indexBits);
        Tensor book = s.codebook();
        out.string(s.name()).u8(s.bits()).u8(indexBits).varint(s.size()).varint(e.count()).varint(book.size());
        for (int k = 1; k < book.size(); k++) {
            out.f32(book.get(k));
        }
        LayerSize.StreamSize gaps = writeStream(e.gaps(), e.count(), indexBits, huffman, out);
        LayerSize.StreamSize codes = writeStream(e.codes(), e.count(), s.bits(), huffman, out);
        return new LayerSize(s.name(), s.size(), e.count() - e.fillers(), e.count(), e.fillers(), s.bits(), indexBits,
                book.size() - 1, gaps, codes, out.size() - start);
    }

    private static LayerSize.StreamSize writeStream(int[] symbols, int count, int width, boolean huffman,
                                                    PayloadWriter out) {
        long fixedBits = (long) count * width;
        HuffmanCode code = null;
        long tableBits = 0;
        long dataBits = fixedBits;
        if (huffman) {
            code = HuffmanCode.fromFrequencies(HuffmanCode.frequencies(symbols, count, 1 << width));
            BitWriter table = new BitWriter();
            code.writeTable(table);
            long hData = code.encodedBits(HuffmanCode.frequencies(symbols, count, 1 << width));
            if ((table.bitLength() + hData + 7) / 8 < (fixedBits + 7) / 8) {
                tableBits = table.bitLength();
                dataBits = hData;
            } else {
                code = null;
            }
        }
        BitWriter bits = new BitWriter();
        if (code != null) {
            code.writeTable(bits);
            for (int i = 0; i < count; i++) {
                code.encode(symbols[i], bits);
            }
        } else {
            for (int i = 0; i < count; i++) {
                bits.write(symbols[i], width);
            }
        }
        out.u8(code != null ? HUFFMAN : FIXED).varint(bits.bitLength()).bytes(bits.toByteArray());
        return new LayerSize.StreamSize(code != null, tableBits, dataBits);
    }

    /** Reads a layer's section for a weight of this shape. */
    static SharedWeights decode(PayloadReader in, String name, Shape shape) throws ModelFormatException {
        int bits = in.u8("bits of '" + name + "'");
        int indexBits = in.u8("index bits of '" + name + "'");
        if (bits < 1 || bits > 8 || indexBits < 1 || indexBits > 16) {
            throw in.error("corrupt: layer '" + name + "' declares " + bits + " bits per weight and " + indexBits
                    + " index bits (expected 1..8 and 1..16)");
        }
        int elements = in.varintInt("element count of '" + name + "'", Integer.MAX_VALUE);
        if (elements != shape.size()) {
            throw in.error("corrupt: layer '" + name + "' holds " + elements + " weights but the graph declares shape "
                    + shape + " (" + shape.size() + ")");
        }
        int entries = in.varintInt("entry count of '" + name + "'", elements);
        if (entries > 8L * in.remaining()) {
            throw in.error("truncated or corrupt: layer '" + name + "' declares " + entries
                    + " entries, more than the bits left");
        }
        int k = in.varintInt("codebook size of '" + name + "'", 1 << bits);
        if (k < 1) {
            throw in.error("corrupt: layer '" + name + "' has an empty codebook");
        }
        Tensor book = Tensor.zeros(k);
        for (int j = 1; j < k; j++) {
            float v = in.f32("codebook of '" + name + "'");
            if (!Float.isFinite(v)) {
                throw in.error("corrupt: shared value " + j + " of '" + name + "' is " + v);
            }
            book.data()[j] = v;
        }
        int[] gaps = readStream(in, entries, indexBits, 1 << indexBits, "relative indices of '" + name + "'");
        int[] codes = readStream(in, entries, bits, k, "codes of '" + name + "'");
        byte[] elementCodes;
        try {
            elementCodes = RelativeIndex.decode(gaps, codes, entries, elements);
        } catch (ModelFormatException e) {
            throw in.error("corrupt sparse structure of '" + name + "': " + e.getMessage());
        }
        return new SharedWeights(name, shape, bits, book, elementCodes);
    }

    /** Reads {@code count} symbols, each below {@code limit}. */
    private static int[] readStream(PayloadReader in, int count, int width, int limit, String what)
            throws ModelFormatException {
        int encoding = in.u8(what + " encoding");
        if (encoding != FIXED && encoding != HUFFMAN) {
            throw in.error("corrupt: unknown encoding " + encoding + " of the " + what);
        }
        long bitLength = in.varint(what + " bit length", 8L * in.remaining());
        int at = in.skip((bitLength + 7) / 8, what);
        BitReader bits = new BitReader(in.array(), at, bitLength);
        int[] symbols = new int[count];
        if (encoding == FIXED && bitLength != (long) count * width) {
            throw in.error("corrupt: the " + what + " hold " + bitLength + " bits, expected " + count + " x " + width);
        }
        HuffmanCode code = null;
        if (encoding == HUFFMAN) {
            try {
                code = HuffmanCode.readTable(bits, 1 << width);
            } catch (ModelFormatException e) {
                throw in.error("corrupt Huffman table of the " + what + ": " + e.getMessage());
            }
        }
        for (int i = 0; i < count; i++) {
            int s;
            try {
                s = code != null ? code.decode(bits) : bits.read(width);
            } catch (ModelFormatException e) {
                throw in.error("corrupt " + what + " (symbol " + i + " of " + count + "): " + e.getMessage());
            }
            if (s >= limit) {
                throw in.error("corrupt: symbol " + s + " in the " + what + " is outside 0.." + (limit - 1));
            }
            symbols[i] = s;
        }
        if (bits.remaining() != 0) {
            throw in.error("corrupt: " + bits.remaining() + " bits left over after the " + what);
        }
        return symbols;
    }
}
