package dev.minnow.compression.lowrank;

import java.util.Locale;

/**
 * Which decomposition {@link LowRankDecomposition} applies, with its rank settings: truncated SVD of
 * fully connected layers, Tucker-2 or CP of convolutions.
 */
public sealed interface LowRankMethod {

    /** Truncated SVD of each Gemm's weight matrix ({@link GemmFactorization}). */
    record Svd(RankRule rule) implements LowRankMethod {
        public Svd {
            if (rule instanceof RankRule.ChannelFraction) {
                throw new IllegalArgumentException("an SVD rank is chosen by energy, rank or params, not by channels");
            }
        }

        @Override
        public String describe() {
            return "svd " + rule.describe();
        }
    }

    /** Tucker-2 (HOSVD) of each convolution's kernel; ranks chosen per channel mode ({@link ConvFactorization#tucker}). */
    record Tucker(RankRule outRule, RankRule inRule) implements LowRankMethod {
        public Tucker {
            if (outRule instanceof RankRule.ParameterFraction || inRule instanceof RankRule.ParameterFraction) {
                throw new IllegalArgumentException("Tucker-2 ranks are chosen by channels, rank or energy, not by params");
            }
        }

        /** The same rule for both channel modes. */
        public Tucker(RankRule both) {
            this(both, both);
        }

        @Override
        public String describe() {
            return outRule.equals(inRule) ? "tucker2 " + outRule.describe()
                    : "tucker2 out " + outRule.describe() + ", in " + inRule.describe();
        }
    }

    /**
     * Rank-R CP of each convolution's kernel by ALS ({@link ConvFactorization#cp}).
     *
     * @param rank       R
     * @param iterations ALS iterations at most
     * @param tolerance  stop when the relative error moves by less than this
     * @param seed       seed of ALS's random start
     */
    record Cp(int rank, int iterations, double tolerance, long seed) implements LowRankMethod {
        public Cp {
            if (rank < 1 || iterations < 1 || !(tolerance >= 0)) {
                throw new IllegalArgumentException("CP needs rank >= 1, iterations >= 1 and tolerance >= 0; got rank "
                        + rank + ", " + iterations + " iterations, tolerance " + tolerance);
            }
        }

        /** Rank R with the default iteration limit, tolerance and seed 1. */
        public Cp(int rank) {
            this(rank, CpDecomposition.DEFAULT_ITERATIONS, CpDecomposition.DEFAULT_TOLERANCE, 1);
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "cp rank=%d (ALS, at most %d iterations, seed %d)", rank, iterations, seed);
        }
    }

    /** "svd energy=0.9", "tucker2 channels=0.5", "cp rank=16 (...)". */
    String describe();

    /** True for the methods that decompose convolutions. */
    default boolean decomposesConvolutions() {
        return !(this instanceof Svd);
    }
}
