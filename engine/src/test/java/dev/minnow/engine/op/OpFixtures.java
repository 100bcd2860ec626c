package dev.minnow.engine.op;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reference cases written by {@code src/test/resources/fixtures/make_spatial_fixtures.py} (PyTorch
 * on random inputs, and copies of ONNX's backend node tests): each case is one ONNX node with its
 * inputs and expected outputs. {@link #check} builds the op through {@link OpRegistry}, checks the
 * inferred shapes, runs it and compares.
 */
final class OpFixtures {
    private OpFixtures() {
    }

    /** One node: op type, opset, attributes, inputs ({@code null} when absent) and expected outputs. */
    record Case(String name, String opType, int opset, Attributes attributes, List<Tensor> inputs,
            List<Tensor> outputs) {
        @Override
        public String toString() {
            return opType + " " + name;
        }
    }

    /** All cases of {@code fixtures/ops/<file>}. */
    static List<Case> load(String file) {
        try (InputStream in = OpFixtures.class.getResourceAsStream("/fixtures/ops/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource fixtures/ops/" + file
                        + " (run make_spatial_fixtures.py)");
            }
            ByteBuffer buf = ByteBuffer.wrap(new DataInputStream(in).readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[4];
            buf.get(magic);
            if (!new String(magic, StandardCharsets.US_ASCII).equals("MNFX") || buf.getInt() != 1) {
                throw new IllegalStateException(file + " is not a version-1 MNFX fixture file");
            }
            int count = buf.getInt();
            List<Case> cases = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String name = string(buf);
                String opType = string(buf);
                int opset = buf.getInt();
                Attributes.Builder ab = Attributes.builder();
                int attrs = buf.getInt();
                for (int a = 0; a < attrs; a++) {
                    String an = string(buf);
                    switch (buf.get()) {
                        case 0 -> ab.set(an, buf.getLong());
                        case 1 -> ab.set(an, buf.getFloat());
                        case 2 -> ab.set(an, string(buf));
                        case 3 -> {
                            long[] v = new long[buf.getInt()];
                            for (int j = 0; j < v.length; j++) {
                                v[j] = buf.getLong();
                            }
                            ab.set(an, v);
                        }
                        case 4 -> {
                            float[] v = new float[buf.getInt()];
                            for (int j = 0; j < v.length; j++) {
                                v[j] = buf.getFloat();
                            }
                            ab.set(an, v);
                        }
                        default -> throw new IllegalStateException("bad attribute kind in " + file);
                    }
                }
                List<Tensor> inputs = tensors(buf);
                List<Tensor> outputs = tensors(buf);
                cases.add(new Case(name, opType, opset, ab.build(), inputs, outputs));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cases of a file whose name starts with {@code onnx:} (true) or not (false). */
    static List<Case> load(String file, boolean onnxNodeTests) {
        return load(file).stream().filter(c -> c.name().startsWith("onnx:") == onnxNodeTests).toList();
    }

    private static List<Tensor> tensors(ByteBuffer buf) {
        int n = buf.getInt();
        List<Tensor> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int dtype = buf.get();
            int rank = buf.getInt();
            int[] dims = new int[rank];
            for (int d = 0; d < rank; d++) {
                dims[d] = buf.getInt();
            }
            if (dtype == 0) {
                list.add(null);
                continue;
            }
            Shape shape = Shape.of(dims);
            int size = shape.size();
            switch (dtype) {
                case 1 -> {
                    float[] v = new float[size];
                    buf.asFloatBuffer().get(v);
                    buf.position(buf.position() + 4 * size);
                    list.add(Tensor.of(shape, v));
                }
                case 7 -> {
                    long[] v = new long[size];
                    buf.asLongBuffer().get(v);
                    buf.position(buf.position() + 8 * size);
                    list.add(Tensor.ofLongs(shape, v));
                }
                case 2, 3 -> {
                    byte[] v = new byte[size];
                    buf.get(v);
                    list.add(Tensor.ofBytes(shape, dtype == 2 ? DataType.UINT8 : DataType.INT8, v));
                }
                default -> throw new IllegalStateException("bad tensor type " + dtype);
            }
        }
        return list;
    }

    private static String string(ByteBuffer buf) {
        byte[] b = new byte[buf.getInt()];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Builds the op from the case's attributes, checks the inferred output types and shapes, runs
     * it twice (on compact tensors, then on tensors placed at an offset inside larger arrays whose
     * other elements are NaN, so that a kernel ignoring offsets or leaving outputs unwritten fails)
     * and compares each output: floats within {@code 1e-5 + 1e-4 * |expected|}, integers exactly.
     */
    static void check(Case c) {
        Op op = OpRegistry.create("", c.opType(), c.attributes(), c.opset());
        List<ValueInfo> ins = new ArrayList<>();
        for (Tensor t : c.inputs()) {
            ins.add(t == null ? null : ValueInfo.of(t.type(), t.shape()));
        }
        List<ValueInfo> inferred = op.inferOutputs(ins);
        assertThat(inferred.size()).as("output count of %s", c).isGreaterThanOrEqualTo(c.outputs().size());
        for (int i = 0; i < c.outputs().size(); i++) {
            assertThat(inferred.get(i).shape()).as("shape of output %d of %s", i, c).isEqualTo(c.outputs().get(i).shape());
            assertThat(inferred.get(i).type()).as("type of output %d of %s", i, c).isEqualTo(c.outputs().get(i).type());
        }
        for (int offset : new int[] {0, 3}) {
            Tensor[] in = new Tensor[c.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = c.inputs().get(i) == null ? null : placed(c.inputs().get(i), offset);
            }
            Tensor[] out = new Tensor[c.outputs().size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = placed(Tensor.zeros(inferred.get(i).shape(), inferred.get(i).type()), offset);
                fillGarbage(out[i]);
            }
            op.forward(in, out, ExecutionContext.standalone(1));
            for (int i = 0; i < out.length; i++) {
                assertMatches(out[i], c.outputs().get(i), c + " output " + i + " (data at offset " + offset + ")");
            }
        }
    }

    /** A copy of {@code t} at {@code offset} in an array 2*offset longer, the rest NaN (floats). */
    private static Tensor placed(Tensor t, int offset) {
        if (offset == 0) {
            return t.copy();
        }
        int n = t.size();
        return switch (t.type()) {
            case FLOAT -> {
                float[] a = new float[n + 2 * offset];
                Arrays.fill(a, Float.NaN);
                System.arraycopy(t.data(), t.offset(), a, offset, n);
                yield Tensor.wrap(t.shape(), a, offset);
            }
            default -> t.copy(); // integer tensors: the Tensor API has no offset view; compact is enough
        };
    }

    private static void fillGarbage(Tensor t) {
        if (t.type() == DataType.FLOAT) {
            Arrays.fill(t.data(), t.offset(), t.offset() + t.size(), Float.NaN);
        } else if (t.type() == DataType.INT64) {
            Arrays.fill(t.longData(), t.offset(), t.offset() + t.size(), Long.MIN_VALUE);
        }
    }

    static void assertMatches(Tensor actual, Tensor expected, String what) {
        assertThat(actual.shape()).as(what).isEqualTo(expected.shape());
        if (expected.type() != DataType.FLOAT) {
            assertThat(actual.toLongArray()).as(what).containsExactly(expected.toLongArray());
            return;
        }
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            float tol = 1e-5f + 1e-4f * Math.abs(e[i]);
            if (!(Math.abs(a[i] - e[i]) <= tol) && !(Float.isNaN(e[i]) && Float.isNaN(a[i]))) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", expected " + e[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }

    /** Runs {@code op} on the given inputs and returns its outputs, allocated from inferred shapes. */
    static Tensor[] run(Op op, Tensor... inputs) {
        List<ValueInfo> ins = new ArrayList<>();
        for (Tensor t : inputs) {
            ins.add(t == null ? null : ValueInfo.of(t.type(), t.shape()));
        }
        List<ValueInfo> infos = op.inferOutputs(ins);
        Tensor[] out = new Tensor[infos.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Tensor.zeros(infos.get(i).shape(), infos.get(i).type());
        }
        op.forward(inputs, out, ExecutionContext.standalone(1));
        return out;
    }

    /** {@link ValueInfo}s of float tensors of the given shapes ({@code null} stays absent). */
    static List<ValueInfo> floats(Shape... shapes) {
        List<ValueInfo> list = new ArrayList<>();
        for (Shape s : shapes) {
            list.add(s == null ? null : ValueInfo.of(s));
        }
        return list;
    }
}
