package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LeNet trained and exported to ONNX by PyTorch (zoo/scripts/pytorch_lenet_onnx.py) gets the same
 * test accuracy from {@code minnow eval} as PyTorch itself reports, image for image. Runs when
 * Debian's python3 with torch is installed.
 */
class EvalPyTorchExportTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void minnowEvalMatchesPyTorchsAccuracyOnItsExport(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PYTHON) && hasTorch(), "Debian's python3 with torch is not installed");
        Path script = Path.of("scripts/pytorch_lenet_onnx.py").toAbsolutePath();
        assumeTrue(Files.exists(script), "run from the zoo module directory (Maven does)");
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            try (InputStream in = getClass().getResourceAsStream("/dev/minnow/zoo/data/" + f)) {
                Files.copy(in, dir.resolve(f));
            }
        }
        for (String model : new String[] {"lenet300", "lenet5"}) {
            Path onnx = dir.resolve(model + ".onnx");
            Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), dir.toString(), onnx.toString(),
                    "--model", model, "--limit", "3000").redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            String err = new String(p.getErrorStream().readAllBytes());
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(err).isEqualTo(0);
            Map<String, Object> torch = MiniJson.parseObject(out.substring(out.lastIndexOf('{')));

            CliRun eval = CliRun.of("eval", onnx.toString(), "--data", dir.toString(), "--json");
            assertThat(eval.code()).as(eval.err()).isEqualTo(0);
            Map<String, Object> minnow = MiniJson.parseObject(eval.out());
            assertThat(((Number) minnow.get("accuracy")).doubleValue()).as(model)
                    .isEqualTo(((Number) torch.get("accuracy")).doubleValue());
        }
    }

    private static boolean hasTorch() throws Exception {
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch").start();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
