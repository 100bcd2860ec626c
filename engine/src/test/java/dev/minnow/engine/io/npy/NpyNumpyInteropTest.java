package dev.minnow.engine.io.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NumPy itself loads what Minnow writes (skipped where Debian's python3 with NumPy is absent). */
class NpyNumpyInteropTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /** Each file holds arange(n) of its shape, in its dtype; NumPy checks dtype, shape and values. */
    private static final String CHECK = String.join("\n",
            "import sys, os, numpy as np",
            "cases = {'f4_2x3': ('<f4', (2, 3)), 'f4_scalar': ('<f4', ()), 'f4_0x5': ('<f4', (0, 5)),",
            "         'i8_7': ('<i8', (7,)), 'i4_2x2x2': ('<i4', (2, 2, 2)), 'i1_5': ('|i1', (5,)),",
            "         'u1_5': ('|u1', (5,)), 'b1_4': ('|b1', (4,))}",
            "for name, (dtype, shape) in cases.items():",
            "    a = np.load(os.path.join(sys.argv[1], name + '.npy'))",
            "    expected = (np.arange(int(np.prod(shape))) % 2 if dtype == '|b1' else np.arange(int(np.prod(shape))))",
            "    expected = expected.astype(dtype).reshape(shape)",
            "    assert a.dtype.str == dtype, (name, a.dtype.str)",
            "    assert a.shape == shape, (name, a.shape)",
            "    assert np.array_equal(a, expected), (name, a, expected)",
            "print('numpy read %d files' % len(cases))");

    @Test
    void numpyLoadsWhatMinnowWrites(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3");
        write(dir, "f4_2x3", Tensor.of(Shape.of(2, 3), 0, 1, 2, 3, 4, 5));
        write(dir, "f4_scalar", Tensor.scalar(0));
        write(dir, "f4_0x5", Tensor.zeros(0, 5));
        write(dir, "i8_7", Tensor.ofLongs(Shape.of(7), 0, 1, 2, 3, 4, 5, 6));
        write(dir, "i4_2x2x2", Tensor.ofInts(Shape.of(2, 2, 2), 0, 1, 2, 3, 4, 5, 6, 7));
        write(dir, "i1_5", Tensor.ofBytes(Shape.of(5), DataType.INT8, new byte[] {0, 1, 2, 3, 4}));
        write(dir, "u1_5", Tensor.ofBytes(Shape.of(5), DataType.UINT8, new byte[] {0, 1, 2, 3, 4}));
        write(dir, "b1_4", Tensor.ofBytes(Shape.of(4), DataType.BOOL, new byte[] {0, 1, 0, 1}));

        Process p = new ProcessBuilder(PYTHON.toString(), "-c", CHECK, dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assumeTrue(!output.contains("No module named 'numpy'"), "python3 has no numpy");
        assertThat(output).contains("numpy read 8 files");
        assertThat(p.exitValue()).as(output).isZero();
    }

    private static void write(Path dir, String name, Tensor t) throws IOException {
        Npy.write(t, dir.resolve(name + ".npy"));
    }
}
