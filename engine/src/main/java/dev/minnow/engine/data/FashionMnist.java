package dev.minnow.engine.data;

import dev.minnow.engine.io.ModelFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 70,000 grey 28x28 images of clothing in ten
 * classes, 60,000 for training and 10,000 for testing, stored as four IDX files. A drop-in
 * replacement for MNIST that is harder to saturate.
 *
 * <p>{@link #locate} looks for the files, in order: the directory given with {@code --data}, the
 * directory in {@code $MINNOW_DATA}, and {@code /usr/share/datasets/fashion-mnist} (Debian's
 * {@code dataset-fashion-mnist} package). Any directory holding the four standard file names,
 * raw or gzipped, works, so MNIST itself loads too.
 */
public final class FashionMnist {
    /** The ten class names, by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Where Debian's {@code dataset-fashion-mnist} package installs the data. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    /** The training and test sets. */
    public record Split(ImageDataset train, ImageDataset test) {
    }

    private FashionMnist() {
    }

    /**
     * Finds the data directory: {@code explicitDir} when not null, else {@code $MINNOW_DATA},
     * else Debian's. Throws a message listing where it looked and how to get the data.
     */
    public static Path locate(Path explicitDir) throws IOException {
        List<String> looked = new ArrayList<>();
        List<Path> candidates = new ArrayList<>();
        if (explicitDir != null) {
            candidates.add(explicitDir);
        } else {
            String env = System.getenv("MINNOW_DATA");
            if (env != null && !env.isBlank()) {
                candidates.add(Path.of(env));
            }
            candidates.add(DEBIAN_DIR);
        }
        for (Path dir : candidates) {
            String missing = missingFile(dir);
            if (missing == null) {
                return dir;
            }
            looked.add(dir + " (" + missing + ")");
        }
        throw new java.io.FileNotFoundException("Fashion-MNIST not found; looked in: " + String.join(", ", looked)
                + ". Install it with 'apt-get install dataset-fashion-mnist', or pass --data DIR (or set MINNOW_DATA)"
                + " to a directory holding " + TRAIN_IMAGES + ", " + TRAIN_LABELS + ", " + TEST_IMAGES + " and "
                + TEST_LABELS + " (raw or .gz)");
    }

    /** Loads both splits from {@link #locate}'s directory. */
    public static Split load(Path explicitDir, Normalization norm) throws IOException {
        Path dir = locate(explicitDir);
        return new Split(
                read(dir, TRAIN_IMAGES, TRAIN_LABELS, "fashion-mnist/train", norm),
                read(dir, TEST_IMAGES, TEST_LABELS, "fashion-mnist/test", norm));
    }

    /** Builds a dataset from IDX image and label arrays (e.g. read from class-path resources). */
    public static ImageDataset fromIdx(Idx.Array images, Idx.Array labels, String name, Normalization norm)
            throws ModelFormatException {
        if (images.dims().length != 3) {
            throw new ModelFormatException(name + ": images must have rank 3 [N, H, W], got "
                    + java.util.Arrays.toString(images.dims()));
        }
        if (labels.dims().length != 1 || labels.count() != images.count()) {
            throw new ModelFormatException(name + ": " + images.count() + " images but labels of shape "
                    + java.util.Arrays.toString(labels.dims()));
        }
        int[] y = new int[labels.count()];
        int classes = 0;
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.data()[i] & 0xFF;
            classes = Math.max(classes, y[i] + 1);
        }
        return new ImageDataset(name, 1, images.dims()[1], images.dims()[2], norm.apply(images.data()), y,
                Math.max(classes, 10));
    }

    /** Reads a pair of IDX streams (raw or gzip). */
    public static ImageDataset fromStreams(InputStream images, InputStream labels, String name, Normalization norm)
            throws IOException {
        return fromIdx(Idx.read(images, name + " images"), Idx.read(labels, name + " labels"), name, norm);
    }

    private static ImageDataset read(Path dir, String images, String labels, String name, Normalization norm)
            throws IOException {
        return fromIdx(Idx.read(file(dir, images)), Idx.read(file(dir, labels)), name, norm);
    }

    private static Path file(Path dir, String base) throws IOException {
        for (String candidate : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new java.io.FileNotFoundException(dir.resolve(base) + "[.gz] not found");
    }

    private static String missingFile(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "no such directory";
        }
        for (String base : new String[] {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS}) {
            if (!Files.isRegularFile(dir.resolve(base)) && !Files.isRegularFile(dir.resolve(base + ".gz"))) {
                return "no " + base + "[.gz]";
            }
        }
        return null;
    }
}
