package dev.minnow.zoo.cli;

import dev.minnow.compression.lowbit.LowBitQuantizer;
import dev.minnow.compression.quant.Int8Quantizer;
import dev.minnow.compression.quant.ObserverKind;
import dev.minnow.compression.quant.OnnxExport;
import dev.minnow.compression.quant.QuantizationAwareTraining;
import dev.minnow.compression.quant.RequantizationExample;
import dev.minnow.compression.quant.SixteenBitStorage;
import dev.minnow.compression.quant.WeightHistograms;
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

/**
 * {@code minnow quantize}: a trained classifier made smaller (and, for int8, integer-only),
 * with its test accuracy and file size before and after.
 *
 * <p>Each way of quantizing is a {@link Mode} in {@link #MODES}: a name, one line of help, and a
 * function from the float model (plus data and shared settings) to the quantized graph. A new
 * technique adds one entry there; parsing, evaluation, saving and reporting are shared.
 */
final class QuantizeCommand implements Command {

    /** The settings the modes share (each uses those it needs). */
    record Settings(ObserverKind observer, int calibrationBatches, int epochs, float learningRate, int threads) {
    }

    /** What a mode works on: the float model, the data, the settings, and where progress goes. */
    record Request(ModelSource.Loaded model, FashionMnist.Split data, Settings settings, PrintStream log) {
    }

    /** A quantized graph, the training it took (empty when none), and metadata to store with it. */
    record Outcome(Graph graph, List<EpochStats> history, Map<String, String> metadata) {
    }

    /** One way of quantizing. */
    @FunctionalInterface
    interface Quantization {
        Outcome apply(Request request) throws Exception;
    }

    /** A {@code --mode} value: its name, its help line, and what it does. */
    record Mode(String name, String help, Quantization quantization) {
    }

    /** Every mode, in the order {@code --help} lists them; the first is the default. */
    static final List<Mode> MODES = List.of(
            new Mode("int8", "int8 post-training, weights per output channel", r -> postTraining(r, true)),
            new Mode("int8-per-tensor", "int8 post-training, one weight scale per layer", r -> postTraining(r, false)),
            new Mode("int8-qat", "int8 after quantization-aware training for --epochs", QuantizeCommand::awareTraining),
            new Mode("fp16", "weights stored as IEEE half precision, computed in float",
                    r -> new Outcome(SixteenBitStorage.toFloat16(r.model().graph()), List.of(), Map.of())),
            new Mode("int16", "Conv/Gemm weights int16 per output channel, computed in float",
                    r -> new Outcome(SixteenBitStorage.toInt16(r.model().graph()), List.of(), Map.of())),
            LowBitQuantize.mode(LowBitQuantizer.Mode.TERNARY),
            LowBitQuantize.mode(LowBitQuantizer.Mode.TERNARY_PER_LAYER),
            LowBitQuantize.mode(LowBitQuantizer.Mode.BINARY),
            LowBitQuantize.mode(LowBitQuantizer.Mode.XNOR));

