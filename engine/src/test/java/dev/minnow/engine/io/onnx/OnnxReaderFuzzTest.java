package dev.minnow.engine.io.onnx;

import static dev.minnow.engine.io.onnx.OnnxModelBytes.floatTensor;
import static dev.minnow.engine.io.onnx.OnnxModelBytes.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.op.OpRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Feeds the reader seeded random corruptions of real model files (bit flips, overwritten bytes,
 * truncations, insertions, deletions, duplicated ranges, huge varints). Every case must either
 * read or throw {@link ModelFormatException}; any other exception or error, or a case that takes
 * more than two seconds, fails the test with its seed and mutations so it can be replayed.
 */
class OnnxReaderFuzzTest {
    /** Cases per base model; {@code -Dminnow.fuzz.cases=100000} for a longer hunt. */
    private static final int CASES_PER_MODEL = Integer.getInteger("minnow.fuzz.cases", 500);
    private static final long SEED = 20240601L;

    @BeforeAll
    static void registerTestOps() {
        AttributeCarrier.register();
    }

    /** The models mutated: what the writer produces, hand-built typed fields, an old opset. */
    static List<byte[]> baseModels() {
        byte[] written = OnnxWriter.toBytes(OnnxWriterTest.sample());
        ProtobufWriter typed = new ProtobufWriter().writePackedVarints(1, new long[] {2, 2}).writeVarint(2, 1)
                .writeString(8, "wt").writePackedFloats(4, new float[] {1, 2, 3, 4});
        ProtobufWriter longs = new ProtobufWriter().writeVarint(1, 3).writeVarint(2, 7).writeString(8, "k")
                .writeVarint(7, 1).writeVarint(7, -2).writeVarint(7, 3);
        ProtobufWriter constant = new ProtobufWriter().writeString(1, "value").writeVarint(20, 4)
                .writeMessage(5, floatTensor("", new long[] {2}, 5f, 6f));
        ProtobufWriter ints = new ProtobufWriter().writeString(1, "ints").writeVarint(20, 7)
                .writePackedVarints(8, new long[] {1, 300, -1});
        byte[] handBuilt = new OnnxModelBytes().input("x", 1, -1, 2)
                .initializer(typed).initializer(longs)
                .node(node(null, "Constant", null, List.of(), List.of("c"), constant))
                .node(node(null, "Relu", null, List.of("x"), List.of("r")))
                .node(node("carry", AttributeCarrier.OP_TYPE, OpRegistry.NATIVE_DOMAIN, List.of("r", "wt", "k", "c"),
                        List.of("y"), ints))
                .output("y").toByteArray();
        ProtobufWriter min = new ProtobufWriter().writeString(1, "min").writeVarint(20, 1).writeFloat(2, 0f);
        ProtobufWriter axis = new ProtobufWriter().writeString(1, "axis").writeVarint(20, 2).writeVarint(3, 1);
        ProtobufWriter broadcast = new ProtobufWriter().writeString(1, "broadcast").writeVarint(20, 2).writeVarint(3, 1);
        byte[] legacy = new OnnxModelBytes().opset(6).input("x", 1, 1, 3, 2, 2).input("b", 1, 3)
                .initializer(floatTensor("b", new long[] {3}, 1, 2, 3))
                .node(node("add", "Add", null, List.of("x", "b"), List.of("a"), broadcast, axis))
                .node(node("clip", "Clip", null, List.of("a"), List.of("c"), min))
                .node(node("sm", "Softmax", null, List.of("c"), List.of("y"), axis))
                .output("y").toByteArray();
        return List.of(written, handBuilt, legacy);
    }

    @Test
    void theBaseModelsAreValid() throws ModelFormatException {
        List<byte[]> models = baseModels();
        assertThat(OnnxReader.read(models.get(0), "written").nodes()).hasSize(3);
        assertThat(OnnxReader.read(models.get(1), "hand-built").nodes()).hasSize(2);
        // the legacy model exercises the opset adapter; its ops are not all in this build
        try {
            OnnxReader.read(models.get(2), "legacy");
        } catch (UnsupportedModelException ex) {
            assertThat(ex.getMessage()).contains("unsupported op");
        }
    }

