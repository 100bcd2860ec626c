package dev.minnow.zoo.cli;

import dev.minnow.compression.quant.Int8Quantizer;
import dev.minnow.compression.quant.ObserverKind;
import dev.minnow.compression.quant.OnnxExport;
import dev.minnow.compression.quant.QuantizationAwareTraining;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxWriter;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code minnow quantize}: int8 post-training quantization or quantization-aware training, with accuracy and size. */
final class QuantizeCommand implements Command {

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("quantize", """
            Quantizes a Fashion-MNIST classifier to 8-bit integers (docs/quantization.md): batch norm
            folded into the convolutions, weights int8 (symmetric, per output channel unless
            int8-per-tensor), activations uint8 with ranges calibrated on training images, biases
            int32, ReLU/ReLU6 fused into the layers' saturation; inference then runs integer-only.
            int8-qat first fine-tunes the network with fake quantization (straight-through
            estimator) for --epochs epochs. Prints the test accuracy and the model size in bytes
            before and after; writes a Minnow model (.mnw, int8 weights) or, for an .onnx name,
            standard ONNX (QLinearConv, and QuantizeLinear/DequantizeLinear around the others) that
            ONNX Runtime runs.""")
            .argument("MODEL", "a trained .mnw (or .onnx) classifier with [N, 1, 28, 28] input")
            .option("mode", "MODE", "int8 (default), int8-per-tensor, int8-qat; ternary, ternary-per-layer, binary, xnor"
                    + " (docs/lowbit-quantization.md)")
            .option("out", "FILE", "where to write the quantized model (.mnw, or .onnx for standard ONNX)")
            .option("calibrate", "N", "calibration batches of 64 training images (default: 8)")
            .option("observer", "NAME", "activation ranges: minmax (default), ema, percentile, entropy, mse")
            .option("epochs", "N", "quantization-aware training epochs (int8-qat; default: 1)")
            .option("lr", "LR", "quantization-aware training learning rate (default: 0.001, cosine to 0)")
            .option("threads", "T", "threads per op (default: one per core)"))
            .example("minnow quantize lenet5.mnw --out lenet5-int8.mnw", "post-training, per channel")
            .example("minnow quantize mnv2.mnw --mode int8-per-tensor --out mnv2-pt.mnw --json", "")
            .example("minnow quantize lenet5.mnw --mode int8-qat --epochs 1 --out lenet5-qat.mnw", "")
            .example("minnow quantize lenet5.mnw --out lenet5-int8.onnx", "standard ONNX for other runtimes")
            .example("minnow quantize lenet5.mnw --mode ternary --epochs 2 --out lenet5-ternary.mnw",
                    "ternary weights (2 bits), straight-through training")
            .build();

    @Override
    public String name() {
        return "quantize";
    }

    @Override
    public String summary() {
        return "quantize a model to int8 (post-training or quantization-aware) and report accuracy and size";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        String mode = args.option("mode", "int8");
        if (LowBitQuantize.MODES.contains(mode)) {
            return LowBitQuantize.run(args, out, err);
        }
        if (!List.of("int8", "int8-per-tensor", "int8-qat").contains(mode)) {
            throw CliException.usage("--mode must be int8, int8-per-tensor, int8-qat, ternary, ternary-per-layer, binary"
                    + " or xnor, got '" + mode + "'");
        }
        Path file = args.pathOption("out");
        if (file == null) {
            throw CliException.usage("--out FILE is required: where to write the quantized model");
        }
        ObserverKind observer;
        try {
            observer = ObserverKind.fromCliName(args.option("observer", "minmax"));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        int batches = args.intOption("calibrate", 8, 1);
        int epochs = args.intOption("epochs", 1, 1);
        float lr = args.option("lr") == null ? 1e-3f : TrainCommand.parseFloat(args.option("lr"), "lr");
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        boolean onnx = file.getFileName().toString().endsWith(".onnx");

        ModelSource.Loaded model = ModelSource.load(args.positional(0));
        Normalization norm = Recipe.normalizationOf(model.metadata(), Normalization.FASHION_MNIST);
        FashionMnist.Split data = DataOptions.load(args, norm);
        PrintStream log = args.json() ? err : out;
        long start = System.nanoTime();
        Evaluation before = Evaluation.of(model.graph(), data.test(), 256, threads);
        long bytesBefore = ModelFile.toBytes(model.graph(), model.metadata()).length;

        Int8Quantizer.Options options = Int8Quantizer.Options.defaults().withPerChannel(!mode.equals("int8-per-tensor"))
                .withObserver(observer).withCalibrationBatches(batches).withThreads(threads);
        Graph quantized;
        List<EpochStats> history = List.of();
        if (mode.equals("int8-qat")) {
            log.printf(Locale.ROOT, "quantization-aware training: %d epoch(s), lr %s cosine, %,d images%n", epochs, lr,
                    data.train().size());
            TrainConfig config = new TrainConfig(epochs, 64, LearningRateSchedule.cosine(lr, 0f, 0), Regularization.NONE,
                    1, threads);
            QuantizationAwareTraining.Result r = QuantizationAwareTraining.train(model.graph(), data.train(), null,
                    config, new Sgd(0.9f, true, 0f), options, log);
            quantized = r.graph();
            history = r.history();
        } else {
            quantized = Int8Quantizer.quantize(model.graph(), data.train(), options).graph();
        }
        Evaluation after = Evaluation.of(quantized, data.test(), 256, threads);

        Map<String, String> meta = new LinkedHashMap<>(model.metadata());
        meta.put("quantization", mode);
        meta.put("observer", observer.cliName());
        meta.put("calibration_images", Integer.toString(batches * 64));
        meta.put("float_test_accuracy", Double.toString(before.accuracy()));
        meta.put("test_accuracy", Double.toString(after.accuracy()));
        if (onnx) {
            OnnxWriter.write(OnnxExport.toStandardOnnx(quantized), file);
        } else {
            ModelFile.save(quantized, meta, file);
        }
        long bytesAfter = Files.size(file);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model.source());
            j.put("mode", mode);
            j.put("observer", observer.cliName());
            j.put("calibration_images", batches * 64);
            j.put("baseline_accuracy", before.accuracy());
            j.put("accuracy", after.accuracy());
            j.put("accuracy_drop_points", 100 * (before.accuracy() - after.accuracy()));
            j.put("samples", after.samples());
            j.put("bytes_before", bytesBefore);
            j.put("bytes_after", bytesAfter);
            j.put("size_ratio", (double) bytesBefore / bytesAfter);
            j.put("qat_epochs", history.size());
            j.put("seconds", seconds);
            j.put("out", file.toString());
            out.println(JsonWriter.write(j));
        } else {
            out.printf(Locale.ROOT, "%s -> %s (%s, %s ranges from %d images)%n", model.source(), file, mode,
                    observer.cliName(), batches * 64);
            out.printf(Locale.ROOT, "test accuracy  %.2f %% -> %.2f %% (%+.2f points)%n", 100 * before.accuracy(),
                    100 * after.accuracy(), 100 * (after.accuracy() - before.accuracy()));
            out.printf(Locale.ROOT, "size           %,d -> %,d bytes (%.2fx smaller); %.1f s%n", bytesBefore, bytesAfter,
                    (double) bytesBefore / bytesAfter, seconds);
        }
        return CliException.OK;
    }
}
