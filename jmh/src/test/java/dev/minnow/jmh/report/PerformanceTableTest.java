package dev.minnow.jmh.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table tool on a hand-written JMH JSON file whose figures are easy to check by hand. */
class PerformanceTableTest {

    @TempDir
    Path dir;

    /** One JMH result entry in the shape JMH 1.37 writes it (SampleTime, percentiles, optional gc metric). */
    private static String entry(String benchmark, String params, double score, double median, String unit,
                                String secondary) {
        return """
                {"jmh" : "1.37", "benchmark" : "%s", "mode" : "sample", "threads" : 1, "forks" : 1,
                 "jdkVersion" : "17.0.15", "params" : {%s},
                 "primaryMetric" : {"score" : %s, "scoreError" : "NaN", "scoreUnit" : "%s",
                   "scorePercentiles" : {"0.0" : 0.1, "50.0" : %s, "90.0" : 99.0, "100.0" : 100.0},
                   "rawDataHistogram" : [[[[1.5, 3], [2.5, 1]]]]},
                 "secondaryMetrics" : {%s}}""".formatted(benchmark, params, score, unit, median, secondary);
    }

    private List<JmhResult> write(String... entries) throws Exception {
        Path f = dir.resolve("r.json");
        Files.writeString(f, "[" + String.join(",\n", entries) + "]");
        return JmhResult.read(f);
    }

    @Test
    void readsTheMedianInMillisecondsAndTheAllocationRate() throws Exception {
        List<JmhResult> r = write(
                entry("dev.minnow.jmh.peers.GemmPeerBenchmark.gemm", "\"n\" : \"256\", \"threads\" : \"1\", \"engine\" : \"ort\"",
                        9.0, 1500.0, "us/op", ""),
                entry("dev.minnow.jmh.InferenceAllocationBenchmark.infer", "\"model\" : \"LENET5\", \"threads\" : \"1\"",
                        4.0, 4.2, "ms/op", "\"\\u00b7gc.alloc.rate.norm\" : {\"score\" : 512.0, \"scoreUnit\" : \"B/op\"}"));
        assertThat(r).hasSize(2);
        assertThat(r.get(0).benchmarkClass()).isEqualTo("GemmPeerBenchmark");
        assertThat(r.get(0).method()).isEqualTo("gemm");
        assertThat(r.get(0).param("engine")).isEqualTo("ort");
        assertThat(r.get(0).medianMs()).isEqualTo(1.5);
        assertThat(r.get(0).allocBytes()).isNull();
        assertThat(r.get(1).allocBytes()).isEqualTo(512.0);
    }

    @Test
    void gemmRowHasRatiosGflopsPeakShareAndScalarRatio() throws Exception {
        List<JmhResult> r = new ArrayList<>(write(
                entry("dev.minnow.jmh.peers.GemmPeerBenchmark.gemm", "\"n\" : \"256\", \"threads\" : \"1\", \"engine\" : \"minnow\"",
                        2.1, 2.0, "ms/op", ""),
                entry("dev.minnow.jmh.peers.GemmPeerBenchmark.gemm", "\"n\" : \"256\", \"threads\" : \"1\", \"engine\" : \"ort\"",
                        1.1, 1.0, "ms/op", ""),
                entry("dev.minnow.jmh.GemmBenchmark.gemm", "\"n\" : \"256\", \"threads\" : \"1\", \"kernels\" : \"vector\"",
                        2.2, 2.0, "ms/op", ""),
                entry("dev.minnow.jmh.GemmBenchmark.gemm", "\"n\" : \"256\", \"threads\" : \"1\", \"kernels\" : \"scalar\"",
                        5.5, 5.0, "ms/op", "")));
        String md = new PerformanceTable(r, 102.4).markdown();
        // 2 * 256^3 = 33,554,432 FLOP; in 2 ms: 16.8 GFLOP/s = 16.4 % of 102.4; ORT in 1 ms: 33.6 GFLOP/s
        assertThat(md).contains("### GEMM")
                .contains("| n = 256 | 1 | 0.0336 | 2.00 | 1.00 | 2.00 | — | — | 16.8 | 16.4 | 33.6 | — | 5.00 | 2.50 |");
        assertThat(md).doesNotContain("### Convolution").doesNotContain("### Networks");
    }

    @Test
    void convRowsUseTheLayerShapesForFlops() throws Exception {
        List<JmhResult> r = write(
                entry("dev.minnow.jmh.peers.ConvLayerPeerBenchmark.conv",
                        "\"layer\" : \"POINTWISE_128_256_28\", \"batch\" : \"8\", \"threads\" : \"2\", \"engine\" : \"minnow\"",
                        4.0, 4.0, "ms/op", ""),
                entry("dev.minnow.jmh.peers.ConvLayerPeerBenchmark.conv",
                        "\"layer\" : \"POINTWISE_128_256_28\", \"batch\" : \"8\", \"threads\" : \"2\", \"engine\" : \"ort\"",
                        2.0, 2.0, "ms/op", ""));
        String md = new PerformanceTable(r, 102.4).markdown();
        // MACs = 8 * 256 * 28 * 28 * 128 = 205,520,896; FLOP = 0.411 G; 4 ms: 102.8 GFLOP/s = 50.2 % of 204.8
        assertThat(md).contains("| 1x1 conv 128->256, 28x28, batch 8 | 2 | 0.411 | 4.00 | 2.00 | 2.00 | 102.8 | 50.2 | 205.5 | — | — |");
    }

    @Test
    void allocationRowsShowBytesPerInference() throws Exception {
        List<JmhResult> r = write(entry("dev.minnow.jmh.InferenceAllocationBenchmark.infer",
                "\"model\" : \"LENET5\", \"threads\" : \"2\"", 4.0, 4.25, "ms/op",
                "\"\\u00b7gc.alloc.rate.norm\" : {\"score\" : 696.0, \"scoreUnit\" : \"B/op\"}"));
        assertThat(new PerformanceTable(r, 102.4).markdown()).contains("| LENET5 | 2 | 696 | 4.25 |");
    }

    @Test
    void allocationIsTheMedianOverIterationsNotAMeanSkewedByAWarmUpIteration() throws Exception {
        // a real MobileNet-V2 result: the first iteration still allocated 1.8 MB per inference
        List<JmhResult> r = write(entry("dev.minnow.jmh.InferenceAllocationBenchmark.infer",
                "\"model\" : \"MOBILENET_V2\", \"threads\" : \"2\"", 19.0, 19.2, "ms/op",
                "\"\\u00b7gc.alloc.rate.norm\" : {\"score\" : 444948.0, \"scorePercentiles\" : {\"0.0\" : 706.0,"
                        + " \"50.0\" : 1423.79, \"100.0\" : 1776238.5}, \"scoreUnit\" : \"B/op\","
                        + " \"rawData\" : [[1776238.5, 1373.5, 1474.09, 706.0]]}"));
        assertThat(r.get(0).allocBytes()).isEqualTo(1423.79);
        assertThat(new PerformanceTable(r, 102.4).markdown()).contains("| MOBILENET_V2 | 2 | 1424 | 19.2 |");
    }
}
