package dev.minnow.compression.pipeline;

import dev.minnow.compression.format.LayerSize;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the Deep Compression pipeline did: the accuracy after each stage and, per layer, the
 * figures of the paper's tables 2 to 5 (weights, kept fraction, bits per weight and per index
 * before and after Huffman coding, bytes before and after, compression rate). Bytes after are
 * measured in the written {@code .mnz} file, so the layers plus the "graph + biases" and
 * "header" rows add up to the file's size on disk.
 *
 * @param model          the model's name
 * @param settings       the settings, as one line
 * @param stages         accuracy after each stage, in order
 * @param layers         one row per compressed layer
 * @param parameters     float parameters of the original model
 * @param keptParameters parameters left non-zero after pruning (uncompressed tensors counted whole)
 * @param bytesBefore    the original's float32 parameters, {@code 4 * parameters}
 * @param bytesAfter     the {@code .mnz} file's size
 * @param graphBytes     the structure and the uncompressed float32 tensors (biases, BN) in the file
 * @param bitIdentical   the decoded file computes bit-identical logits to the clustered graph
 */
public record CompressionReport(String model, String settings, List<Stage> stages, List<LayerRow> layers,
                                long parameters, long keptParameters, long bytesBefore, long bytesAfter,
                                long graphBytes, boolean bitIdentical) {

    /** Accuracy after one stage. */
    public record Stage(String name, double accuracy, double seconds, String note) {
    }

    /**
     * One compressed layer.
     *
     * @param kind "conv" or "fc"
     * @param size the layer's encoding in the file
     */
    public record LayerRow(String kind, LayerSize size) {
        public double keptFraction() {
            return size.elements() == 0 ? 0 : (double) size.kept() / size.elements();
        }

        public double ratio() {
            return (double) size.denseBytes() / size.sectionBytes();
        }

        /** The layer's bytes with fixed-width streams (the paper's P+Q column), estimated from the stream sizes. */
        public long fixedWidthBytes() {
            long actual = size.gaps().bytes() + size.codes().bytes();
            long fixed = ((long) size.entries() * size.indexBits() + 7) / 8 + ((long) size.entries() * size.bits() + 7) / 8;
            return size.sectionBytes() - actual + fixed;
        }
    }

    public CompressionReport {
        stages = List.copyOf(stages);
        layers = List.copyOf(layers);
    }

    public double baselineAccuracy() {
        return stages.isEmpty() ? Double.NaN : stages.get(0).accuracy();
    }

    /** Accuracy of the final (decoded) model. */
    public double accuracy() {
        return stages.isEmpty() ? Double.NaN : stages.get(stages.size() - 1).accuracy();
    }

    /** {@code bytesBefore / bytesAfter}. */
    public double ratio() {
        return (double) bytesBefore / bytesAfter;
    }

    /** Han et al. 2015's figure for pruning alone: parameters before over parameters kept. */
    public double pruningRatio() {
        return (double) parameters / keptParameters;
    }

    /** The ratio with fixed-width streams instead of Huffman coding (P+Q), estimated from the stream sizes. */
    public double ratioWithoutHuffman() {
        long delta = 0;
        for (LayerRow r : layers) {
            delta += r.fixedWidthBytes() - r.size().sectionBytes();
        }
        return (double) bytesBefore / (bytesAfter + delta);
    }

    /** The per-layer table and the stages, as text. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-14s %4s %9s %7s %7s %7s %7s %7s %11s %10s %8s%n", "layer", "kind",
                "weights", "kept", "w bits", "w bits", "i bits", "i bits", "bytes", "bytes", "ratio"));
        sb.append(String.format(Locale.ROOT, "%-14s %4s %9s %7s %7s %7s %7s %7s %11s %10s %8s%n", "", "", "", "",
                "P+Q", "P+Q+H", "P+Q", "P+Q+H", "before", "after", ""));
        long weights = 0;
        long kept = 0;
        long entries = 0;
        double codeBits = 0;
        double gapBits = 0;
        double fixedCode = 0;
        double fixedGap = 0;
        for (LayerRow r : layers) {
            LayerSize s = r.size();
            sb.append(String.format(Locale.ROOT, "%-14s %4s %9d %6.1f%% %7d %7s %7d %7s %11d %10d %7.1fx%n",
                    shorten(s.name()), r.kind(), s.elements(), 100 * r.keptFraction(), s.bits(),
                    s.codes().huffman() ? String.format(Locale.ROOT, "%.2f", s.bitsPerWeight()) : "-", s.indexBits(),
                    s.gaps().huffman() ? String.format(Locale.ROOT, "%.2f", s.bitsPerIndex()) : "-",
                    s.denseBytes(), s.sectionBytes(), r.ratio()));
            weights += s.elements();
            kept += s.kept();
            entries += s.entries();
            codeBits += s.codes().dataBits();
            gapBits += s.gaps().dataBits();
            fixedCode += (double) s.entries() * s.bits();
            fixedGap += (double) s.entries() * s.indexBits();
        }
        long otherBefore = bytesBefore - 4 * weights;
        sb.append(String.format(Locale.ROOT, "%-14s %4s %9d %6.1f%% %7s %7s %7s %7s %11d %10d %7s%n",
                "graph+biases", "", parameters - weights, 100.0, "32", "-", "-", "-", otherBefore, graphBytes, ""));
        long layerBytes = layers.stream().mapToLong(r -> r.size().sectionBytes()).sum();
        sb.append(String.format(Locale.ROOT, "%-14s %4s %9s %7s %7s %7s %7s %7s %11s %10d %7s%n", "header+crc", "",
                "", "", "", "", "", "", "", bytesAfter - graphBytes - layerBytes, ""));
        sb.append(String.format(Locale.ROOT, "%-14s %4s %9d %6.1f%% %7.2f %7.2f %7.2f %7.2f %11d %10d %7.1fx%n",
                "total", "", parameters, 100.0 * keptParameters / parameters, entries == 0 ? 0 : fixedCode / entries,
                entries == 0 ? 0 : codeBits / entries, entries == 0 ? 0 : fixedGap / entries,
                entries == 0 ? 0 : gapBits / entries, bytesBefore, bytesAfter, ratio()));
        sb.append(String.format(Locale.ROOT, "%nkept %,d of %,d weights of the compressed layers (%.1f %%); pruning"
                        + " alone: %.1fx fewer parameters (Han 2015's measure); without Huffman coding about %.1fx%n",
                kept, weights, weights == 0 ? 0 : 100.0 * kept / weights, pruningRatio(), ratioWithoutHuffman()));
        sb.append("\nstage                                   accuracy\n");
        for (Stage st : stages) {
            sb.append(String.format(Locale.ROOT, "%-38s %8.2f %%  %s%n", st.name(), 100 * st.accuracy(),
                    (st.note().isEmpty() ? "" : st.note() + ", ") + String.format(Locale.ROOT, "%.0f s", st.seconds())));
        }
        sb.append(String.format(Locale.ROOT, "%n%s: %,d -> %,d bytes (%.1fx smaller), accuracy %.2f %% -> %.2f %% (%+.2f"
                        + " points); decoded outputs %s%n", model, bytesBefore, bytesAfter, ratio(),
                100 * baselineAccuracy(), 100 * accuracy(), 100 * (accuracy() - baselineAccuracy()),
                bitIdentical ? "bit-identical to the clustered graph" : "DIFFER from the clustered graph"));
        return sb.toString();
    }

    private static String shorten(String name) {
        return name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : name;
    }

    /** The report as JSON-ready maps and lists. */
    public Map<String, Object> toMap() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("settings", settings);
        j.put("baseline_accuracy", baselineAccuracy());
        j.put("accuracy", accuracy());
        j.put("accuracy_change", accuracy() - baselineAccuracy());
        j.put("bytes_before", bytesBefore);
        j.put("bytes_after", bytesAfter);
        j.put("ratio", ratio());
        j.put("ratio_without_huffman", ratioWithoutHuffman());
        j.put("pruning_ratio", pruningRatio());
        j.put("parameters", parameters);
        j.put("kept_parameters", keptParameters);
        j.put("graph_bytes", graphBytes);
        j.put("bit_identical", bitIdentical);
        List<Object> st = new ArrayList<>();
        for (Stage s : stages) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("accuracy", s.accuracy());
            m.put("seconds", s.seconds());
            m.put("note", s.note());
            st.add(m);
        }
        j.put("stages", st);
        List<Object> ls = new ArrayList<>();
        for (LayerRow r : layers) {
            LayerSize s = r.size();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("kind", r.kind());
            m.put("weights", s.elements());
            m.put("kept", s.kept());
            m.put("kept_fraction", r.keptFraction());
            m.put("fillers", s.fillers());
            m.put("bits", s.bits());
            m.put("index_bits", s.indexBits());
            m.put("centroids", s.centroids());
            m.put("weight_bits_coded", s.bitsPerWeight());
            m.put("index_bits_coded", s.bitsPerIndex());
            m.put("huffman_codes", s.codes().huffman());
            m.put("huffman_index", s.gaps().huffman());
            m.put("bytes_before", s.denseBytes());
            m.put("bytes_after", s.sectionBytes());
            m.put("ratio", r.ratio());
            ls.add(m);
        }
        j.put("layers", ls);
        return j;
    }
}
