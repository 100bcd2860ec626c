package dev.minnow.compression.pipeline;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Trainer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TEMPORARY stand-in for {@code dev.minnow.compression.prune} (PrunableWeights, MagnitudePruner),
 * which is written on another branch; to be deleted when that package is merged, its callers
 * switched to {@code PrunableWeights.kinds} and {@code MagnitudePruner}. Same semantics: quality
 * thresholds on the population std of the whole tensor, exact {@code round(s n)} per-layer
 * sparsity with ties broken by element index, masks of 0/1.
 */
final class PruningStandIn {
    private PruningStandIn() {
    }

    /** Conv filters and Gemm/MatMul weight matrices that the trainer trains, with "conv" or "fc". */
    static Map<String, String> prunableWeights(Graph g) {
        List<String> trainable = Trainer.trainableInitializers(g);
        Map<String, String> out = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            String op = n.op().opType();
            if (n.inputs().size() < 2) {
                continue;
            }
            String w = n.inputs().get(1);
            Tensor t = g.initializer(w);
            if (t == null || t.type() != DataType.FLOAT || t.rank() < 2 || !trainable.contains(w)) {
                continue;
            }
            if (op.equals("Conv")) {
                out.putIfAbsent(w, "conv");
            } else if (op.equals("Gemm") || op.equals("MatMul")) {
                out.putIfAbsent(w, "fc");
            }
        }
        return out;
    }

    static Map<String, Tensor> byQuality(Graph g, Map<String, Float> qualityPerLayer) {
        Map<String, Tensor> masks = new LinkedHashMap<>();
        qualityPerLayer.forEach((name, q) -> {
            Tensor w = g.initializer(name);
            double mean = 0;
            for (int i = 0; i < w.size(); i++) {
                mean += w.get(i);
            }
            mean /= w.size();
            double var = 0;
            for (int i = 0; i < w.size(); i++) {
                var += (w.get(i) - mean) * (w.get(i) - mean);
            }
            float threshold = (float) (q * Math.sqrt(var / w.size()));
            Tensor mask = Tensor.zeros(w.shape());
            for (int i = 0; i < w.size(); i++) {
                mask.data()[i] = Math.abs(w.get(i)) < threshold ? 0f : 1f;
            }
            masks.put(name, mask);
        });
        return masks;
    }

    static Map<String, Tensor> bySparsity(Graph g, Map<String, Double> sparsityPerLayer) {
        Map<String, Tensor> masks = new LinkedHashMap<>();
        sparsityPerLayer.forEach((name, s) -> {
            Tensor w = g.initializer(name);
            int n = w.size();
            int prune = (int) Math.round(s * n);
            long[] keyed = new long[n];       // |w| bits (monotone for non-negative floats), then the index
            for (int i = 0; i < n; i++) {
                keyed[i] = ((long) Float.floatToIntBits(Math.abs(w.get(i))) << 32) | i;
            }
            Arrays.sort(keyed);
            Tensor mask = Tensor.zeros(w.shape());
            Arrays.fill(mask.data(), 1f);
            for (int j = 0; j < prune; j++) {
                mask.data()[(int) keyed[j]] = 0f;
            }
            masks.put(name, mask);
        });
        return masks;
    }

    static void apply(Graph g, Map<String, Tensor> masks) {
        masks.forEach((name, mask) -> {
            Tensor w = g.initializer(name);
            for (int i = 0; i < w.size(); i++) {
                if (mask.get(i) == 0f) {
                    w.data()[w.offset() + i] = 0f;
                }
            }
        });
    }

    static void attach(Trainer t, Map<String, Tensor> masks) {
        masks.forEach((name, mask) -> t.parameters().get(name).setMask(mask));
    }
}
