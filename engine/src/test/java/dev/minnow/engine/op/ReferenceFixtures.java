package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The numpy/PyTorch results in {@code reference.txt}, written by {@code make_reference.py} next
 * to it (run with /usr/bin/python3). One tensor per line: {@code name TYPE d0,d1 : values}.
 */
final class ReferenceFixtures {
    private static final Map<String, Tensor> TENSORS = load();

    private ReferenceFixtures() {
    }

    /** The named tensor (a fresh copy, so tests may reuse it). */
    static Tensor get(String name) {
        Tensor t = TENSORS.get(name);
        if (t == null) {
            throw new IllegalArgumentException("reference.txt has no tensor '" + name + "'; rerun make_reference.py");
        }
        return t.copy();
    }

    private static Map<String, Tensor> load() {
        Map<String, Tensor> m = new HashMap<>();
        try (InputStream in = ReferenceFixtures.class.getResourceAsStream("reference.txt")) {
            if (in == null) {
                throw new IllegalStateException("reference.txt is missing from the test resources");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] halves = line.split(" : ", 2);
                String[] head = halves[0].trim().split(" ");
                String[] dimText = head.length > 2 && !head[2].isEmpty() ? head[2].split(",") : new String[0];
                int[] dims = new int[dimText.length];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = Integer.parseInt(dimText[i]);
                }
                String[] vals = halves[1].isBlank() ? new String[0] : halves[1].trim().split(" ");
                Shape shape = Shape.of(dims);
                if (head[1].equals("FLOAT")) {
                    float[] f = new float[vals.length];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = Float.parseFloat(vals[i]);
                    }
                    m.put(head[0], Tensor.of(shape, f));
                } else {
                    long[] l = new long[vals.length];
                    for (int i = 0; i < l.length; i++) {
                        l[i] = Long.parseLong(vals[i]);
                    }
                    m.put(head[0], Tensor.ofLongs(shape, l));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }
}
