package dev.minnow.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.io.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    /** A [2, 2, 3] IDX file with elements 0..11, written byte by byte from the format description. */
    static byte[] smallIdx() {
        byte[] header = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3};
        byte[] out = new byte[header.length + 12];
        System.arraycopy(header, 0, out, 0, header.length);
        for (int i = 0; i < 12; i++) {
            out[header.length + i] = (byte) (i * 20);
        }
        return out;
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    @Test
    void readsRawAndGzippedFiles(@TempDir Path dir) throws IOException {
        Path raw = dir.resolve("a");
        Path gz = dir.resolve("b.gz");
        Files.write(raw, smallIdx());
        Files.write(gz, gzip(smallIdx()));
        for (Path p : new Path[] {raw, gz}) {
            Idx.Array a = Idx.read(p);
            assertThat(a.dims()).containsExactly(2, 2, 3);
            assertThat(a.count()).isEqualTo(2);
            assertThat(a.itemSize()).isEqualTo(6);
            assertThat(a.data()[11] & 0xFF).isEqualTo(220);
        }
    }

    @Test
    void rejectsBadHeadersWithAMessage() {
        byte[] ok = smallIdx();
        byte[] wrongMagic = ok.clone();
        wrongMagic[0] = 1;
        assertThatThrownBy(() -> Idx.parse(wrongMagic, "f")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not an IDX file");
        byte[] floats = ok.clone();
        floats[2] = 0x0D;
        assertThatThrownBy(() -> Idx.parse(floats, "f")).hasMessageContaining("element type 0xd");
        byte[] huge = ok.clone();
        huge[4] = 0x7F; // first dimension ~2 billion
        assertThatThrownBy(() -> Idx.parse(huge, "f")).hasMessageContaining("elements but the file holds 12");
        byte[] truncated = java.util.Arrays.copyOf(ok, ok.length - 1);
        assertThatThrownBy(() -> Idx.parse(truncated, "f")).hasMessageContaining("the file holds 11");
    }

    @Test
    void randomMutationsGiveAMessageOrAResult() {
        Random r = new Random(7);
        byte[] ok = smallIdx();
        for (int i = 0; i < 2000; i++) {
            byte[] m = ok.clone();
            if (r.nextBoolean()) {
                m = java.util.Arrays.copyOf(m, r.nextInt(m.length + 4));
            }
            for (int f = 0; f < 3 && m.length > 0; f++) {
                m[r.nextInt(m.length)] = (byte) r.nextInt(256);
            }
            try {
                Idx.parse(m, "mutant " + i);
            } catch (ModelFormatException expected) {
                assertThat(expected.getMessage()).startsWith("mutant " + i);
            }
        }
    }

    @Test
    void loadsTheDebianFashionMnist() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR),
                "dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)");
        FashionMnist.Split s = FashionMnist.load(FashionMnist.DEBIAN_DIR, Normalization.UNIT);
        assertThat(s.train().size()).isEqualTo(60000);
        assertThat(s.test().size()).isEqualTo(10000);
        assertThat(s.train().height()).isEqualTo(28);
        // the test set is balanced: 1,000 images per class
        int[] counts = new int[10];
        for (int y : s.test().labels()) {
            counts[y]++;
        }
        assertThat(counts).containsOnly(1000);
        float max = 0;
        for (float v : s.train().pixels()) {
            max = Math.max(max, v);
        }
        assertThat(max).isEqualTo(1f);
    }

    @Test
    void saysWhereItLookedWhenDataIsMissing(@TempDir Path dir) {
        assertThatThrownBy(() -> FashionMnist.locate(dir.resolve("nowhere")))
                .hasMessageContaining("nowhere (no such directory)")
                .hasMessageContaining("apt-get install dataset-fashion-mnist");
    }

    @Test
    void batchesCoverEveryImageOnceInASeededOrder() {
        int n = 10;
        float[] pixels = new float[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            pixels[i * 4] = i;
            labels[i] = i % 3;
        }
        ImageDataset d = new ImageDataset("toy", 1, 2, 2, pixels, labels, 3);
        java.util.List<Integer> seen = new java.util.ArrayList<>();
        Batches b = new Batches(d, 4, true, 42);
        assertThat(b.count()).isEqualTo(3);
        while (b.hasNext()) {
            var x = b.next();
            for (int i = 0; i < x.shape().dim(0); i++) {
                int id = (int) x.get(i * 4);
                seen.add(id);
                assertThat(b.labels()[i]).isEqualTo(id % 3);
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        java.util.List<Integer> again = new java.util.ArrayList<>();
        Batches b2 = new Batches(d, 4, true, 42);
        while (b2.hasNext()) {
            var x = b2.next();
            for (int i = 0; i < x.shape().dim(0); i++) {
                again.add((int) x.get(i * 4));
            }
        }
        assertThat(again).isEqualTo(seen);
    }
}
