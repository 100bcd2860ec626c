package dev.minnow.compression.lowrank;

import java.util.Locale;

/**
 * How a decomposition chooses its rank from a matrix's singular values {@code sigma_1 >= sigma_2 >= ...}.
 *
 * <ul>
 *   <li>{@link KeptEnergy}: the smallest k with {@code sum_{j<=k} sigma_j^2 >= ratio * sum_j sigma_j^2}.
 *       By Eckart-Young the rank-k truncation then has a relative Frobenius error of at most
 *       {@code sqrt(1 - ratio)}: energy 0.9 allows about 32 % error, 0.99 about 10 %.</li>
 *   <li>{@link Fixed}: exactly k (at most the full rank).</li>
 *   <li>{@link ParameterFraction}: the largest k whose factors hold at most this fraction of the
 *       original weights; for an {@code out x in} matrix, {@code k (in + out) <= f in out}
 *       (Gemm SVD only).</li>
 *   <li>{@link ChannelFraction}: {@code ceil(f * channels)}, Tucker-2's usual choice (Kim et al.
 *       used {@code 1/2} of the channels as a starting point before their VBMF estimate).</li>
 * </ul>
 */
public sealed interface RankRule {

    record KeptEnergy(double ratio) implements RankRule {
        public KeptEnergy {
            if (!(ratio > 0 && ratio <= 1)) {
                throw new IllegalArgumentException("a kept-energy ratio must be in (0, 1], got " + ratio);
            }
        }
    }

    record Fixed(int rank) implements RankRule {
        public Fixed {
            if (rank < 1) {
                throw new IllegalArgumentException("a rank must be >= 1, got " + rank);
            }
        }
    }

    record ParameterFraction(double fraction) implements RankRule {
        public ParameterFraction {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("a parameter fraction must be in (0, 1], got " + fraction);
            }
        }
    }

    record ChannelFraction(double fraction) implements RankRule {
        public ChannelFraction {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("a channel fraction must be in (0, 1], got " + fraction);
            }
        }
    }

    static RankRule energy(double ratio) {
        return new KeptEnergy(ratio);
    }

    static RankRule rank(int rank) {
        return new Fixed(rank);
    }

    static RankRule parameters(double fraction) {
        return new ParameterFraction(fraction);
    }

    static RankRule channels(double fraction) {
        return new ChannelFraction(fraction);
    }

    /** "energy=0.9", "rank=64", "params=0.25", "channels=0.5": how command lines write the rule. */
    default String describe() {
        if (this instanceof KeptEnergy e) {
            return String.format(Locale.ROOT, "energy=%s", e.ratio());
        } else if (this instanceof Fixed f) {
            return "rank=" + f.rank();
        } else if (this instanceof ParameterFraction p) {
            return String.format(Locale.ROOT, "params=%s", p.fraction());
        }
        return String.format(Locale.ROOT, "channels=%s", ((ChannelFraction) this).fraction());
    }

    /**
     * The rank this rule gives a matrix with singular values {@code sigma} (descending), at least 1
     * and at most {@code sigma.length}.
     *
     * @param sigma       the singular values
     * @param channels    the size of the side being reduced (ChannelFraction)
     * @param otherSide   for ParameterFraction: the matrix is {@code channels x otherSide}
     */
    default int choose(double[] sigma, int channels, int otherSide) {
        int full = sigma.length;
        int k;
        if (this instanceof KeptEnergy e) {
            k = rankForEnergy(sigma, e.ratio());
        } else if (this instanceof Fixed f) {
            k = f.rank();
        } else if (this instanceof ParameterFraction p) {
            k = (int) Math.floor(p.fraction() * channels * (double) otherSide / (channels + otherSide));
        } else {
            k = (int) Math.ceil(((ChannelFraction) this).fraction() * channels - 1e-9);
        }
        return Math.max(1, Math.min(full, k));
    }

    /** The smallest k whose leading singular values keep at least {@code ratio} of {@code sum sigma^2}. */
    static int rankForEnergy(double[] sigma, double ratio) {
        double total = 0;
        for (double s : sigma) {
            total += s * s;
        }
        if (total == 0) {
            return 1;
        }
        double kept = 0;
        for (int k = 0; k < sigma.length; k++) {
            kept += sigma[k] * sigma[k];
            if (kept >= ratio * total * (1 - 1e-12)) {
                return k + 1;
            }
        }
        return sigma.length;
    }

    /** {@code sum_{j<k} sigma_j^2 / sum_j sigma_j^2}: the share of the energy a rank-k truncation keeps. */
    static double keptEnergy(double[] sigma, int k) {
        double total = 0;
        double kept = 0;
        for (int j = 0; j < sigma.length; j++) {
            total += sigma[j] * sigma[j];
            if (j < k) {
                kept += sigma[j] * sigma[j];
            }
        }
        return total == 0 ? 1 : kept / total;
    }
}
