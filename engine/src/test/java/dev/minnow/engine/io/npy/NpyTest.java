package dev.minnow.engine.io.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads fixtures written by NumPy (make_npy_fixtures.py next to them) and checks every value
 * against one re-derived here by hand.
 */
class NpyTest {

    static Path fixture(String name) {
        try {
            return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test fixture npy/" + name, e);
        }
    }

    private static final float[] ARANGE6 = {-0.5f, -0.25f, 0f, 0.25f, 0.5f, 0.75f};

    @Test
    void readsFloat32() throws IOException {
        Tensor t = Npy.read(fixture("f4_2x3.npy"));
        assertThat(t.type()).isEqualTo(DataType.FLOAT);
        assertThat(t.shape()).isEqualTo(Shape.of(2, 3));
        assertThat(t.toFloatArray()).containsExactly(ARANGE6);
    }

    @Test
    void readsHeaderVersions2And3() throws IOException {
        for (String name : new String[] {"f4_v2.npy", "f4_v3.npy"}) {
            Tensor t = Npy.read(fixture(name));
            assertThat(t.shape()).as(name).isEqualTo(Shape.of(2, 3));
            assertThat(t.toFloatArray()).as(name).containsExactly(ARANGE6);
        }
    }

    @Test
    void convertsFloat64ToFloat32ByRounding() throws IOException {
        Tensor t = Npy.read(fixture("f8_5.npy"));
        assertThat(t.type()).isEqualTo(DataType.FLOAT);
        assertThat(t.toFloatArray()).containsExactly(
                (float) 0.1, (float) (1.0 / 3), (float) 1e-40, Float.POSITIVE_INFINITY, -2.5f);
    }

    @Test
    void convertsFloat16IncludingSubnormalsInfinitiesAndNan() throws IOException {
        float[] v = Npy.read(fixture("f2_12.npy")).toFloatArray();
        float[] expected = {0f, 1f, -2f, 0.5f, 65504f, (float) Math.pow(2, -24), (float) Math.pow(2, -14),
            (float) (1.5 * Math.pow(2, -15)), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < expected.length; i++) {
            assertThat(v[i]).as("element %d", i).isEqualTo(expected[i]);
        }
        assertThat(v[10]).isNaN();
        assertThat(Float.floatToRawIntBits(v[11])).isEqualTo(Float.floatToRawIntBits(-0f));
    }

    @Test
    void readsIntegerAndBoolTypes() throws IOException {
        Tensor i8 = Npy.read(fixture("i8_6.npy"));
        assertThat(i8.type()).isEqualTo(DataType.INT64);
        assertThat(i8.longData()).containsExactly(-(1L << 62), -1, 0, 1, (1L << 40) + 3, Long.MAX_VALUE);

        Tensor i4 = Npy.read(fixture("i4_2x2.npy"));
        assertThat(i4.type()).isEqualTo(DataType.INT32);
        assertThat(i4.shape()).isEqualTo(Shape.of(2, 2));
        assertThat(i4.intData()).containsExactly(Integer.MIN_VALUE, -7, 0, Integer.MAX_VALUE);

        Tensor i1 = Npy.read(fixture("i1_4.npy"));
        assertThat(i1.type()).isEqualTo(DataType.INT8);
        assertThat(i1.toLongArray()).containsExactly(-128, -1, 0, 127);

        Tensor u1 = Npy.read(fixture("u1_4.npy"));
        assertThat(u1.type()).isEqualTo(DataType.UINT8);
        assertThat(u1.toLongArray()).containsExactly(0, 1, 200, 255);

        Tensor b1 = Npy.read(fixture("b1_3.npy"));
        assertThat(b1.type()).isEqualTo(DataType.BOOL);
        assertThat(b1.toLongArray()).containsExactly(1, 0, 1);
    }

    @Test
    void readsScalarsAndEmptyArrays() throws IOException {
        Tensor s = Npy.read(fixture("f4_scalar.npy"));
        assertThat(s.shape()).isEqualTo(Shape.scalar());
        assertThat(s.get(0)).isEqualTo(3.5f);

        Tensor e = Npy.read(fixture("f4_0x3.npy"));
        assertThat(e.shape()).isEqualTo(Shape.of(0, 3));
        assertThat(e.size()).isZero();
    }

