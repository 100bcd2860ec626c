package dev.minnow.zoo.models;

import dev.minnow.engine.graph.Graph;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model zoo: every architecture Minnow builds by hand, by name (torchvision's name where
 * torchvision has the model).
 * <pre>{@code
 * Graph net = Zoo.build("resnet18");                          // ImageNet: 1000 classes, 3x224x224
 * Graph small = Zoo.build("resnet18", 10, 1, 28, 28, 42);     // Fashion-MNIST, the small variant
 * }</pre>
 * Every model takes its input as {@code input} of shape {@code [N, channels, height, width]} with
 * a dynamic batch {@code N}, and produces one output {@code [N, classes]} of logits (no softmax).
 * Weights are drawn from the seed with PyTorch's default initialisation
 * ({@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}), batch norm starts at scale 1, shift 0, mean 0,
 * variance 1; the same seed gives the same network bit for bit.
 *
 * <p><b>Small inputs.</b> ImageNet networks shrink their input 32-fold before classifying (224
 * -> 7); a 28x28 Fashion-MNIST or 32x32 CIFAR image would vanish. When the input's shorter side
 * is below {@link #SMALL_INPUT_SIDE} pixels, each builder uses a small variant in the manner of
 * the CIFAR versions of these networks: the stem convolution loses its stride (and becomes 3x3
 * where it was larger), the max pool that only served the stem's downsampling is dropped, and
 * every block and width of the body stays as it is. Each builder's Javadoc says exactly what
 * changes. From {@code SMALL_INPUT_SIDE} up the ImageNet layout is used unchanged; at 224x224 it
 * is exactly the published network.
 */
public final class Zoo {

    /** Inputs whose shorter side is below this many pixels get the small variant. */
    public static final int SMALL_INPUT_SIDE = 64;

    /** The seed {@link #build(String)} uses. */
    public static final long DEFAULT_SEED = 42;

    /** A builder: classes, input channels, height, width and seed to a graph. */
    @FunctionalInterface
    public interface Builder {
        Graph build(int classes, int channels, int height, int width, long seed);
    }

    /** The input a model is built for by default: ImageNet's, or Fashion-MNIST's for the LeNets. */
    public record Defaults(int classes, int channels, int height, int width) {
    }

    private record Entry(Builder builder, Defaults defaults) {
    }

    private static final Defaults IMAGENET = new Defaults(1000, 3, 224, 224);
    private static final Defaults MNIST = new Defaults(10, 1, 28, 28);
    private static final Map<String, Entry> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("lenet300", new Entry(LeNet::lenet300, MNIST));
        MODELS.put("lenet5", new Entry(LeNet::lenet5, MNIST));
        MODELS.put("alexnet", new Entry(AlexNet::alexnet, IMAGENET));
        MODELS.put("alexnet_bvlc", new Entry(AlexNet::alexnetBvlc, IMAGENET));
        MODELS.put("vgg16", new Entry(Vgg::vgg16, IMAGENET));
        MODELS.put("googlenet", new Entry(GoogLeNet::googlenet, IMAGENET));
        MODELS.put("googlenet_bvlc", new Entry(GoogLeNet::googlenetBvlc, IMAGENET));
        MODELS.put("resnet18", new Entry(ResNet::resnet18, IMAGENET));
        MODELS.put("resnet50", new Entry(ResNet::resnet50, IMAGENET));
        MODELS.put("mobilenet_v1", new Entry(MobileNetV1::mobilenetV1, IMAGENET));
        MODELS.put("mobilenet_v2", new Entry(MobileNetV2::mobilenetV2, IMAGENET));
        MODELS.put("shufflenet_v1_g3", new Entry(ShuffleNetV1::shufflenetV1G3, IMAGENET));
        MODELS.put("shufflenet_v2_x1_0", new Entry(ShuffleNetV2::shufflenetV2X10, IMAGENET));
        MODELS.put("squeezenet1_0", new Entry(SqueezeNet::squeezenet10, IMAGENET));
        MODELS.put("squeezenet1_1", new Entry(SqueezeNet::squeezenet11, IMAGENET));
    }

    private Zoo() {
    }

    /** The model names, from the smallest and oldest (LeNet) to the mobile networks. */
    public static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    /** Whether an input of this size gets the small variant (see the class comment). */
    public static boolean isSmall(int height, int width) {
        return Math.min(height, width) < SMALL_INPUT_SIDE;
    }

    /**
     * Builds a model for {@code classes} classes and inputs of {@code channels x height x width}.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the valid ones) or
     *         sizes below 1
     */
    public static Graph build(String name, int classes, int channels, int height, int width, long seed) {
        return entry(name).builder().build(classes, channels, height, width, seed);
    }

    /** Builds a model for its default input ({@link #defaults}) with {@link #DEFAULT_SEED}. */
    public static Graph build(String name) {
        Defaults d = defaults(name);
        return build(name, d.classes(), d.channels(), d.height(), d.width(), DEFAULT_SEED);
    }

    /** 1000 classes and 3x224x224 (ImageNet), except 10 classes and 1x28x28 for the LeNets. */
    public static Defaults defaults(String name) {
        return entry(name).defaults();
    }

    /** The builder of a model, to call with other settings. */
    public static Builder builder(String name) {
        return entry(name).builder();
    }

    private static Entry entry(String name) {
        Entry e = name == null ? null : MODELS.get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; the zoo has: "
                    + String.join(", ", MODELS.keySet()));
        }
        return e;
    }
}