    @Test
    void mutatedModelsReadOrFailCleanly() throws Exception {
        List<byte[]> models = baseModels();
        List<String> failures = new ArrayList<>();
        int read = 0;
        int refused = 0;
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "onnx-fuzz");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int m = 0; m < models.size(); m++) {
                for (int c = 0; c < CASES_PER_MODEL; c++) {
                    long seed = SEED + m * 1_000_003L + c;
                    StringBuilder how = new StringBuilder();
                    byte[] bytes = mutate(models.get(m), new Random(seed), how);
                    Future<Boolean> f = worker.submit(() -> {
                        try {
                            OnnxReader.read(bytes, "fuzz");
                            return true;
                        } catch (ModelFormatException ex) {
                            if (ex.getMessage() == null || ex.getMessage().isBlank()) {
                                throw new AssertionError("exception without a message", ex);
                            }
                            return false;
                        }
                    });
                    try {
                        if (f.get(2, TimeUnit.SECONDS)) {
                            read++;
                        } else {
                            refused++;
                        }
                    } catch (TimeoutException ex) {
                        f.cancel(true);
                        failures.add("model " + m + " seed " + seed + " (" + how + "): no answer within 2 s");
                        worker.shutdownNow();
                        worker = Executors.newSingleThreadExecutor();
                    } catch (java.util.concurrent.ExecutionException ex) {
                        failures.add("model " + m + " seed " + seed + " (" + how + "): " + ex.getCause());
                    }
                }
            }
        } finally {
            worker.shutdownNow();
        }
        System.out.printf("fuzz: %d cases, %d read, %d refused with ModelFormatException%n",
                models.size() * CASES_PER_MODEL, read, refused);
        assertThat(failures).as("cases that neither read nor threw ModelFormatException").isEmpty();
        assertThat(refused).as("the mutations actually break files").isGreaterThan(models.size() * CASES_PER_MODEL / 2);
    }

    /** One to three random mutations of {@code base}, described in {@code how}. */
    static byte[] mutate(byte[] base, Random rnd, StringBuilder how) {
        byte[] b = base.clone();
        int count = 1 + rnd.nextInt(3);
        for (int k = 0; k < count && b.length > 0; k++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(7)) {
                case 0 -> {
                    int bit = rnd.nextInt(8);
                    b[at] ^= (byte) (1 << bit);
                    how.append("flip bit ").append(bit).append(" at ").append(at).append("; ");
                }
                case 1 -> {
                    byte[] special = {0, (byte) 0xFF, (byte) 0x80, 0x7F, 0x08, 0x0A, 0x12, 0x1A};
                    byte v = rnd.nextBoolean() ? special[rnd.nextInt(special.length)] : (byte) rnd.nextInt(256);
                    b[at] = v;
                    how.append("byte ").append(at).append(" = ").append(v & 0xFF).append("; ");
                }
                case 2 -> {
                    b = Arrays.copyOf(b, at);
                    how.append("truncate at ").append(at).append("; ");
                }
                case 3 -> {
                    byte[] ins = new byte[1 + rnd.nextInt(16)];
                    rnd.nextBytes(ins);
                    b = splice(b, at, 0, ins);
                    how.append("insert ").append(ins.length).append(" bytes at ").append(at).append("; ");
                }
                case 4 -> {
                    // a huge or negative varint where a length or number was
                    long v = switch (rnd.nextInt(4)) {
                        case 0 -> Long.MAX_VALUE;
                        case 1 -> -1L;
                        case 2 -> Integer.MAX_VALUE;
                        default -> 1L << (31 + rnd.nextInt(32));
                    };
                    byte[] varint = new ProtobufWriter().writeRawVarint(v).toByteArray();
                    b = splice(b, at, Math.min(1, b.length - at), varint);
                    how.append("varint ").append(v).append(" at ").append(at).append("; ");
                }
                case 5 -> {
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(32));
                    b = splice(b, at, len, new byte[0]);
                    how.append("delete ").append(len).append(" at ").append(at).append("; ");
                }
                default -> {
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(64));
                    byte[] copy = Arrays.copyOfRange(b, at, at + len);
                    b = splice(b, rnd.nextInt(b.length + 1), 0, copy);
                    how.append("duplicate ").append(len).append(" from ").append(at).append("; ");
                }
            }
        }
        return b;
    }

    /** {@code b} with {@code remove} bytes at {@code at} replaced by {@code insert}. */
    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] r = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, r, 0, at);
        System.arraycopy(insert, 0, r, at, insert.length);
        System.arraycopy(b, at + remove, r, at + insert.length, b.length - at - remove);
        return r;
    }
}
