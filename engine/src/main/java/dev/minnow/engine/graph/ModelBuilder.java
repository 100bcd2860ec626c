package dev.minnow.engine.graph;

import dev.minnow.engine.op.AveragePool;
import dev.minnow.engine.op.BatchNormalization;
import dev.minnow.engine.op.ChannelShuffle;
import dev.minnow.engine.op.Clip;
import dev.minnow.engine.op.Concat;
import dev.minnow.engine.op.Conv;
import dev.minnow.engine.op.Dropout;
import dev.minnow.engine.op.Flatten;
import dev.minnow.engine.op.Gemm;
import dev.minnow.engine.op.GlobalAveragePool;
import dev.minnow.engine.op.Lrn;
import dev.minnow.engine.op.MaxPool;
import dev.minnow.engine.op.Op;
import dev.minnow.engine.op.Relu;
import dev.minnow.engine.op.SlidingWindow;
import dev.minnow.engine.op.Softmax;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.op.Add;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.engine.train.Init;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes networks by hand, layer by layer, the way the zoo builds LeNet, ResNet or GoogLeNet:
 * every method adds one node (and its weights), infers its output shape at once, and returns the
 * name of the output tensor to feed the next layer. A layer that does not fit fails on the line
 * that adds it, naming the layer.
 * <pre>{@code
 * ModelBuilder b = new ModelBuilder("lenet5", 42);
 * String x = b.input("input", Shape.UNKNOWN, 1, 28, 28);
 * x = b.relu(b.conv(x, ConvSpec.of(20, 5)));
 * ...
 * Graph g = b.output(b.dense(x, 10)).build();
 * }</pre>
 * Names: layers are numbered by kind ({@code conv1}, {@code bn1}, {@code relu1}, {@code fc1}),
 * inside an optional scope ({@code layer1.0/conv1}); weights are called {@code <layer>.weight}
 * and {@code <layer>.bias}, as in PyTorch. Weights are initialised from the builder's seed with
 * {@link WeightInit#PYTORCH_DEFAULT} unless another scheme is chosen, so the same seed gives the
 * same network bit for bit. Shapes are inferred with batch size 1 when the batch is unknown.
 */
public final class ModelBuilder {

    /** How new weights are drawn. */
    public enum WeightInit {
        /** {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))} for weights and biases, as torch.nn layers do. */
        PYTORCH_DEFAULT,
        /** He-normal weights (ReLU networks), zero biases. */
        HE_NORMAL,
        /** Glorot-uniform weights, zero biases. */
        XAVIER_UNIFORM
    }

    private final Graph.Builder graph;
    private final Random random;
    private final Map<String, ValueInfo> infos = new HashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Deque<String> scopes = new ArrayDeque<>();
    private WeightInit weightInit = WeightInit.PYTORCH_DEFAULT;

    public ModelBuilder(String name, long seed) {
        this.graph = Graph.builder(name);
        this.random = new Random(seed);
    }

    public ModelBuilder weightInit(WeightInit init) {
        this.weightInit = init;
        return this;
    }

    /** Names added until {@link #popScope()} start with {@code scope/}. Scopes nest. */
    public ModelBuilder pushScope(String scope) {
        scopes.push(scope);
        return this;
    }

    public ModelBuilder popScope() {
        scopes.pop();
        return this;
    }

    /** A float graph input; {@link Shape#UNKNOWN} marks a dynamic (batch) dimension. */
    public String input(String name, int... dims) {
        Shape pattern = Shape.pattern(dims);
        graph.input(name, DataType.FLOAT, pattern);
        int[] concrete = pattern.dims();
        for (int i = 0; i < concrete.length; i++) {
            if (concrete[i] == Shape.UNKNOWN) {
                concrete[i] = 1;
            }
        }
        infos.put(name, ValueInfo.of(Shape.of(concrete)));
        return name;
    }

    /** The inferred shape of a tensor (batch 1 when the batch is dynamic). */
    public Shape shape(String tensor) {
        return info(tensor).shape();
    }

    /** Marks a tensor as a graph output. */
    public ModelBuilder output(String tensor) {
        info(tensor);
        graph.output(tensor);
        return this;
    }

    public Graph build() {
        return graph.build();
    }

    // ---- layers with weights ----------------------------------------------------------------------

    /** A 2-D convolution; weights {@code [out, in/groups, k, k]}. */
    public String conv(String x, ConvSpec spec) {
        int inChannels = channels(x);
        if (inChannels % spec.groups() != 0) {
            throw new GraphException("conv on '" + x + "': " + inChannels + " input channels are not divisible by "
                    + spec.groups() + " groups");
        }
        String name = spec.name() != null ? scoped(spec.name()) : nextName("conv");
        Tensor w = Tensor.zeros(spec.outChannels(), inChannels / spec.groups(), spec.kernel(), spec.kernel());
        int fanIn = inChannels / spec.groups() * spec.kernel() * spec.kernel();
        List<String> inputs = new ArrayList<>(List.of(x, weight(name + ".weight", w, fanIn)));
        if (spec.bias()) {
            inputs.add(bias(name + ".bias", spec.outChannels(), fanIn));
        }
        SlidingWindow window = SlidingWindow.of2d(spec.kernel(), spec.stride(), spec.pad())
                .withDilations(spec.dilation(), spec.dilation());
        return add(name, new Conv(window, spec.groups()), inputs);
    }

    /** A shorthand for {@code conv(x, ConvSpec.of(out, kernel).withStride(stride).withPad(pad))}. */
    public String conv(String x, int out, int kernel, int stride, int pad) {
        return conv(x, ConvSpec.of(out, kernel).withStride(stride).withPad(pad));
    }

    /** A fully connected layer {@code y = x W^T + b} (Gemm with transB, PyTorch's Linear); x must be 2-D. */
    public String dense(String x, int out) {
        return dense(x, out, null);
    }

    public String dense(String x, int out, String layerName) {
        Shape s = shape(x);
        if (s.rank() != 2) {
            throw new GraphException("dense layer on '" + x + "' needs a 2-D input [N, features], got " + s
                    + "; add flatten() first");
        }
        String name = layerName != null ? scoped(layerName) : nextName("fc");
        int in = s.dim(1);
        String w = weight(name + ".weight", Tensor.zeros(out, in), in);
        String b = bias(name + ".bias", out, in);
        return add(name, Gemm.linear(), List.of(x, w, b));
    }

    /** Batch normalisation over channels (axis 1): gamma 1, beta 0, running mean 0, variance 1. */
    public String batchNorm(String x) {
        return batchNorm(x, 1e-5f, 0.9f);
    }

    /** Batch normalisation with ONNX's epsilon and momentum (0.9 = PyTorch's 0.1). */
    public String batchNorm(String x, float epsilon, float momentum) {
        int c = channels(x);
        String name = nextName("bn");
        Tensor gamma = Tensor.zeros(c);
        Init.fill(gamma, 1f);
        Tensor var = Tensor.zeros(c);
        Init.fill(var, 1f);
        register(name + ".weight", gamma);
        register(name + ".bias", Tensor.zeros(c));
        register(name + ".running_mean", Tensor.zeros(c));
        register(name + ".running_var", var);
        return add(name, new BatchNormalization(epsilon, momentum), List.of(x, name + ".weight", name + ".bias",
                name + ".running_mean", name + ".running_var"));
    }

    // ---- layers without weights -------------------------------------------------------------------

    public String relu(String x) {
        return add(nextName("relu"), new Relu(), List.of(x));
    }

    /** {@code min(max(x, 0), 6)} (MobileNet V2), as ONNX Clip with constant bounds. */
    public String relu6(String x) {
        String name = nextName("relu6");
        String min = constant(name + ".min", Tensor.scalar(0f));
        String max = constant(name + ".max", Tensor.scalar(6f));
        return add(name, new Clip(), List.of(x, min, max));
    }

    public String maxPool(String x, int kernel, int stride) {
        return maxPool(x, kernel, stride, 0, false);
    }

    /** Max pooling; {@code ceilMode} rounds the output size up (Caffe's GoogLeNet and SqueezeNet use it). */
    public String maxPool(String x, int kernel, int stride, int pad, boolean ceilMode) {
        SlidingWindow w = SlidingWindow.of2d(kernel, stride, pad).withCeilMode(ceilMode);
        return add(nextName("pool"), new MaxPool(w), List.of(x));
    }

    /** Average pooling; padded positions are not counted (PyTorch's {@code count_include_pad=False}). */
    public String avgPool(String x, int kernel, int stride, int pad) {
        return add(nextName("avgpool"), new AveragePool(SlidingWindow.of2d(kernel, stride, pad), false), List.of(x));
    }

    public String globalAvgPool(String x) {
        return add(nextName("gap"), new GlobalAveragePool(), List.of(x));
    }

    /** Local response normalisation across channels (AlexNet, GoogLeNet): ONNX's LRN. */
    public String lrn(String x, int size, float alpha, float beta, float bias) {
        return add(nextName("lrn"), new Lrn(size, alpha, beta, bias), List.of(x));
    }

    /** {@code [N, C, H, W] -> [N, C*H*W]}. */
    public String flatten(String x) {
        return add(nextName("flatten"), new Flatten(1), List.of(x));
    }

    /** Inverted dropout with drop probability {@code ratio} during training, identity at inference. */
    public String dropout(String x, float ratio) {
        String name = nextName("dropout");
        String r = constant(name + ".ratio", Tensor.scalar(ratio));
        return add(name, new Dropout(), List.of(x, r));
    }

    /** Element-wise sum of two tensors (the residual connection of ResNet). */
    public String add(String a, String b) {
        return add(nextName("add"), new Add(), List.of(a, b));
    }

    /** Concatenation along channels (the join of Inception and fire modules). */
    public String concat(String... xs) {
        return add(nextName("concat"), new Concat(1), List.of(xs));
    }

    /** ShuffleNet's channel shuffle with {@code groups} groups. */
    public String channelShuffle(String x, int groups) {
        return add(nextName("shuffle"), new ChannelShuffle(groups), List.of(x));
    }

    public String softmax(String x) {
        return add(nextName("softmax"), new Softmax(1), List.of(x));
    }

    /**
     * Adds any op as a node named {@code name} (used as given, inside the current scope) and
     * returns its first output.
     */
    public String add(String name, Op op, List<String> inputs) {
        return addMulti(name, op, inputs, 1).get(0);
    }

    /** Adds any op with {@code outputs} outputs; returns their names ({@code name}, {@code name:1}, ...). */
    public List<String> addMulti(String name, Op op, List<String> inputs, int outputs) {
        List<ValueInfo> ins = new ArrayList<>();
        for (String in : inputs) {
            ins.add(in.isEmpty() ? null : info(in));
        }
        List<ValueInfo> outs;
        try {
            outs = op.inferOutputs(ins);
        } catch (RuntimeException e) {
            throw new GraphException("layer '" + name + "' (" + op.opType() + "): " + e.getMessage() + " (inputs: "
                    + inputs + " of shapes " + ins.stream().map(v -> v == null ? "absent" : v.shape().toString()).toList()
                    + ")", e);
        }
        List<String> outNames = new ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            String out = i == 0 ? name : name + ":" + i;
            outNames.add(out);
            ValueInfo vi = outs.get(i);
            infos.put(out, vi.isConstant() ? ValueInfo.of(vi.type(), vi.shape()) : vi);
        }
        graph.node(name, op, inputs, outNames);
        return outNames;
    }

    /** Registers a constant tensor under {@code name} (used as given) and returns the name. */
    public String constant(String name, Tensor value) {
        String n = name;
        graph.initializer(n, value);
        infos.put(n, ValueInfo.constant(value));
        return n;
    }

    /** A fresh layer name for a kind, numbered from 1 within the current scope. */
    public String nextName(String kind) {
        String scoped = scoped(kind);
        int n = counters.merge(scoped, 1, Integer::sum);
        boolean endsInDigit = Character.isDigit(scoped.charAt(scoped.length() - 1));
        return scoped + (endsInDigit ? "_" : "") + n;
    }

    private String scoped(String name) {
        if (scopes.isEmpty()) {
            return name;
        }
        List<String> parts = new ArrayList<>(scopes);
        java.util.Collections.reverse(parts);
        return String.join("/", parts) + "/" + name;
    }

    private ValueInfo info(String tensor) {
        ValueInfo vi = infos.get(tensor);
        if (vi == null) {
            throw new GraphException("no tensor named '" + tensor + "' in model '" + graph + "'");
        }
        return vi;
    }

    private int channels(String x) {
        Shape s = shape(x);
        if (s.rank() < 2) {
            throw new GraphException("'" + x + "' has shape " + s + "; expected [N, C, ...]");
        }
        return s.dim(1);
    }

    private String weight(String name, Tensor w, int fanIn) {
        switch (weightInit) {
            case PYTORCH_DEFAULT -> Init.pytorchDefault(w, fanIn, random);
            case HE_NORMAL -> Init.kaimingNormal(w, random);
            case XAVIER_UNIFORM -> Init.xavierUniform(w, random);
        }
        register(name, w);
        return name;
    }

    /** Adds an initializer whose value will change (a parameter): its shape is known, not its value. */
    private void register(String name, Tensor value) {
        graph.initializer(name, value);
        infos.put(name, ValueInfo.of(value.type(), value.shape()));
    }

    private String bias(String name, int size, int fanIn) {
        Tensor b = Tensor.zeros(size);
        if (weightInit == WeightInit.PYTORCH_DEFAULT) {
            Init.pytorchDefault(b, fanIn, random);
        }
        register(name, b);
        return name;
    }

    @Override
    public String toString() {
        return "ModelBuilder(" + graph + ", tensors " + Arrays.toString(infos.keySet().toArray()) + ")";
    }
}
