package dev.minnow.zoo.image;

import dev.minnow.engine.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * Turns a picture into a classifier's input the way torchvision's ImageNet evaluation does:
 * <pre>
 *   Resize(256)            shorter side to 256, the longer one to int(256 * long / short), bilinear
 *   CenterCrop(224)        top = round((h - 224) / 2), left = round((w - 224) / 2), halves to even
 *   ToTensor()             RGB, channels first, x / 255
 *   Normalize(mean, std)   (x - mean[c]) / std[c], mean 0.485 0.456 0.406, std 0.229 0.224 0.225
 * </pre>
 * giving {@code [1, 3, 224, 224]} (the sizes are parameters, {@link #IMAGENET} holds these).
 *
 * <p>The resize is Pillow's, which torchvision calls for images it reads from files: a separable
 * convolution with the triangle ("bilinear") filter, first along rows, then along columns,
 * <pre>
 *   scale = in / out,  s = max(scale, 1),  centre_j = (j + 0.5) * scale
 *   out[j] = sum_i w_i in[i] / sum_i w_i,   w_i = max(0, 1 - |i + 0.5 - centre_j| / s)
 * </pre>
 * over the {@code i} with {@code |i + 0.5 - centre_j| < s}. When shrinking ({@code scale > 1}) the
 * filter widens with the scale, so every input pixel contributes (an anti-aliasing box-like
 * average, unlike OpenCV's or a GPU's bilinear, which samples only the 4 nearest pixels).
 * Pillow computes in fixed point (weights scaled by 2^22, rounded; each pass rounds back to 8
 * bits), and so does this class, step for step, so that the result equals torchvision's
 * to the last bit on lossless (PNG) input; JPEG decoders differ slightly between Java and
 * libjpeg, by a level or two.
 */
public final class ImagePreprocessing {
    /** ImageNet's evaluation transform: resize 256, centre crop 224, ImageNet mean and std. */
    public static final ImagePreprocessing IMAGENET = new ImagePreprocessing(256, 224,
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    /** Pillow's fixed-point precision: 32 bits less 8 for the pixel and 2 of headroom. */
    private static final int PRECISION_BITS = 22;

    private final int resize;
    private final int crop;
    private final float[] mean;
    private final float[] std;

    /**
     * @param resizeShorterSide the shorter side after resizing (256)
     * @param cropSize          the side of the centred square crop (224), at most {@code resizeShorterSide}
     * @param mean              the per-channel (R, G, B) mean subtracted after scaling to [0, 1]
     * @param std               the per-channel standard deviation divided by
     */
    public ImagePreprocessing(int resizeShorterSide, int cropSize, float[] mean, float[] std) {
        if (cropSize < 1 || cropSize > resizeShorterSide || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("need 1 <= crop <= resize and 3 means and deviations; got resize "
                    + resizeShorterSide + ", crop " + cropSize + ", " + mean.length + " means, " + std.length + " stds");
        }
        this.resize = resizeShorterSide;
        this.crop = cropSize;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** The same transform for a model taking {@code side x side} inputs: crop {@code side}, resize {@code side / 0.875}. */
    public static ImagePreprocessing forInputSide(int side) {
        return side == 224 ? IMAGENET : new ImagePreprocessing((int) Math.round(side / 0.875), side,
                IMAGENET.mean, IMAGENET.std);
    }

    public int cropSize() {
        return crop;
    }

    public int resizeShorterSide() {
        return resize;
    }

    /**
     * Reads a JPEG, PNG, BMP or GIF file with {@code javax.imageio}.
     *
     * @throws IOException when the file is missing or not an image Java can decode
     */
    public static BufferedImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": cannot decode the image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new IOException(file + ": not an image javax.imageio can read (it reads JPEG, PNG, BMP, GIF)");
        }
        return image;
    }

    /** The input tensor {@code [1, 3, crop, crop]} of one image. */
    public Tensor apply(BufferedImage image) {
        Tensor t = Tensor.zeros(1, 3, crop, crop);
        apply(image, t.data(), t.offset());
        return t;
    }

    /** Writes the {@code 3 x crop x crop} floats of one image (channels first) at {@code dst[offset..]}. */
    public void apply(BufferedImage image, float[] dst, int offset) {
        int w = image.getWidth();
        int h = image.getHeight();
        int newW;
        int newH;
        if (w <= h) {
            newW = resize;
            newH = (int) ((double) resize * h / w);
        } else {
            newH = resize;
            newW = (int) ((double) resize * w / h);
        }
        int top = (int) Math.rint((newH - crop) / 2.0);
        int left = (int) Math.rint((newW - crop) / 2.0);
        int[][] planes = rgbPlanes(image);
        for (int c = 0; c < 3; c++) {
            int[] resized = resize(planes[c], w, h, newW, newH);
            int base = offset + c * crop * crop;
            for (int y = 0; y < crop; y++) {
                for (int x = 0; x < crop; x++) {
                    float v = resized[(top + y) * newW + left + x] / 255f;
                    dst[base + y * crop + x] = (v - mean[c]) / std[c];
                }
            }
        }
    }

    /**
     * The red, green and blue planes, 0..255 row-major, as Pillow's {@code convert("RGB")} gives
     * them: gray copied to all three, alpha dropped, palettes looked up.
     */
    static int[][] rgbPlanes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[][] planes = new int[3][w * h];
        Raster raster = image.getRaster();
        boolean gray = image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY
                && raster.getSampleModel().getSampleSize(0) == 8;
        if (gray) {
            // the raw samples: getRGB would convert Java's linear gray space to sRGB and change them
            int[] g = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            for (int c = 0; c < 3; c++) {
                planes[c] = g.clone();
            }
            return planes;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            planes[0][i] = (argb[i] >> 16) & 0xFF;
            planes[1][i] = (argb[i] >> 8) & 0xFF;
            planes[2][i] = argb[i] & 0xFF;
        }
        return planes;
    }

    /** Pillow's bilinear resize of one 8-bit plane: rows first, then columns, each pass rounded to 8 bits. */
    static int[] resize(int[] plane, int w, int h, int newW, int newH) {
        int[] rows = plane;
        if (newW != w) {
            rows = new int[newW * h];
            Weights k = weights(w, newW);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < newW; x++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int i = 0; i < k.count[x]; i++) {
                        sum += plane[y * w + k.first[x] + i] * k.weight[x * k.size + i];
                    }
                    rows[y * newW + x] = clip8(sum);
                }
            }
        }
        if (newH == h) {
            return rows;
        }
        int[] out = new int[newW * newH];
        Weights k = weights(h, newH);
        for (int y = 0; y < newH; y++) {
            for (int x = 0; x < newW; x++) {
                int sum = 1 << (PRECISION_BITS - 1);
                for (int i = 0; i < k.count[y]; i++) {
                    sum += rows[(k.first[y] + i) * newW + x] * k.weight[y * k.size + i];
                }
                out[y * newW + x] = clip8(sum);
            }
        }
        return out;
    }

    /** For each output position: the first input position, how many follow, and their fixed-point weights. */
    private record Weights(int[] first, int[] count, int[] weight, int size) {
    }

    /** Pillow's {@code precompute_coeffs} with the triangle filter, then {@code normalize_coeffs_8bpc}. */
    private static Weights weights(int in, int out) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;
        int size = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[out];
        int[] count = new int[out];
        int[] weight = new int[out * size];
        double[] w = new double[size];
        for (int j = 0; j < out; j++) {
            double centre = (j + 0.5) * scale;
            int min = Math.max(0, (int) (centre - support + 0.5));
            int max = Math.min(in, (int) (centre + support + 0.5)) - min;
            double total = 0;
            double reciprocal = 1.0 / filterScale;
            for (int i = 0; i < max; i++) {
                w[i] = triangle((i + min - centre + 0.5) * reciprocal);
                total += w[i];
            }
            for (int i = 0; i < max; i++) {
                double normalised = total != 0 ? w[i] / total : w[i];
                weight[j * size + i] = (int) (normalised < 0 ? -0.5 + normalised * (1 << PRECISION_BITS)
                        : 0.5 + normalised * (1 << PRECISION_BITS));
            }
            first[j] = min;
            count[j] = max;
        }
        return new Weights(first, count, weight, size);
    }

    private static double triangle(double x) {
        double a = Math.abs(x);
        return a < 1 ? 1 - a : 0;
    }

    /** Pillow's {@code clip8}: the fixed-point sum back to 0..255 (the half added beforehand rounds). */
    private static int clip8(int sum) {
        if (sum >= (1 << PRECISION_BITS << 8)) {
            return 255;
        }
        if (sum <= 0) {
            return 0;
        }
        return sum >> PRECISION_BITS;
    }

    @Override
    public String toString() {
        return "resize " + resize + ", centre crop " + crop + ", mean " + Arrays.toString(mean) + ", std "
                + Arrays.toString(std);
    }
}
