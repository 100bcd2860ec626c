package dev.minnow.compression.cluster;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weight sharing by per-layer k-means (Han, Mao and Dally 2016, "Deep Compression", section 3.1):
 * the kept (non-zero) weights of a layer are clustered into {@code k = 2^bits - 1} groups, and every
 * weight is replaced by its group's centroid, so the layer stores a codebook of {@code k} floats
 * and one {@code bits}-bit code per weight. Code 0 stands for the pruned zeros, which are not
 * clustered (they are the sparse structure). The compression rate of sharing alone is
 * <pre>
 *   r = n b / (n log2(k) + k b)        (n weights of b = 32 bits, k shared values)
 * </pre>
 * Clustering edits the graph's weight tensors in place, as pruning and training do.
 */
public final class WeightSharing {
    /** Lloyd iterations at most (1-D k-means converges in a few dozen on weight distributions). */
    public static final int MAX_ITERATIONS = 300;

    private WeightSharing() {
    }

    /**
     * Clusters each listed weight of {@code graph} and writes the shared values into it.
     *
     * @param bitsPerWeight weight initializer name to code width (1 to 8 bits)
     * @return the clustering of each weight, in the order given
     */
    public static Map<String, SharedWeights> cluster(Graph graph, Map<String, Integer> bitsPerWeight, KMeansInit init,
                                                      long seed) {
        Map<String, SharedWeights> out = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : bitsPerWeight.entrySet()) {
            Tensor w = graph.initializer(e.getKey());
            if (w == null || w.type() != DataType.FLOAT) {
                throw new IllegalArgumentException("graph '" + graph.name() + "' has no float weight '" + e.getKey()
                        + "' to cluster");
            }
            SharedWeights s = cluster(e.getKey(), w, e.getValue(), init, seed);
            s.writeTo(w);
            out.put(e.getKey(), s);
        }
        return out;
    }

    /** Clusters one weight tensor (not modified) into {@code 2^bits - 1} shared values plus the zero code. */
    public static SharedWeights cluster(String name, Tensor weight, int bits, KMeansInit init, long seed) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("weight '" + name + "': bits per weight must be 1 to 8, got " + bits);
        }
        float[] w = weight.data();
        int wo = weight.offset();
        int n = weight.size();
        int kept = 0;
        for (int i = 0; i < n; i++) {
            kept += w[wo + i] != 0f ? 1 : 0;
        }
        float[] values = new float[kept];
        for (int i = 0, j = 0; i < n; i++) {
            if (w[wo + i] != 0f) {
                values[j++] = w[wo + i];
            }
        }
        int k = (1 << bits) - 1;
        byte[] codes = new byte[n];
        Tensor codebook;
        if (kept == 0 || k == 0) {
            codebook = Tensor.zeros(1);      // everything pruned: only the zero code
        } else {
            KMeans.Result r = KMeans.fit(values, k, init, seed, MAX_ITERATIONS);
            codebook = Tensor.zeros(k + 1);
            for (int j = 0; j < k; j++) {
                codebook.data()[1 + j] = r.centroids()[j];
            }
            for (int i = 0, j = 0; i < n; i++) {
                if (w[wo + i] != 0f) {
                    codes[i] = (byte) (1 + r.assignments()[j++]);
                }
            }
        }
        return new SharedWeights(name, Shape.of(weight.shape().dims()), bits, codebook, codes);
    }
}
