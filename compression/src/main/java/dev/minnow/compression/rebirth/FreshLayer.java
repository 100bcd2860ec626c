package dev.minnow.compression.rebirth;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.util.Random;

/**
 * The initial values of a layer that DeepRebirth creates (its shape, or its place in the network,
 * changed, so the old weights do not fit): He-normal weights, {@code N(0, 2 / fan_in)} (He et al.
 * 2015, for layers followed by a ReLU), zero biases, and batch norm as the identity (scale 1,
 * shift 0, mean 0, variance 1). Each layer draws from its own generator seeded by the pass's seed
 * and the layer's name, so a merge gives the same weights whatever else is merged with it.
 */
final class FreshLayer {
    private final Random random;

    FreshLayer(long seed, String layerName) {
        this.random = new Random(seed * 1_000_003L + layerName.hashCode());
    }

    /** Convolution weights {@code [out, in / group, k, k]}. */
    Tensor convWeight(int out, int inPerGroup, int kh, int kw) {
        Tensor w = Tensor.zeros(out, inPerGroup, kh, kw);
        Init.kaimingNormal(w, random);
        return w;
    }

    static Tensor zeros(int n) {
        return Tensor.zeros(n);
    }

    static Tensor ones(int n) {
        Tensor t = Tensor.zeros(Shape.of(n));
        Init.fill(t, 1f);
        return t;
    }
}
