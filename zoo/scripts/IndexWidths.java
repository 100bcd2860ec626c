import dev.minnow.compression.format.LayerSize;
import dev.minnow.compression.format.MnzFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Re-encodes a .mnz file with every relative-index width from 3 to 10 bits (the same model: the
 * same codes and shared values, only the sparse structure's width changes) and prints the file
 * size and each layer's bytes and filler count, for the index-width table of
 * docs/deep-compression.md.
 *
 * <pre>
 *   java -cp zoo/target/minnow.jar zoo/scripts/IndexWidths.java lenet300.mnz
 * </pre>
 */
public class IndexWidths {
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp zoo/target/minnow.jar zoo/scripts/IndexWidths.java FILE.mnz");
            System.exit(2);
        }
        MnzFile.Loaded m = MnzFile.load(Path.of(args[0]));
        StringBuilder head = new StringBuilder("| index bits | file bytes |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (String name : m.layers().keySet()) {
            head.append(' ').append(name.replace(".weight", "")).append(" bytes (fillers) |");
            rule.append("---|");
        }
        System.out.println(head);
        System.out.println(rule);
        for (int bits = 3; bits <= 10; bits++) {
            Map<String, Integer> width = new LinkedHashMap<>();
            for (String name : m.layers().keySet()) {
                width.put(name, bits);
            }
            MnzFile.Encoded e = MnzFile.encode(m.graph(), m.metadata(), m.layers().values(), width, true);
            StringBuilder row = new StringBuilder("| " + bits + " | " + e.bytes().length + " |");
            for (LayerSize s : e.layers()) {
                row.append(' ').append(s.sectionBytes()).append(" (").append(s.fillers()).append(") |");
            }
            System.out.println(row);
        }
    }
}
