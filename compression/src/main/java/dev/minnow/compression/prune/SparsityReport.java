package dev.minnow.compression.prune;

import dev.minnow.engine.tensor.Shape;
import java.util.List;
import java.util.Locale;

/**
 * How many weights of each prunable layer are exactly zero, and overall.
 *
 * @param layers one entry per prunable weight, in graph order
 */
public record SparsityReport(List<Layer> layers) {

    /**
     * @param name   the weight's initializer name
     * @param kind   conv or fc
     * @param shape  the weight's shape
     * @param zeros  elements equal to zero
     */
    public record Layer(String name, PrunableWeights.Kind kind, Shape shape, long zeros) {
        public long weights() {
            return shape.size();
        }

        /** Elements that are not zero. */
        public long kept() {
            return weights() - zeros;
        }

        /** Fraction of zeros, in [0, 1]. */
        public double sparsity() {
            return weights() == 0 ? 0 : (double) zeros / weights();
        }
    }

    public SparsityReport {
        layers = List.copyOf(layers);
    }

    /** Elements of all prunable weights. */
    public long weights() {
        return layers.stream().mapToLong(Layer::weights).sum();
    }

    public long zeros() {
        return layers.stream().mapToLong(Layer::zeros).sum();
    }

    /** Fraction of zeros over all prunable weights together. */
    public double overall() {
        long n = weights();
        return n == 0 ? 0 : (double) zeros() / n;
    }

    /** The layer of a weight, or {@code null}. */
    public Layer layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
    }

    /** A plain-text table: layer, kind, shape, weights, kept, sparsity. */
    public String table() {
        int width = Math.max(5, layers.stream().mapToInt(l -> l.name().length()).max().orElse(5));
        StringBuilder sb = new StringBuilder();
        String row = "%-" + width + "s  %-4s  %-18s  %12s  %12s  %8s%n";
        sb.append(String.format(Locale.ROOT, row, "layer", "kind", "shape", "weights", "kept", "sparsity"));
        for (Layer l : layers) {
            sb.append(String.format(Locale.ROOT, row, l.name(), l.kind().label(), l.shape(),
                    String.format(Locale.ROOT, "%,d", l.weights()), String.format(Locale.ROOT, "%,d", l.kept()),
                    String.format(Locale.ROOT, "%.2f %%", 100 * l.sparsity())));
        }
        sb.append(String.format(Locale.ROOT, row, "total", "", "", String.format(Locale.ROOT, "%,d", weights()),
                String.format(Locale.ROOT, "%,d", weights() - zeros()), String.format(Locale.ROOT, "%.2f %%",
                        100 * overall())));
        return sb.toString();
    }
}
