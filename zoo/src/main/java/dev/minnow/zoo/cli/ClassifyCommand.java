package dev.minnow.zoo.cli;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.GraphInput;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.kernel.Parallel;
import dev.minnow.engine.op.Softmax;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.zoo.image.ImageNetClasses;
import dev.minnow.zoo.image.ImagePreprocessing;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code minnow classify}: the top classes of pictures, with ImageNet's names and probabilities. */
final class ClassifyCommand implements Command {

    private static final ArgSpec SPEC = ArgSpec.builder("classify", """
            Classifies pictures (JPEG, PNG, BMP, GIF) with an image classifier taking [N, 3, H, W]
            RGB input. Each picture gets torchvision's ImageNet preprocessing: shorter side resized
            to 256 (bilinear, as Pillow does), centre crop 224, scaled to [0, 1], normalised with
            mean 0.485 0.456 0.406 and std 0.229 0.224 0.225 (a model declaring another square
            input side S gets a crop of S and a resize of S / 0.875). The outputs become
            probabilities by softmax (unless the model ends with its own Softmax); the top
            classes are printed with ImageNet's class names when the model has 1000 outputs, by
            index otherwise. A zoo name builds the architecture with random weights: fine to try
            the command, meaningless as a prediction; for real predictions export pretrained
            weights with zoo/scripts/export_zoo_onnx.py --pretrained (see docs/zoo.md).""")
            .argument("MODEL", "an ONNX or .mnw file (or a zoo name: random weights)")
            .repeatedArgument("IMAGE", "one or more picture files")
            .option("top", "K", "how many classes to show per picture (default: 5; in --json they stay under top5)")
            .option("threads", "T", "threads per op (default: one per core)")
            .flag(InferenceOptimization.FLAG, InferenceOptimization.HELP)
            .example("minnow classify resnet18.onnx cat.jpg", "the top-5 classes and their probabilities")
            .example("minnow classify mobilenet_v2.mnw *.jpg --json", "one JSON object: images[] with top5[]")
            .build();

    /** One class of one picture. */
    record Guess(int index, String name, double probability) {
    }

    /** The guesses for one picture. */
    record Classified(String image, List<Guess> top) {
    }

    @Override
    public String name() {
        return "classify";
    }

    @Override
    public String summary() {
        return "classify pictures with an ImageNet model: top-5 class names and probabilities";
    }

    @Override
    public ArgSpec spec() {
        return SPEC;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        int top = args.intOption("top", 5, 1);
        int threads = args.intOption("threads", Parallel.defaultThreads(), 1);
        String model = args.positional(0);
        List<String> images = args.positionals().subList(1, args.positionals().size());
        for (String image : images) {
            Args.existingFile(image);
        }
        ModelSource.Loaded loaded = ModelSource.load(model);
        Graph graph = InferenceOptimization.apply(loaded.graph(), args, err);
        ImagePreprocessing preprocessing = preprocessingFor(graph);
        if (loaded.kind().equals("zoo")) {
            err.println("minnow: classify: warning: '" + model + "' is the zoo architecture with random weights, so its"
                    + " guesses mean nothing; see docs/zoo.md for pretrained weights");
        }
        int side = preprocessing.cropSize();
        Plan plan = Plan.compile(graph, Map.of(graph.inputs().get(0).name(), Shape.of(1, 3, side, side)),
                PlanOptions.inference().withThreads(threads));
        boolean endsWithSoftmax = endsWithSoftmax(graph);
        List<Classified> results = new ArrayList<>();
        Integer classes = null;
        for (String image : images) {
            Tensor x = preprocessing.apply(ImagePreprocessing.read(Path.of(image)));
            Tensor y = plan.run(x).get(graph.outputs().get(0));
            float[] row = RunCommand.firstRow(y);
            classes = row.length;
            results.add(new Classified(image, guesses(endsWithSoftmax ? toDoubles(row) : softmax(row), top)));
        }
        if (args.json()) {
            out.println(JsonWriter.write(json(model, preprocessing, results)));
            return CliException.OK;
        }
        out.println("model " + model + ", " + preprocessing);
        if (classes != null && classes != ImageNetClasses.COUNT) {
            out.println("(the model has " + classes + " outputs, not ImageNet's " + ImageNetClasses.COUNT
                    + ": classes are shown by index)");
        }
        for (Classified c : results) {
            out.println(c.image() + ":");
            for (int i = 0; i < c.top().size(); i++) {
                Guess g = c.top().get(i);
                out.printf(Locale.ROOT, "  %d. %6.2f %%  %3d  %s%n", i + 1, 100 * g.probability(), g.index(),
                        g.name() == null ? "class " + g.index() : g.name());
            }
        }
        return CliException.OK;
    }

    /**
     * The preprocessing for the model's input: ImageNet's (crop 224) unless the model declares
     * another square side. The input must be [N, 3, H, W] floats.
     */
    static ImagePreprocessing preprocessingFor(Graph graph) throws CliException {
        if (graph.inputs().size() != 1) {
            throw CliException.badInput("classify needs a model with one input (an image batch); this one has "
                    + graph.inputs().size());
        }
        GraphInput in = graph.inputs().get(0);
        Shape s = in.shape();
        boolean rgb = s.rank() == 4 && (s.dim(1) == 3 || s.dim(1) == Shape.UNKNOWN);
        if (!rgb || in.type() != DataType.FLOAT) {
            throw CliException.badInput("classify needs a model taking RGB images, FLOAT [N, 3, H, W]; input '"
                    + in.name() + "' is " + in.type() + " " + s);
        }
        int h = s.dim(2);
        int w = s.dim(3);
        if (h == Shape.UNKNOWN && w == Shape.UNKNOWN) {
            return ImagePreprocessing.IMAGENET;
        }
        if (h != w || h < 1) {
            throw CliException.badInput("classify crops square pictures; input '" + in.name() + "' is declared as " + s);
        }
        return ImagePreprocessing.forInputSide(h);
    }

    private static boolean endsWithSoftmax(Graph graph) {
        Node producer = graph.producer(graph.outputs().get(0));
        return producer != null && producer.op() instanceof Softmax;
    }

    /** {@code p_i = exp(z_i - max z) / sum_j exp(z_j - max z)}, in double. */
    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float z : logits) {
            max = Math.max(max, z);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /** The {@code k} most probable classes, named when there are ImageNet's 1000. */
    static List<Guess> guesses(double[] probabilities, int k) {
        float[] asFloats = new float[probabilities.length];
        for (int i = 0; i < asFloats.length; i++) {
            asFloats[i] = (float) probabilities[i];
        }
        boolean imageNet = probabilities.length == ImageNetClasses.COUNT;
        List<Guess> top = new ArrayList<>();
        for (TopK t : TopK.of(asFloats, k)) {
            top.add(new Guess(t.index(), imageNet ? ImageNetClasses.name(t.index()) : null,
                    probabilities[t.index()]));
        }
        return top;
    }

    private static Map<String, Object> json(String model, ImagePreprocessing p, List<Classified> results) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("resize", p.resizeShorterSide());
        j.put("crop", p.cropSize());
        List<Object> images = new ArrayList<>();
        for (Classified c : results) {
            Map<String, Object> image = new LinkedHashMap<>();
            image.put("image", c.image());
            List<Object> top = new ArrayList<>();
            for (Guess g : c.top()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("index", g.index());
                e.put("name", g.name());
                e.put("probability", g.probability());
                top.add(e);
            }
            image.put("top5", top);
            images.add(image);
        }
        j.put("images", images);
        return j;
    }
}