    @Test
    void transposesFortranOrderIntoRowMajor() throws IOException {
        // NumPy's array was arange(24).reshape(2, 3, 4) stored column-major: row-major it is 0..23 again
        Tensor f = Npy.read(fixture("f4_fortran_2x3x4.npy"));
        assertThat(f.shape()).isEqualTo(Shape.of(2, 3, 4));
        for (int i = 0; i < 24; i++) {
            assertThat(f.get(i)).isEqualTo(i);
        }
        assertThat(f.get(1, 2, 3)).isEqualTo(23f);
        Tensor l = Npy.read(fixture("i8_fortran_2x3.npy"));
        assertThat(l.shape()).isEqualTo(Shape.of(2, 3));
        assertThat(l.longData()).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void refusesWhatItCannotReadWithTheReason() {
        assertThatThrownBy(() -> Npy.read(fixture("f4_bigendian.npy")))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("f4_bigendian.npy").hasMessageContaining("big-endian")
                .hasMessageContaining("astype('<f4')");
        assertThatThrownBy(() -> Npy.read(fixture("structured.npy")))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("structured dtypes");
        assertThatThrownBy(() -> Npy.read(fixture("object.npy")))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("'|O'")
                .hasMessageContaining("Python objects");
        assertThatThrownBy(() -> Npy.read(fixture("u2_2.npy")))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("dtype '<u2' is not supported")
                .hasMessageContaining("<f4");
    }

    @Test
    void writesByteForByteWhatNumpyWrites() throws IOException {
        Tensor t = Tensor.of(Shape.of(2, 3), ARANGE6.clone());
        assertThat(Npy.toBytes(t)).isEqualTo(Files.readAllBytes(fixture("f4_2x3.npy")));
        Tensor l = Tensor.ofLongs(Shape.of(6), -(1L << 62), -1, 0, 1, (1L << 40) + 3, Long.MAX_VALUE);
        assertThat(Npy.toBytes(l)).isEqualTo(Files.readAllBytes(fixture("i8_6.npy")));
        Tensor b = Tensor.ofBytes(Shape.of(3), DataType.BOOL, (byte) 1, (byte) 0, (byte) 1);
        assertThat(Npy.toBytes(b)).isEqualTo(Files.readAllBytes(fixture("b1_3.npy")));
        assertThat(Npy.toBytes(Tensor.scalar(3.5f))).isEqualTo(Files.readAllBytes(fixture("f4_scalar.npy")));
    }

    static Stream<Tensor> sampleTensors() {
        Random r = new Random(7);
        float[] f = new float[3 * 5 * 7];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextGaussian();
        }
        long[] l = r.longs(11).toArray();
        int[] in = r.ints(12).toArray();
        byte[] by = new byte[9];
        r.nextBytes(by);
        // more than one 64 KiB chunk, and a length that does not divide it
        float[] big = new float[40_001];
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f - 7;
        }
        return Stream.of(
                Tensor.of(Shape.of(3, 5, 7), f),
                Tensor.wrap(Shape.of(2, 2), new float[] {9, 1, 2, 3, 4, 9}, 1), // storage with an offset
                Tensor.of(Shape.of(big.length), big),
                Tensor.scalar(-1.25f),
                Tensor.zeros(0, 4),
                Tensor.ofLongs(Shape.of(11), l),
                Tensor.ofInts(Shape.of(3, 4), in),
                Tensor.ofBytes(Shape.of(9), DataType.INT8, by.clone()),
                Tensor.ofBytes(Shape.of(3, 3), DataType.UINT8, by.clone()),
                Tensor.ofBytes(Shape.of(1, 1, 3), DataType.BOOL, (byte) 0, (byte) 1, (byte) 1));
    }

    @Test
    void roundTripsEveryTypeThroughBytesAndFiles(@TempDir Path dir) throws IOException {
        int k = 0;
        for (Tensor t : sampleTensors().toList()) {
            Tensor fromBytes = Npy.read(Npy.toBytes(t), "t" + k);
            assertThat(fromBytes.contentEquals(t)).as("bytes round trip of %s", t).isTrue();
            Path p = dir.resolve("t" + k + ".npy");
            Npy.write(t, p);
            assertThat(Npy.read(p).contentEquals(t)).as("file round trip of %s", t).isTrue();
            assertThat(Files.readAllBytes(p)).isEqualTo(Npy.toBytes(t));
            k++;
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.matches("t\\d+\\.npy"));
        }
    }

    @Test
    void writeReplacesAnExistingFileWhole(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("x.npy");
        Files.write(p, new byte[100_000]);
        Npy.write(Tensor.scalar(2f), p);
        assertThat(Npy.read(p).get(0)).isEqualTo(2f);
        assertThat(Files.size(p)).isEqualTo(132);
    }

    @Test
    void usesHeaderVersion2WhenTheDictDoesNotFitVersion1() throws IOException {
        int[] dims = new int[22_000]; // "1, " per dimension: a 66 000-character dict
        java.util.Arrays.fill(dims, 1);
        byte[] bytes = Npy.toBytes(Tensor.zeros(Shape.of(dims)));
        assertThat(bytes[6]).isEqualTo((byte) 2);
        assertThat(Npy.read(bytes, "long-header").shape()).isEqualTo(Shape.of(dims));
        assertThat((bytes.length - 4) % NpyHeader.ALIGN).isZero();
    }
}
