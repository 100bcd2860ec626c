package dev.minnow.zoo.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The names of ImageNet's 1000 classes (ILSVRC-2012), in the order of a classifier's outputs:
 * {@code name(281)} is "tabby". They are torchvision's names, shipped as the resource
 * {@code imagenet_classes.txt} (written by {@code zoo/scripts/imagenet_classes.py}); two of
 * them occur twice ("crane", the bird and the machine; "maillot"), as in torchvision.
 */
public final class ImageNetClasses {
    /** The number of classes. */
    public static final int COUNT = 1000;

    private static final List<String> NAMES = load();

    private ImageNetClasses() {
    }

    /** All 1000 names, class 0 first. */
    public static List<String> names() {
        return NAMES;
    }

    /** The name of class {@code index}, 0 to 999. */
    public static String name(int index) {
        if (index < 0 || index >= COUNT) {
            throw new IllegalArgumentException("ImageNet has classes 0 to 999, not " + index);
        }
        return NAMES.get(index);
    }

    private static List<String> load() {
        try (InputStream in = ImageNetClasses.class.getResourceAsStream("imagenet_classes.txt")) {
            if (in == null) {
                throw new IllegalStateException("imagenet_classes.txt is missing from the class path (a broken build?)");
            }
            List<String> names = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
            if (names.size() != COUNT) {
                throw new IllegalStateException("imagenet_classes.txt holds " + names.size() + " names, expected " + COUNT);
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
