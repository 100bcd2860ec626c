package dev.minnow.engine.io.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.engine.io.onnx.ConformanceResult.Status;
import dev.minnow.engine.op.OpRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Runs ONNX's own backend tests (Debian package {@code libonnx-testdata}) through the reader,
 * the planner and the ops: every test whose model Minnow can load must produce ONNX's expected
 * outputs within ONNX's tolerance.
 */
class OnnxConformanceTest {
    static final List<String> SUITES = List.of("node", "pytorch-converted", "pytorch-operator", "simple");

    /**
     * Tests that must PASS (not merely not fail): every float test of the CNN building blocks,
     * 2-D for the spatial ops, collected from the folder names. Left out on purpose: 1-D/3-D
     * pooling and convolution, uint8 MaxPool, MaxPool with the Indices output, training-mode
     * BatchNormalization, and pytorch-operator's broadcasting Add tests (they use doubles).
     */
    static final List<String> REQUIRED = List.of(
            // Conv
            "node/test_basic_conv_with_padding", "node/test_basic_conv_without_padding",
            "node/test_conv_with_autopad_same", "node/test_conv_with_strides_and_asymmetric_padding",
            "node/test_conv_with_strides_no_padding", "node/test_conv_with_strides_padding",
            "pytorch-converted/test_Conv2d", "pytorch-converted/test_Conv2d_depthwise",
            "pytorch-converted/test_Conv2d_depthwise_padded", "pytorch-converted/test_Conv2d_depthwise_strided",
            "pytorch-converted/test_Conv2d_depthwise_with_multiplier", "pytorch-converted/test_Conv2d_dilated",
            "pytorch-converted/test_Conv2d_groups", "pytorch-converted/test_Conv2d_groups_thnn",
            "pytorch-converted/test_Conv2d_no_bias", "pytorch-converted/test_Conv2d_padding",
            "pytorch-converted/test_Conv2d_strided", "pytorch-operator/test_operator_conv",
            // MaxPool
            "node/test_maxpool_2d_ceil", "node/test_maxpool_2d_default", "node/test_maxpool_2d_dilations",
            "node/test_maxpool_2d_pads", "node/test_maxpool_2d_precomputed_pads",
            "node/test_maxpool_2d_precomputed_same_upper", "node/test_maxpool_2d_precomputed_strides",
            "node/test_maxpool_2d_same_lower", "node/test_maxpool_2d_same_upper", "node/test_maxpool_2d_strides",
            "pytorch-converted/test_MaxPool2d", "pytorch-converted/test_MaxPool2d_stride_padding_dilation",
            // AveragePool
            "node/test_averagepool_2d_ceil", "node/test_averagepool_2d_default", "node/test_averagepool_2d_pads",
            "node/test_averagepool_2d_pads_count_include_pad", "node/test_averagepool_2d_precomputed_pads",
            "node/test_averagepool_2d_precomputed_pads_count_include_pad",
            "node/test_averagepool_2d_precomputed_same_upper", "node/test_averagepool_2d_precomputed_strides",
            "node/test_averagepool_2d_same_lower", "node/test_averagepool_2d_same_upper",
            "node/test_averagepool_2d_strides",
            "pytorch-converted/test_AvgPool2d", "pytorch-converted/test_AvgPool2d_stride",
            // global pools
            "node/test_globalaveragepool", "node/test_globalaveragepool_precomputed",
            "node/test_globalmaxpool", "node/test_globalmaxpool_precomputed",
            // BatchNormalization (inference)
            "node/test_batchnorm_epsilon", "node/test_batchnorm_example",
            "pytorch-converted/test_BatchNorm2d_eval", "pytorch-converted/test_BatchNorm2d_momentum_eval",
            // LRN
            "node/test_lrn", "node/test_lrn_default",
            // Gemm
            "node/test_gemm_all_attributes", "node/test_gemm_alpha", "node/test_gemm_beta",
            "node/test_gemm_default_matrix_bias", "node/test_gemm_default_no_bias",
            "node/test_gemm_default_scalar_bias", "node/test_gemm_default_single_elem_vector_bias",
            "node/test_gemm_default_vector_bias", "node/test_gemm_default_zero_bias",
            "node/test_gemm_transposeA", "node/test_gemm_transposeB",
            "pytorch-converted/test_Linear", "pytorch-operator/test_operator_addmm", "pytorch-operator/test_operator_mm",
            // Softmax
            "node/test_softmax_axis_0", "node/test_softmax_axis_1", "node/test_softmax_axis_2",
            "node/test_softmax_default_axis", "node/test_softmax_example", "node/test_softmax_large_number",
            "node/test_softmax_negative_axis",
            "pytorch-converted/test_Softmax", "pytorch-converted/test_softmax_functional_dim3",
            "pytorch-converted/test_softmax_lastdim",
            // Concat
            "node/test_concat_1d_axis_0", "node/test_concat_1d_axis_negative_1", "node/test_concat_2d_axis_0",
            "node/test_concat_2d_axis_1", "node/test_concat_2d_axis_negative_1", "node/test_concat_2d_axis_negative_2",
            "node/test_concat_3d_axis_0", "node/test_concat_3d_axis_1", "node/test_concat_3d_axis_2",
            "node/test_concat_3d_axis_negative_1", "node/test_concat_3d_axis_negative_2",
            "node/test_concat_3d_axis_negative_3", "pytorch-operator/test_operator_concat2",
            // broadcasting Add / Mul
            "node/test_add_bcast", "node/test_mul_bcast");

