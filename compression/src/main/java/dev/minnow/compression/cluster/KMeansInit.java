package dev.minnow.compression.cluster;

/**
 * How k-means chooses its first centroids. Han, Mao and Dally (2016, "Deep Compression", section
 * 3.2 and figure 4) compare the first three and find linear the best: large weights are rare but
 * important, and only linear initialisation is sure to place centroids among them.
 */
public enum KMeansInit {
    /** Evenly spaced between the smallest and the largest weight: {@code c_j = min + j (max - min) / (k - 1)}. */
    LINEAR,
    /** Forgy: k weights drawn at random from the data (centroids crowd where the weights do). */
    RANDOM,
    /**
     * Density-based: evenly spaced on the cumulative distribution, {@code c_j = F^-1((j + 1/2) / k)},
     * the quantiles of the weights (dense regions get more centroids, the tails few).
     */
    DENSITY,
    /**
     * k-means++ (Arthur and Vassilvitskii 2007): the first centroid at random, each next one drawn
     * with probability proportional to {@code D(x)^2}, the squared distance to the nearest
     * centroid chosen so far.
     */
    KMEANS_PLUS_PLUS;

    /** Parses {@code linear}, {@code random}, {@code density} or {@code kmeans++} (case-insensitive). */
    public static KMeansInit parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "linear" -> LINEAR;
            case "random", "forgy" -> RANDOM;
            case "density" -> DENSITY;
            case "kmeans++", "k-means++", "kmeans_plus_plus" -> KMEANS_PLUS_PLUS;
            default -> throw new IllegalArgumentException("unknown k-means initialisation '" + s
                    + "' (expected linear, random, density or kmeans++)");
        };
    }

    /** The name {@link #parse} accepts. */
    public String label() {
        return this == KMEANS_PLUS_PLUS ? "kmeans++" : name().toLowerCase(java.util.Locale.ROOT);
    }
}
