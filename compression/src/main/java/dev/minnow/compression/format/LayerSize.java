package dev.minnow.compression.format;

/**
 * What one compressed layer costs in a {@code .mnz} file, and of what (the figures of Deep
 * Compression's tables 2 to 5).
 *
 * @param name         the weight's name
 * @param elements     weights in the layer (pruned ones included)
 * @param kept         non-zero weights
 * @param entries      stored sparse entries: kept weights plus filler zeros
 * @param fillers      filler zeros inserted for gaps wider than the index
 * @param bits         code width (bits per weight before Huffman coding)
 * @param indexBits    relative-index width (bits per gap before Huffman coding)
 * @param centroids    shared values stored (the zero code excluded)
 * @param gaps         the relative-index stream
 * @param codes        the cluster-index stream
 * @param sectionBytes the layer's bytes in the file, everything included (name, codebook, tables)
 */
public record LayerSize(String name, int elements, int kept, int entries, int fillers, int bits, int indexBits,
                        int centroids, StreamSize gaps, StreamSize codes, int sectionBytes) {

    /** The size of one coded stream. */
    public record StreamSize(boolean huffman, long tableBits, long dataBits) {
        /** Whole bytes the stream occupies (table and data, padded to a byte). */
        public long bytes() {
            return (tableBits + dataBits + 7) / 8;
        }
    }

    /** Average bits per stored weight code (Huffman-coded or not): the paper's "weight bits". */
    public double bitsPerWeight() {
        return entries == 0 ? 0 : (double) codes.dataBits() / entries;
    }

    /** Average bits per stored relative index: the paper's "index bits". */
    public double bitsPerIndex() {
        return entries == 0 ? 0 : (double) gaps.dataBits() / entries;
    }

    /** Bytes of the layer as float32. */
    public long denseBytes() {
        return 4L * elements;
    }
}
