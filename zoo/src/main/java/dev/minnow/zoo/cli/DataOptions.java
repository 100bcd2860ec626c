package dev.minnow.zoo.cli;

import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.Normalization;
import dev.minnow.zoo.data.EmbeddedFashionMnist;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The data options shared by the commands that train or evaluate: {@code --data DIR} (else
 * {@code $MINNOW_DATA}, else Debian's dataset-fashion-mnist) or {@code --embedded} for the subset
 * shipped in the jar.
 */
final class DataOptions {
    private DataOptions() {
    }

    static ArgSpec.Builder add(ArgSpec.Builder b) {
        return b.option("data", "DIR", "directory of Fashion-MNIST IDX files (default: $MINNOW_DATA, then "
                        + FashionMnist.DEBIAN_DIR + ")")
                .flag("embedded", "use the 6,000/1,000-image subset shipped with Minnow instead");
    }

    static FashionMnist.Split load(Args args, Normalization norm) throws IOException {
        if (args.flag("embedded")) {
            if (args.option("data") != null) {
                throw new IOException("give either --data or --embedded, not both");
            }
            return EmbeddedFashionMnist.load(norm);
        }
        Path dir = args.pathOption("data");
        return FashionMnist.load(dir, norm);
    }

    /** "fashion-mnist (/usr/share/datasets/fashion-mnist)" or "embedded subset". */
    static String describe(Args args) {
        if (args.flag("embedded")) {
            return "embedded Fashion-MNIST subset";
        }
        try {
            return "Fashion-MNIST (" + FashionMnist.locate(args.pathOption("data")) + ")";
        } catch (IOException e) {
            return "Fashion-MNIST";
        }
    }
}