    private static final ArgSpec SPEC = DataOptions.add(ArgSpec.builder("quantize", """
            Quantizes a Fashion-MNIST classifier (docs/quantization.md) and prints the test accuracy
            and the model size in bytes before and after. int8: batch norm folded into the
            convolutions, weights int8 (symmetric, per output channel unless int8-per-tensor),
            activations uint8 with ranges calibrated on training images, biases int32, ReLU/ReLU6
            fused into the layers' saturation; inference then runs integer-only. int8-qat first
            fine-tunes the network with fake quantization (straight-through estimator). fp16 and
            int16 store the weights in 16 bits and compute in float. Writes a Minnow model (.mnw)
            or, for an .onnx name, standard ONNX (QLinearConv, QuantizeLinear/DequantizeLinear
            around the other integer layers; Cast for 16-bit weights) that ONNX Runtime runs.
            """ + modeList())
            .argument("MODEL", "a trained .mnw (or .onnx) classifier with [N, 1, 28, 28] input")
            .option("mode", "MODE", "one of the modes above (default: " + MODES.get(0).name() + ")")
            .option("out", "FILE", "where to write the quantized model (.mnw, or .onnx for standard ONNX)")
            .option("calibrate", "N", "int8: calibration batches of 64 training images (default: 8)")
            .option("observer", "NAME", "int8 activation ranges: minmax (default), ema, percentile, entropy, mse")
            .option("epochs", "N", "training epochs of int8-qat, ternary, binary, xnor (default: 1; 0: none)")
            .option("lr", "LR", "training learning rate of those modes (default: 0.001, cosine to 0)")
            .option("explain", "LAYER", "int8: print the requantization arithmetic of that QLinearConv or QGemm on the"
                    + " first test image (S1, S2, S3, M, M0, shift, one accumulator by hand)")
            .option("histograms", "DIR", "int8: write an SVG histogram of each layer's weights before and after"
                    + " quantization there")
            .option("threads", "T", "threads per op (default: one per core)"))
            .example("minnow quantize lenet5.mnw --out lenet5-int8.mnw", "post-training, per channel")
            .example("minnow quantize mnv2.mnw --mode int8-per-tensor --out mnv2-pt.mnw --json", "")
            .example("minnow quantize lenet5.mnw --mode int8-qat --epochs 1 --out lenet5-qat.mnw", "")
            .example("minnow quantize lenet5.mnw --mode fp16 --out lenet5-fp16.mnw", "half the bytes")
            .example("minnow quantize lenet5.mnw --out lenet5-int8.onnx", "standard ONNX for other runtimes")
            .example("minnow quantize lenet5.mnw --out lenet5-int8.mnw --explain fc1", "one layer's arithmetic")
            .build();

    @Override
    public String name() {
        return "quantize";
    }

