package dev.minnow.jmh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sparse tables from hand-made results whose ratios are easy to check. */
class SparseTableTest {

    private static JmhResult r(String cls, String method, Map<String, String> params, double ms) {
        return new JmhResult(cls, method, params, ms, null, "17");
    }

    @Test
    void speedUpsAreTheDenseMediansOverTheSparseOnes() {
        List<JmhResult> results = List.of(
                r("DenseFcBenchmark", "gemmOp", Map.of("shape", "FC_4096X4096", "threads", "1"), 40),
                r("DenseFcBenchmark", "gemv", Map.of("shape", "FC_4096X4096", "threads", "1"), 6),
                r("SparseFcBenchmark", "fc", Map.of("shape", "FC_4096X4096", "sparsity", "0.9", "kernels", "vector",
                        "batch", "1", "threads", "1"), 2),
                r("SparseFcBenchmark", "fc", Map.of("shape", "FC_4096X4096", "sparsity", "0.9", "kernels", "scalar",
                        "batch", "1", "threads", "1"), 4),
                r("SparseFcBenchmark", "fc", Map.of("shape", "FC_4096X4096", "sparsity", "0.9", "kernels", "auto",
                        "batch", "1", "threads", "1"), 5),
                r("SparseConvBenchmark", "conv", Map.of("layer", "CONV3X3_64_56", "sparsity", "0.0", "kernels", "vector",
                        "batch", "1", "threads", "1"), 12),
                r("SparseConvBenchmark", "conv", Map.of("layer", "CONV3X3_64_56", "sparsity", "0.95", "kernels",
                        "vector", "batch", "1", "threads", "1"), 3));
        String t = SparseTable.tables(results);
        assertThat(t).contains("vector sparse kernels", "| 4096 x 4096 | 40.0 | 6.00 | 2.00 (20.0x ; 3.0x) |",
                "scalar sparse kernels", "| 4096 x 4096 | 40.0 | 6.00 | 4.00 (10.0x ; 1.5x) |",
                "the sparse kernels Minnow picks (auto)", "| 4096 x 4096 | 40.0 | 6.00 | 5.00 (8.0x ; 1.2x) |",
                "| CONV3X3_64_56 | 12.0 | 3.00 (4.0x) |");
    }
}