    /** The op types the required tests exercise. */
    static final List<String> REQUIRED_OPS = List.of("Conv", "MaxPool", "AveragePool", "GlobalAveragePool",
            "GlobalMaxPool", "BatchNormalization", "LRN", "Gemm", "Softmax", "Concat", "Add", "Mul");

    private static Path root() {
        Path root = OnnxConformance.defaultRoot();
        assumeTrue(Files.isDirectory(root.resolve("node")),
                "ONNX conformance data not installed at " + root + " (apt-get install libonnx-testdata)");
        return root;
    }

    @Test
    void everyLoadableTestPasses() throws IOException {
        Path root = root();
        List<ConformanceResult> failures = new ArrayList<>();
        Map<String, Integer> skipReasons = new TreeMap<>();
        StringBuilder summary = new StringBuilder("ONNX conformance:");
        long start = System.nanoTime();
        for (String suite : SUITES) {
            Map<Status, Integer> counts = new EnumMap<>(Status.class);
            for (Path dir : OnnxConformance.discover(root.resolve(suite))) {
                ConformanceResult r = OnnxConformance.run(dir);
                counts.merge(r.status(), 1, Integer::sum);
                if (r.status() == Status.FAIL) {
                    failures.add(r);
                } else if (r.status() == Status.SKIP) {
                    skipReasons.merge(skipReason(r.detail()), 1, Integer::sum);
                }
            }
            summary.append(String.format("%n  %-18s %4d pass %4d fail %4d skip", suite,
                    counts.getOrDefault(Status.PASS, 0), counts.getOrDefault(Status.FAIL, 0),
                    counts.getOrDefault(Status.SKIP, 0)));
        }
        summary.append(String.format("%n  (%.1f s)%n  most common reasons to skip:", (System.nanoTime() - start) / 1e9));
        skipReasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(25)
                .forEach(e -> summary.append(String.format("%n    %4d  %s", e.getValue(), e.getKey())));
        System.out.println(summary);
        assertThat(failures)
                .as("conformance failures:%n%s", failures.stream().map(f -> f.name() + ": " + f.detail())
                        .collect(Collectors.joining("\n")))
                .isEmpty();
    }

    @Test
    void requiredTestsPass() {
        Path root = root();
        List<String> missingOps = REQUIRED_OPS.stream().filter(op -> !OpRegistry.supports("", op)).toList();
        assumeTrue(missingOps.size() < REQUIRED_OPS.size(),
                "none of the ops of the required tests is in this build yet (" + REQUIRED_OPS + ")");
        List<String> notPassing = new ArrayList<>();
        for (String name : REQUIRED) {
            ConformanceResult r = OnnxConformance.run(root.resolve(name));
            if (r.status() != Status.PASS) {
                notPassing.add(name + ": " + r.status() + " " + r.detail());
            }
        }
        assertThat(notPassing).as("required conformance tests that do not pass (missing ops: %s)", missingOps)
                .isEmpty();
    }

    @Test
    void reluPasses() {
        ConformanceResult r = OnnxConformance.run(root().resolve("node/test_relu"));
        assertThat(r.status()).as(r.detail()).isEqualTo(Status.PASS);
        assertThat(r.name()).isEqualTo("node/test_relu");
    }

    @Test
    void discoverFindsEveryModelSorted() throws IOException {
        List<Path> found = OnnxConformance.discover(root().resolve("simple"));
        assertThat(found).isSorted().allSatisfy(p -> assertThat(p.resolve("model.onnx")).isRegularFile());
        try (var s = Files.list(root().resolve("simple"))) {
            assertThat(found).hasSize((int) s.filter(p -> Files.exists(p.resolve("model.onnx"))).count());
        }
    }

    private static final Pattern UNSUPPORTED_OP = Pattern.compile("unsupported op (\\S+)");

    /** "unsupported op Foo", or the message without its file and node prefix. */
    private static String skipReason(String detail) {
        Matcher m = UNSUPPORTED_OP.matcher(detail);
        if (m.find()) {
            return "unsupported op " + m.group(1);
        }
        if (detail.contains("element type")) {
            return "element type " + detail.replaceAll(".*element type (\\w+).*", "$1");
        }
        return detail.replaceAll("^[^:]*: (at byte \\d+: )?", "").replaceAll("'[^']*'", "'…'");
    }
}