    @Override
    public String summary() {
        return "quantize a model (int8 post-training or aware training, fp16, int16) and report accuracy and size";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    /** "Modes:" and one line per mode, for the description. */
    private static String modeList() {
        StringBuilder sb = new StringBuilder("\nModes:\n");
        for (Mode m : MODES) {
            sb.append(String.format(Locale.ROOT, "  %-16s %s%n", m.name(), m.help()));
        }
        return sb.toString();
    }

    /** The mode of that name, or a usage error listing them all. */
    static Mode mode(String name) throws CliException {
        for (Mode m : MODES) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw CliException.usage("--mode must be one of " + String.join(", ", MODES.stream().map(Mode::name).toList())
                + "; got '" + name + "'");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Mode mode = mode(args.option("mode", MODES.get(0).name()));
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
        int epochs = args.intOption("epochs", 1, 0);
        float lr = args.option("lr") == null ? 1e-3f : TrainCommand.parseFloat(args.option("lr"), "lr");
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        boolean onnx = file.getFileName().toString().endsWith(".onnx");

        ModelSource.Loaded model = ModelSource.load(args.positional(0));
        Normalization norm = Recipe.normalizationOf(model.metadata(), Normalization.FASHION_MNIST);
        FashionMnist.Split data = DataOptions.load(args, norm);
        PrintStream log = args.json() ? err : out;
        long start = System.nanoTime();
        Evaluation before = Evaluation.of(model.graph(), data.test(), 256, threads);
        long bytesBefore = onnx ? OnnxWriter.toBytes(model.graph()).length
                : ModelFile.toBytes(model.graph(), model.metadata()).length;

        Settings settings = new Settings(observer, batches, epochs, lr, threads);
        Outcome q = mode.quantization().apply(new Request(model, data, settings, log));
        Evaluation after = Evaluation.of(q.graph(), data.test(), 256, threads);
        if (args.pathOption("histograms") != null) {
            String name = model.graph().name();
            List<WeightHistograms.Layer> layers = WeightHistograms.of(Int8Quantizer.prepare(model.graph()), q.graph());
            for (Path f : WeightHistograms.write(layers, name, args.pathOption("histograms"))) {
                log.println("wrote " + f);
            }
        }
        if (args.option("explain") != null) {
            try {
                RequantizationExample.explain(q.graph(), args.option("explain"), data.test().image(0))
                        .forEach(log::println);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--explain: " + e.getMessage());
            }
        }

        Map<String, String> meta = new LinkedHashMap<>(model.metadata());
        meta.put("quantization", mode.name());
        meta.putAll(q.metadata());
        meta.put("float_test_accuracy", Double.toString(before.accuracy()));
        meta.put("test_accuracy", Double.toString(after.accuracy()));
        if (onnx) {
            OnnxWriter.write(OnnxExport.toStandardOnnx(q.graph()), file);
        } else {
            ModelFile.save(q.graph(), meta, file);
        }
        long bytesAfter = Files.size(file);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (args.json()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model.source());
            j.put("mode", mode.name());
            q.metadata().forEach(j::put);
            j.put("baseline_accuracy", before.accuracy());
            j.put("accuracy", after.accuracy());
            j.put("accuracy_drop_points", 100 * (before.accuracy() - after.accuracy()));
            j.put("samples", after.samples());
            j.put("bytes_before", bytesBefore);
            j.put("bytes_after", bytesAfter);
            j.put("size_ratio", (double) bytesBefore / bytesAfter);
            j.put("epochs", q.history().size());
            j.put("seconds", seconds);
            j.put("out", file.toString());
            out.println(JsonWriter.write(j));
        } else {
            String details = q.metadata().isEmpty() ? "" : " " + q.metadata();
            out.printf(Locale.ROOT, "%s -> %s (%s%s)%n", model.source(), file, mode.name(), details);
            out.printf(Locale.ROOT, "test accuracy  %.2f %% -> %.2f %% (%+.2f points)%n", 100 * before.accuracy(),
                    100 * after.accuracy(), 100 * (after.accuracy() - before.accuracy()));
            out.printf(Locale.ROOT, "size           %,d -> %,d bytes (%.2fx smaller); %.1f s%n", bytesBefore, bytesAfter,
                    (double) bytesBefore / bytesAfter, seconds);
        }
        return CliException.OK;
    }

    // ---- the modes ------------------------------------------------------------------------------

    private static Int8Quantizer.Options int8Options(Settings s, boolean perChannel) {
        return Int8Quantizer.Options.defaults().withPerChannel(perChannel).withObserver(s.observer())
                .withCalibrationBatches(s.calibrationBatches()).withThreads(s.threads());
    }

    private static Map<String, String> int8Metadata(Settings s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("observer", s.observer().cliName());
        m.put("calibration_images", Integer.toString(s.calibrationBatches() * 64));
        return m;
    }

    private static Outcome postTraining(Request r, boolean perChannel) {
        Graph g = Int8Quantizer.quantize(r.model().graph(), r.data().train(), int8Options(r.settings(), perChannel))
                .graph();
        return new Outcome(g, List.of(), int8Metadata(r.settings()));
    }

    private static Outcome awareTraining(Request r) {
        Settings s = r.settings();
        r.log().printf(Locale.ROOT, "quantization-aware training: %d epoch(s), lr %s cosine, %,d images%n", s.epochs(),
                s.learningRate(), r.data().train().size());
        TrainConfig config = new TrainConfig(s.epochs(), 64, LearningRateSchedule.cosine(s.learningRate(), 0f, 0),
                Regularization.NONE, 1, s.threads());
        QuantizationAwareTraining.Result q = QuantizationAwareTraining.train(r.model().graph(), r.data().train(), null,
                config, new Sgd(0.9f, true, 0f), int8Options(s, true), r.log());
        Map<String, String> meta = int8Metadata(s);
        meta.put("qat_epochs", Integer.toString(s.epochs()));
        meta.put("qat_learning_rate", Float.toString(s.learningRate()));
        return new Outcome(q.graph(), q.history(), meta);
    }
}
