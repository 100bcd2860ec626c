package dev.minnow.engine.io.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Corrupt and hostile files: each must give a ModelFormatException naming the file, never anything else. */
class NpyHostileInputTest {

    /** A version 1.0 file with this exact header text (padded by nobody) followed by {@code data}. */
    static byte[] file(int major, String header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        out.write(h.length & 0xFF);
        out.write(h.length >>> 8);
        if (major > 1) {
            out.write(h.length >>> 16);
            out.write(h.length >>> 24);
        }
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n";
    }

    private static void assertRejected(byte[] bytes, String... messageParts) {
        assertThatThrownBy(() -> Npy.read(bytes, "evil.npy"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("evil.npy: ")
                .hasMessageContainingAll(messageParts);
    }

    @Test
    void aHandWrittenHeaderIsAccepted() throws ModelFormatException {
        // the helper itself must produce valid files, or the rejections below prove nothing
        Tensor t = Npy.read(file(1, dict("<f4", "(2,)"), new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40}), "ok");
        assertThat(t.toFloatArray()).containsExactly(1f, 2f);
        Tensor py2 = Npy.read(file(1, "{\"shape\": (1L, 2L), \"descr\": \"<i4\", \"fortran_order\": False}",
                new byte[8]), "py2");
        assertThat(py2.shape()).isEqualTo(Shape.of(1, 2));
    }

    @Test
    void rejectsBadMagicVersionsAndTinyFiles() {
        assertRejected(new byte[5], "5 bytes is too short");
        assertRejected("PK\3\4 this is a zip file".getBytes(StandardCharsets.ISO_8859_1), "not a .npy file");
        assertRejected(file(4, dict("<f4", "()"), new byte[4]), "version 4.0 is not supported");
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFile() {
        byte[] b = file(1, dict("<f4", "()"), new byte[4]);
        b[8] = (byte) 0xFF;
        b[9] = (byte) 0xFF;
        assertRejected(b, "header length 65535 goes beyond the end of the file");
        byte[] v2 = file(2, dict("<f4", "()"), new byte[4]);
        v2[11] = (byte) 0xF0;
        assertRejected(v2, "goes beyond the end of the file");
    }

    @Test
    void rejectsAHugeHeaderEvenWhenTheFileIsThatLong() {
        String pad = " ".repeat(1_100_000);
        assertRejected(file(2, dict("<f4", "()") + pad, new byte[4]), "larger than the 1048576 bytes");
    }

    @Test
    void rejectsAbsurdAndOverflowingShapesBeforeAllocating() {
        assertRejected(file(1, dict("<f4", "(100000, 100000, 100000)"), new byte[0]), "more elements than");
        assertRejected(file(1, dict("<f4", "(65536, 65536)"), new byte[0]), "more elements than");
        assertRejected(file(1, dict("<f4", "(1099511627776,)"), new byte[0]), "dimension 0", "not an integer");
        assertRejected(file(1, dict("<f4", "(3, -2)"), new byte[0]), "dimension 1");
        assertRejected(file(1, dict("<f4", "(99999999999999999999999,)"), new byte[0]), "too large");
        // fits an array, but the file does not hold the data: refused before the 2 GB allocation
        assertRejected(file(1, dict("<f4", "(500000000,)"), new byte[16]), "truncated", "2000000000 bytes");
    }

    @Test
    void rejectsShortAndOverlongData() {
        assertRejected(file(1, dict("<f4", "(2, 3)"), new byte[20]), "truncated", "needs 24 bytes", "has 20");
        assertRejected(file(1, dict("<f4", "(2,)"), new byte[9]), "1 unexpected bytes after the 8 bytes");
    }

    @Test
    void rejectsMalformedDicts() {
        assertRejected(file(1, "[1, 2]", new byte[0]), "not a Python dict");
        assertRejected(file(1, "{'descr': '<f4', 'shape': ()}", new byte[4]), "exactly the keys", "[descr, shape]");
        assertRejected(file(1, "{'descr': '<f4', 'fortran_order': 1, 'shape': ()}", new byte[4]), "fortran_order");
        assertRejected(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", new byte[8]),
                "shape must be a tuple");
        assertRejected(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,", new byte[8]), "cannot parse");
        assertRejected(file(1, "{'descr: '<f4'}", new byte[8]), "cannot parse");
        assertRejected(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), } junk", new byte[4]),
                "unexpected text after the dict");
        assertRejected(file(1, "(".repeat(100_000), new byte[0]), "nested more than");
        assertRejected(file(3, "{'descr': '<f4' \u00ff", new byte[0]), "not valid UTF-8");
    }

    @Test
    void survivesSeededRandomMutationsOfValidFiles() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : new String[] {"f4_2x3.npy", "f2_12.npy", "f8_5.npy", "i8_6.npy", "i4_2x2.npy",
            "u1_4.npy", "b1_3.npy", "f4_scalar.npy", "f4_0x3.npy", "f4_fortran_2x3x4.npy", "f4_v2.npy", "f4_v3.npy"}) {
            seeds.add(Files.readAllBytes(NpyTest.fixture(name)));
        }
        byte[] alphabet = "0123456789(),'{}: -L[]TrueFalse<|>fiub\n".getBytes(StandardCharsets.ISO_8859_1);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int trial = 0; trial < 1000; trial++) {
                Random r = new Random(trial);
                byte[] seed = seeds.get(r.nextInt(seeds.size()));
                byte[] b = mutate(seed, r, alphabet);
                try {
                    Tensor t = Npy.read(b, "fuzz" + trial);
                    assertThat(t.size()).isLessThanOrEqualTo(b.length);
                    outcomes[0]++;
                } catch (ModelFormatException e) {
                    assertThat(e.getMessage()).startsWith("fuzz" + trial + ": ");
                    outcomes[1]++;
                } catch (Throwable e) {
                    fail("trial " + trial + " threw " + e + " for bytes " + Arrays.toString(b), e);
                }
            }
        });
        // the mutations must exercise both paths, or the test is not testing much
        assertThat(outcomes[0]).as("mutants read successfully").isGreaterThan(50);
        assertThat(outcomes[1]).as("mutants rejected").isGreaterThan(300);
    }

    private static byte[] mutate(byte[] seed, Random r, byte[] alphabet) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && b.length > 11; e++) {
            int headerEnd = Math.min(b.length, 10 + (b[8] & 0xFF) + ((b[9] & 0xFF) << 8));
            switch (r.nextInt(8)) {
                case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));              // flip a bit anywhere
                case 1 -> b[10 + r.nextInt(Math.max(1, headerEnd - 10))] = alphabet[r.nextInt(alphabet.length)];
                case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));                     // truncate
                case 3 -> {                                                                    // grow
                    byte[] g = Arrays.copyOf(b, b.length + 1 + r.nextInt(16));
                    b = g;
                }
                case 4 -> b[8 + r.nextInt(2)] = (byte) r.nextInt(256);                     // length field
                case 5 -> {                                                                    // delete a header byte
                    int at = 10 + r.nextInt(Math.max(1, headerEnd - 10));
                    byte[] d = new byte[b.length - 1];
                    System.arraycopy(b, 0, d, 0, at);
                    System.arraycopy(b, at + 1, d, at, b.length - at - 1);
                    b = d;
                }
                case 6 -> {                                                                    // flip a data bit
                    if (headerEnd < b.length) {
                        b[headerEnd + r.nextInt(b.length - headerEnd)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                default -> {                                                                   // new digit in the shape
                    String s = new String(b, StandardCharsets.ISO_8859_1);
                    int at = s.indexOf("'shape': (");
                    if (at >= 0) {
                        b[at + 10] = (byte) ('0' + r.nextInt(10));
                    }
                }
            }
        }
        return b;
    }
}
