package dev.minnow.zoo.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.io.npy.Npy;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against torchvision's transforms (Resize, CenterCrop, ToTensor, Normalize on Pillow images),
 * computed by make_preprocessing_fixtures.py next to the pictures. On PNG input the two agree to
 * float rounding: the resize copies Pillow's fixed-point arithmetic, so the 8-bit pixels are
 * identical, and the division and normalisation are the same float operations. The tolerance,
 * 1e-6, is far below one level of 255 after normalisation (1 / 255 / 0.229 = 0.017), so a single
 * pixel off by one would fail.
 */
class ImagePreprocessingTest {
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    @TempDir
    Path dir;

    @Test
    void imageNetTransformOfALandscapePictureIsTorchvisions() throws Exception {
        Tensor x = ImagePreprocessing.IMAGENET.apply(ImagePreprocessing.read(resource("landscape.png")));
        assertThat(x.shape()).isEqualTo(Shape.of(1, 3, 224, 224));
        Tensor expected = fixture("landscape_256_224_every8.npy");
        float[] every8 = new float[3 * 28 * 28];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 28; i++) {
                for (int j = 0; j < 28; j++) {
                    every8[(c * 28 + i) * 28 + j] = x.data()[x.offset() + (c * 224 + 3 + 8 * i) * 224 + 3 + 8 * j];
                }
            }
        }
        assertClose(every8, expected.toFloatArray());
    }

    @Test
    void downscalingAveragesLikePillow() throws Exception {
        Tensor x = new ImagePreprocessing(32, 28, MEAN, STD).apply(ImagePreprocessing.read(resource("landscape.png")));
        assertThat(x.shape()).isEqualTo(Shape.of(1, 3, 28, 28));
        assertClose(x.toFloatArray(), fixture("landscape_32_28.npy").toFloatArray());
    }

    @Test
    void aGrayPortraitPictureBecomesThreeEqualChannels() throws Exception {
        BufferedImage image = ImagePreprocessing.read(resource("portrait.png"));
        assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        Tensor x = new ImagePreprocessing(24, 20, MEAN, STD).apply(image);
        assertClose(x.toFloatArray(), fixture("portrait_24_20.npy").toFloatArray());
    }

    @Test
    void resizeKeepsAConstantImageAndWeighsNeighboursLinearly() {
        int[] flat = new int[6 * 4];
        java.util.Arrays.fill(flat, 77);
        assertThat(ImagePreprocessing.resize(flat, 6, 4, 13, 9)).containsOnly(77);
        // upscaling 2 -> 4: output centres at 0.25, 0.75, 1.25, 1.75 of the input, so the middle two
        // mix 3/4 + 1/4 of the neighbours: 0 and 100 give 0, 25, 75, 100
        assertThat(ImagePreprocessing.resize(new int[] {0, 100}, 2, 1, 4, 1)).containsExactly(0, 25, 75, 100);
        // downscaling 4 -> 2 widens the filter to 2 pixels either side of the centres 1.0 and 3.0:
        // pixels 0, 1, 2 weigh 3/4, 3/4, 1/4 and pixels 1, 2, 3 weigh 1/4, 3/4, 3/4, so 0 0 100 100
        // gives 25 / 1.75 = 14.3 and 150 / 1.75 = 85.7, rounded
        assertThat(ImagePreprocessing.resize(new int[] {0, 0, 100, 100}, 4, 1, 2, 1)).containsExactly(14, 86);
    }

    @Test
    void readsAJpegAndTellsWhatItCannotRead() throws IOException {
        BufferedImage rgb = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                rgb.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 128);
            }
        }
        Path jpeg = dir.resolve("picture.jpg");
        assertThat(ImageIO.write(rgb, "jpeg", jpeg.toFile())).isTrue();
        Tensor x = ImagePreprocessing.IMAGENET.apply(ImagePreprocessing.read(jpeg));
        // the blue plane is 128 everywhere, up to JPEG's loss: (128/255 - 0.406) / 0.225
        float blue = x.data()[x.offset() + 2 * 224 * 224 + 112 * 224 + 112];
        assertThat(blue).isCloseTo((128 / 255f - 0.406f) / 0.225f, within(0.1f));
        Path text = Files.writeString(dir.resolve("notes.png"), "not a picture");
        assertThatThrownBy(() -> ImagePreprocessing.read(text)).isInstanceOf(IOException.class)
                .hasMessageContaining("notes.png: not an image javax.imageio can read");
        assertThatThrownBy(() -> ImagePreprocessing.read(dir.resolve("absent.jpg")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void otherInputSidesKeepTheImageNetRatio() {
        assertThat(ImagePreprocessing.forInputSide(224)).isSameAs(ImagePreprocessing.IMAGENET);
        ImagePreprocessing p = ImagePreprocessing.forInputSide(299);
        assertThat(p.cropSize()).isEqualTo(299);
        assertThat(p.resizeShorterSide()).isEqualTo(342);
        assertThatThrownBy(() -> new ImagePreprocessing(100, 200, MEAN, STD)).hasMessageContaining("crop <= resize");
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-6f));
        }
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ImagePreprocessingTest.class.getResource(name).toURI());
    }

    private static Tensor fixture(String name) throws IOException {
        try (InputStream in = ImagePreprocessingTest.class.getResourceAsStream(name)) {
            return Npy.read(in.readAllBytes(), name);
        }
    }
}
