package dev.minnow.zoo.cli;

import dev.minnow.compression.lowbit.LowBitPacking;
import dev.minnow.compression.lowbit.LowBitQuantizer;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.train.EpochStats;
import dev.minnow.engine.train.Evaluation;
import dev.minnow.engine.train.LearningRateSchedule;
import dev.minnow.engine.train.Regularization;
import dev.minnow.engine.train.Sgd;
import dev.minnow.engine.train.TrainConfig;
import dev.minnow.zoo.train.Recipe;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ternary, binary and XNOR modes of {@code minnow quantize} (docs/lowbit-quantization.md):
 * straight-through training of the fake-quantized network for {@code --epochs} epochs (0:
 * post-training), then the weights bit-packed ({@link LowBitQuantizer}). Kept apart from
 * {@link QuantizeCommand}, which dispatches here for these modes.
 */
final class LowBitQuantize {
    /** The modes handled here, as typed after {@code --mode}. */
    static final List<String> MODES = List.of("ternary", "ternary-per-layer", "binary", "xnor");

    private LowBitQuantize() {
    }

    static int run(Args args, PrintStream out, PrintStream err) throws Exception {
        LowBitQuantizer.Mode mode = LowBitQuantizer.Mode.fromCliName(args.option("mode"));
        Path file = args.pathOption("out");
        if (file == null) {
            throw CliException.usage("--out FILE is required: where to write the quantized model");
        }
        if (file.getFileName().toString().endsWith(".onnx")) {
            throw CliException.usage("--mode " + mode.cliName() + " writes a Minnow model (.mnw): its bit-packed layers"
                    + " (DequantizeLowBit, XnorConv) are native ops that standard ONNX has no equivalent for");
        }
        int epochs = args.intOption("epochs", 2, 0);
        float lr = args.option("lr") == null ? 0.01f : TrainCommand.parseFloat(args.option("lr"), "lr");
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);

        ModelSource.Loaded model = ModelSource.load(args.positional(0));
        Normalization norm = Recipe.normalizationOf(model.metadata(), Normalization.FASHION_MNIST);
        FashionMnist.Split data = DataOptions.load(args, norm);
        PrintStream log = args.json() ? err : out;
        long start = System.nanoTime();
        Evaluation before = Evaluation.of(model.graph(), data.test(), 256, threads);
        long bytesBefore = ModelFile.toBytes(model.graph(), model.metadata()).length;

        if (epochs > 0) {
            log.printf(Locale.ROOT, "%s: straight-through training, %d epoch(s), SGD lr %s cosine, %,d images%n",
                    mode.cliName(), epochs, lr, data.train().size());
        }
        TrainConfig config = new TrainConfig(epochs, 64, LearningRateSchedule.cosine(lr, 0f, 0), Regularization.NONE,
                1, threads);
        LowBitQuantizer.Result r;
        try {
            r = LowBitQuantizer.quantize(model.graph(), mode, false, data.train(), config, new Sgd(0.9f, true, 0f),
                    log);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        Evaluation after = Evaluation.of(r.graph(), data.test(), 256, threads);
        LowBitPacking.PackedSize packed = LowBitPacking.packedSize(r.graph());
        List<String> layers = new ArrayList<>();
        for (LowBitQuantizer.Layer l : r.layers()) {
            layers.add(l.node() + (l.xnor() ? " (xnor)" : ""));
        }

        Map<String, String> meta = new LinkedHashMap<>(model.metadata());
        meta.put("quantization", mode.cliName());
        meta.put("lowbit_layers", String.join(",", layers));
        meta.put("lowbit_epochs", Integer.toString(epochs));
        meta.put("float_test_accuracy", Double.toString(before.accuracy()));
        meta.put("test_accuracy", Double.toString(after.accuracy()));
        ModelFile.save(r.graph(), meta, file);
        long bytesAfter = Files.size(file);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model.source());
            j.put("mode", mode.cliName());
            j.put("epochs", epochs);
            j.put("lr", (double) lr);
            j.put("baseline_accuracy", before.accuracy());
            j.put("accuracy", after.accuracy());
            j.put("accuracy_drop_points", 100 * (before.accuracy() - after.accuracy()));
            j.put("samples", after.samples());
            j.put("bytes_before", bytesBefore);
            j.put("bytes_after", bytesAfter);
            j.put("size_ratio", (double) bytesBefore / bytesAfter);
            j.put("lowbit_layers", layers);
            j.put("lowbit_float_bytes", packed.floatBytes());
            j.put("lowbit_packed_bytes", packed.packedBytes());
            j.put("lowbit_ratio", packed.ratio());
            List<Object> history = new ArrayList<>();
            for (EpochStats s : r.history()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("epoch", s.epoch());
                e.put("train_loss", s.trainLoss());
                e.put("train_accuracy", s.trainAccuracy());
                history.add(e);
            }
            j.put("history", history);
            j.put("seconds", seconds);
            j.put("out", file.toString());
            out.println(JsonWriter.write(j));
        } else {
            out.printf(Locale.ROOT, "%s -> %s (%s; low-bit layers: %s; first and last layers stay float)%n",
                    model.source(), file, mode.cliName(), String.join(", ", layers));
            out.printf(Locale.ROOT, "test accuracy  %.2f %% -> %.2f %% (%+.2f points)%n", 100 * before.accuracy(),
                    100 * after.accuracy(), 100 * (after.accuracy() - before.accuracy()));
            out.printf(Locale.ROOT, "file size      %,d -> %,d bytes (%.2fx smaller); %.1f s%n", bytesBefore, bytesAfter,
                    (double) bytesBefore / bytesAfter, seconds);
            out.printf(Locale.ROOT, "packed layers  %,d float32 bytes -> %,d bytes (%.1fx smaller)%n",
                    packed.floatBytes(), packed.packedBytes(), packed.ratio());
        }
        return CliException.OK;
    }
}
