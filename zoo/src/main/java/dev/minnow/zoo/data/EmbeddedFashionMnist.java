package dev.minnow.zoo.data;

import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.data.Normalization;
import java.io.IOException;
import java.io.InputStream;

/**
 * The small subset of Fashion-MNIST shipped inside Minnow's jar (the first 6,000 training and the
 * first 1,000 test images, about 3 MB gzipped; MIT licence), so that the demo and the tests run on
 * a machine with nothing installed. {@code make_fashion_subset.py} next to the files regenerates
 * them from Debian's {@code dataset-fashion-mnist}.
 */
public final class EmbeddedFashionMnist {
    private static final String DIR = "/dev/minnow/zoo/data/";

    private EmbeddedFashionMnist() {
    }

    /** Both splits of the subset. */
    public static FashionMnist.Split load(Normalization norm) throws IOException {
        return new FashionMnist.Split(read("train", "fashion-mnist-subset/train", norm),
                read("t10k", "fashion-mnist-subset/test", norm));
    }

    private static ImageDataset read(String prefix, String name, Normalization norm) throws IOException {
        try (InputStream images = open(prefix + "-images-idx3-ubyte.gz");
             InputStream labels = open(prefix + "-labels-idx1-ubyte.gz")) {
            return FashionMnist.fromStreams(images, labels, name, norm);
        }
    }

    private static InputStream open(String file) throws IOException {
        InputStream in = EmbeddedFashionMnist.class.getResourceAsStream(DIR + file);
        if (in == null) {
            throw new java.io.FileNotFoundException("the embedded Fashion-MNIST subset is missing from the jar ("
                    + DIR + file + "); rebuild Minnow");
        }
        return in;
    }
}
