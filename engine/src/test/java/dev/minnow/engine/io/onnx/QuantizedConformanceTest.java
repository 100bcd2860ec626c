package dev.minnow.engine.io.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.engine.io.onnx.ConformanceResult.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ONNX's own tests of the quantization operators must pass (integer outputs compare exactly). */
class QuantizedConformanceTest {
    static final List<String> REQUIRED = List.of(
            "node/test_quantizelinear", "node/test_quantizelinear_axis",
            "node/test_dequantizelinear", "node/test_dequantizelinear_axis",
            "node/test_qlinearconv", "node/test_qlinearmatmul_2D", "node/test_qlinearmatmul_3D",
            "node/test_basic_convinteger", "node/test_convinteger_with_padding", "node/test_convinteger_without_padding",
            "node/test_matmulinteger",
            "node/test_dynamicquantizelinear", "node/test_dynamicquantizelinear_max_adjusted",
            "node/test_dynamicquantizelinear_min_adjusted");

    @Test
    void quantizationOperatorTestsPass() {
        Path root = OnnxConformance.defaultRoot();
        assumeTrue(Files.isDirectory(root.resolve("node")), "ONNX conformance data not installed at " + root);
        List<String> notPassing = new ArrayList<>();
        for (String name : REQUIRED) {
            ConformanceResult r = OnnxConformance.run(root.resolve(name));
            if (r.status() != Status.PASS) {
                notPassing.add(name + ": " + r.status() + " " + r.detail());
            }
        }
        assertThat(notPassing).isEmpty();
    }
}
