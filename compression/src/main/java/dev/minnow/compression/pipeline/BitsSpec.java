package dev.minnow.compression.pipeline;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A bit width per layer, as a command line writes it: {@code conv=8,fc=5} (by kind, the paper's
 * setting), optionally with per-layer overrides, {@code conv=8,fc=5,fc3=6} (a layer or weight
 * name). Used both for the code width of weight sharing and for the relative-index width.
 *
 * @param conv     bits for convolution weights
 * @param fc       bits for fully connected weights
 * @param perLayer layer or weight name to bits
 */
public record BitsSpec(int conv, int fc, Map<String, Integer> perLayer) {

    public BitsSpec {
        perLayer = Map.copyOf(perLayer);
    }

    /**
     * Parses {@code conv=B,fc=B[,layer=B...]} (a lone number sets every layer).
     *
     * @param what   the option's name, for messages
     * @param maxBits the largest width allowed
     */
    public static BitsSpec parse(String text, BitsSpec defaults, String what, int maxBits) {
        int conv = defaults.conv();
        int fc = defaults.fc();
        Map<String, Integer> layers = new LinkedHashMap<>(defaults.perLayer());
        for (String part : text.trim().split(",")) {
            String[] kv = part.split("=", -1);
            if (kv.length == 1) {
                conv = bits(kv[0], what, maxBits);
                fc = conv;
                continue;
            }
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException(what + ": expected conv=B,fc=B or layer=B items, found '" + part + "'");
            }
            int b = bits(kv[1], what, maxBits);
            switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                case "conv" -> conv = b;
                case "fc" -> fc = b;
                default -> layers.put(kv[0].trim(), b);
            }
        }
        return new BitsSpec(conv, fc, layers);
    }

    private static int bits(String v, String what, int maxBits) {
        try {
            int b = Integer.parseInt(v.trim());
            if (b >= 1 && b <= maxBits) {
                return b;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(what + ": bit widths are whole numbers from 1 to " + maxBits + ", found '"
                + v + "'");
    }

    /** The width for each weight (kind "conv" or "fc"). */
    public Map<String, Integer> resolve(Map<String, String> kinds) {
        Map<String, Integer> out = new LinkedHashMap<>();
        java.util.Set<String> unused = new java.util.HashSet<>(perLayer.keySet());
        kinds.forEach((w, kind) -> {
            String layer = w.contains(".") ? w.substring(0, w.lastIndexOf('.')) : w;
            Integer b = perLayer.get(w);
            if (b != null) {
                unused.remove(w);
            } else if ((b = perLayer.get(layer)) != null) {
                unused.remove(layer);
            } else {
                b = kind.equals("conv") ? conv : fc;
            }
            out.put(w, b);
        });
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("bit widths given for " + unused + ", which are not compressible layers"
                    + " of this model (" + kinds.keySet() + ")");
        }
        return out;
    }

    /** "conv=8,fc=5" plus overrides. */
    public String describe() {
        StringBuilder sb = new StringBuilder("conv=" + conv + ",fc=" + fc);
        perLayer.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(",").append(e.getKey()).append("=").append(e.getValue()));
        return sb.toString();
    }
}
