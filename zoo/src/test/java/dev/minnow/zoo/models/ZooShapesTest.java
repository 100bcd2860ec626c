package dev.minnow.zoo.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.AveragePool;
import dev.minnow.engine.op.MaxPool;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry, the shapes every model produces and passes through, its names and its initial weights. */
class ZooShapesTest {

    @Test
    void theRegistryListsEveryModelAndExplainsAnUnknownName() {
        assertThat(Zoo.names()).containsExactly("lenet300", "lenet5", "alexnet", "alexnet_bvlc", "vgg16", "googlenet",
                "googlenet_bvlc", "resnet18", "resnet50", "mobilenet_v1", "mobilenet_v2", "shufflenet_v1_g3",
                "shufflenet_v2_x1_0", "squeezenet1_0", "squeezenet1_1");
        assertThatThrownBy(() -> Zoo.build("resnet19"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown model 'resnet19'")
                .hasMessageContaining("lenet300, lenet5, alexnet").hasMessageContaining("squeezenet1_1");
        assertThatThrownBy(() -> Zoo.build("resnet18", 0, 3, 224, 224, 1)).hasMessageContaining("classes=0");
        assertThat(Zoo.defaults("lenet5")).isEqualTo(new Zoo.Defaults(10, 1, 28, 28));
        assertThat(Zoo.defaults("vgg16")).isEqualTo(new Zoo.Defaults(1000, 3, 224, 224));
        assertThat(Zoo.isSmall(63, 224)).isTrue();
        assertThat(Zoo.isSmall(64, 64)).isFalse();
    }

    /** Planning (without running) at the default input and on Fashion-MNIST and CIFAR-sized inputs. */
    @Test
    void everyModelMapsABatchOfImagesToOneRowOfLogitsPerImage() {
        for (String name : Zoo.names()) {
            Zoo.Defaults d = Zoo.defaults(name);
            Graph g = Zoo.build(name);
            assertThat(g.inputs()).hasSize(1);
            assertThat(g.inputs().get(0).name()).isEqualTo("input");
            assertThat(g.inputs().get(0).shape()).as(name)
                    .isEqualTo(Shape.pattern(Shape.UNKNOWN, d.channels(), d.height(), d.width()));
            assertThat(g.outputs()).hasSize(1);
            assertThat(outputShape(g, 2, d.channels(), d.height(), d.width())).as(name).isEqualTo(Shape.of(2, d.classes()));

            Graph mnist = Zoo.build(name, 10, 1, 28, 28, 1);
            assertThat(outputShape(mnist, 3, 1, 28, 28)).as(name + " at 1x28x28").isEqualTo(Shape.of(3, 10));
            Graph cifar = Zoo.build(name, 100, 3, 32, 32, 1);
            assertThat(outputShape(cifar, 1, 3, 32, 32)).as(name + " at 3x32x32").isEqualTo(Shape.of(1, 100));
        }
    }

    @Test
    void imageNetLayoutsPassThroughThePublishedFeatureMapSizes() {
        Map<String, Map<String, Shape>> expected = Map.of(
                "alexnet", Map.of("pool3", Shape.of(1, 256, 6, 6), "fc1", Shape.of(1, 4096)),
                "alexnet_bvlc", Map.of("conv1", Shape.of(1, 96, 54, 54), "pool1", Shape.of(1, 96, 27, 27),
                        "pool3", Shape.of(1, 256, 6, 6), "fc6", Shape.of(1, 4096)),
                "vgg16", Map.of("pool5", Shape.of(1, 512, 7, 7), "fc1", Shape.of(1, 4096)),
                "googlenet", Map.of("pool2", Shape.of(1, 192, 28, 28), "inception3a/concat1", Shape.of(1, 256, 28, 28),
                        "inception4e/concat1", Shape.of(1, 832, 14, 14), "inception5b/concat1", Shape.of(1, 1024, 7, 7)),
                "googlenet_bvlc", Map.of("inception3b/concat1", Shape.of(1, 480, 28, 28),
                        "pool4", Shape.of(1, 832, 7, 7), "inception5b/concat1", Shape.of(1, 1024, 7, 7)),
                "resnet18", Map.of("pool1", Shape.of(1, 64, 56, 56), "layer2.0/relu2", Shape.of(1, 128, 28, 28),
                        "layer4.1/relu2", Shape.of(1, 512, 7, 7)),
                "resnet50", Map.of("layer1.2/relu3", Shape.of(1, 256, 56, 56), "layer4.2/relu3", Shape.of(1, 2048, 7, 7)),
                "mobilenet_v2", Map.of("features.1/bn2", Shape.of(1, 16, 112, 112),
                        "features.18/relu6_1", Shape.of(1, 1280, 7, 7)),
                "shufflenet_v2_x1_0", Map.of("pool1", Shape.of(1, 24, 56, 56),
                        "stage2.3/shuffle1", Shape.of(1, 116, 28, 28), "stage4.3/shuffle1", Shape.of(1, 464, 7, 7)),
                "squeezenet1_0", Map.of("pool1", Shape.of(1, 96, 54, 54), "fire9/concat1", Shape.of(1, 512, 13, 13)));
        for (Map.Entry<String, Map<String, Shape>> model : expected.entrySet()) {
            Plan plan = Plan.compile(Zoo.build(model.getKey()), Shape.of(1, 3, 224, 224));
            model.getValue().forEach((tensor, shape) ->
                    assertThat(plan.info(tensor).shape()).as(model.getKey() + " " + tensor).isEqualTo(shape));
        }
        // Caffe's AlexNet crop: conv1 gives 55x55, and the pools still end at 6x6
        Plan caffe = Plan.compile(Zoo.build("alexnet_bvlc", 1000, 3, 227, 227, 1), Shape.of(1, 3, 227, 227));
        assertThat(caffe.info("conv1").shape()).isEqualTo(Shape.of(1, 96, 55, 55));
        assertThat(caffe.info("pool3").shape()).isEqualTo(Shape.of(1, 256, 6, 6));
        // torchvision's adaptive pools are the identity at 224: no node for them
        assertThat(opTypes(Zoo.build("alexnet"))).doesNotContain("AveragePool", "GlobalAveragePool");
        assertThat(opTypes(Zoo.build("vgg16"))).doesNotContain("AveragePool", "GlobalAveragePool");
    }

    @Test
    void smallVariantsKeepTheBodyAndShrinkOnlyTheStem() {
        Map<String, Map<String, Shape>> expected = Map.of(
                "resnet18", Map.of("relu1", Shape.of(1, 64, 28, 28), "layer4.1/relu2", Shape.of(1, 512, 4, 4)),
                "googlenet", Map.of("inception3a/concat1", Shape.of(1, 256, 28, 28),
                        "inception5b/concat1", Shape.of(1, 1024, 7, 7)),
                "googlenet_bvlc", Map.of("inception3a/concat1", Shape.of(1, 256, 28, 28)),
                "alexnet", Map.of("pool3", Shape.of(1, 256, 2, 2), "fc1", Shape.of(1, 4096)),
                "alexnet_bvlc", Map.of("pool3", Shape.of(1, 256, 3, 3)),
                "vgg16", Map.of("pool4", Shape.of(1, 512, 2, 2), "pool5", Shape.of(1, 512, 1, 1)),
                "mobilenet_v1", Map.of("block13/relu2", Shape.of(1, 1024, 2, 2)),
                "shufflenet_v1_g3", Map.of("stage2.0/relu2", Shape.of(1, 240, 14, 14),
                        "stage4.3/relu2", Shape.of(1, 960, 4, 4)),
                "squeezenet1_0", Map.of("fire2/concat1", Shape.of(1, 128, 28, 28), "fire9/concat1", Shape.of(1, 512, 7, 7)),
                "squeezenet1_1", Map.of("fire9/concat1", Shape.of(1, 512, 7, 7)));
        for (Map.Entry<String, Map<String, Shape>> model : expected.entrySet()) {
            Plan plan = Plan.compile(Zoo.build(model.getKey(), 10, 1, 28, 28, 1), Shape.of(1, 1, 28, 28));
            model.getValue().forEach((tensor, shape) ->
                    assertThat(plan.info(tensor).shape()).as(model.getKey() + " " + tensor).isEqualTo(shape));
        }
        Graph resnet = Zoo.build("resnet18", 10, 1, 28, 28, 1);
        assertThat(resnet.initializer("conv1.weight").shape()).isEqualTo(Shape.of(64, 1, 3, 3));
        assertThat(opTypes(resnet)).doesNotContain("MaxPool");
        // same widths as the ImageNet model: only the stem's weights and the classifier differ
        assertThat(resnet.initializer("layer3.0/conv2.weight").shape())
                .isEqualTo(Zoo.build("resnet18").initializer("layer3.0/conv2.weight").shape());
        // VGG's small variant pools in ceil mode; the ImageNet one does not
        assertThat(maxPools(Zoo.build("vgg16", 10, 1, 28, 28, 1))).allMatch(p -> p.window().ceilMode());
        assertThat(maxPools(Zoo.build("vgg16"))).noneMatch(p -> p.window().ceilMode());
    }

    /** torchvision's AdaptiveAvgPool2d: exact AveragePool where the map is a multiple of the target, else a wider fc. */
    @Test
    void adaptivePoolingIsEmulatedExactlyOrTheClassifierTakesTheMapAsItIs() {
        Graph vgg448 = Zoo.build("vgg16", 1000, 3, 448, 448, 1);
        Plan plan = Plan.compile(vgg448, Shape.of(1, 3, 448, 448));
        AveragePool pool = (AveragePool) vgg448.nodes().stream().filter(n -> n.op() instanceof AveragePool)
                .findFirst().orElseThrow().op();
        assertThat(pool.window().kernel()).containsExactly(2, 2);
        assertThat(plan.info("fc1").shape()).isEqualTo(Shape.of(1, 4096));
        assertThat(ModelCost.of(plan).parameters()).isEqualTo(138_357_544); // torchvision's, whatever the input
        // 100x100: a 3x3 map, which AdaptiveAvgPool2d(7) would spread over overlapping bins
        Graph vgg100 = Zoo.build("vgg16", 1000, 3, 100, 100, 1);
        assertThat(vgg100.initializer("fc1.weight").shape()).isEqualTo(Shape.of(4096, 512 * 3 * 3));
    }

    @Test
    void namesFollowThePapersAndTorchvision() {
        Map<String, List<String>> nodes = Map.of(
                "resnet18", List.of("conv1", "layer1.0/conv1", "layer1.0/bn2", "layer2.0/downsample/conv1", "fc"),
                "googlenet", List.of("inception3a/branch2/conv2", "inception5b/branch4/pool1", "fc"),
                "squeezenet1_1", List.of("fire2/squeeze", "fire9/expand3x3", "conv10"),
                "shufflenet_v2_x1_0", List.of("stage2.0/branch1/conv1", "stage3.1/split1", "stage4.3/branch2/conv3", "conv5"),
                "mobilenet_v2", List.of("features.0/conv1", "features.17/conv3", "features.18/conv1"),
                "mobilenet_v1", List.of("block1/dw", "block13/pw"),
                "alexnet_bvlc", List.of("conv5", "fc6", "fc8"));
        nodes.forEach((model, names) -> {
            Graph g = Zoo.build(model, 10, 3, 224, 224, 1);
            names.forEach(n -> assertThat(g.node(n)).as(model + " " + n).isNotNull());
        });
        assertThat(Zoo.build("resnet50").initializers()).containsKeys("layer3.5/conv3.weight", "layer1.0/bn3.running_var");
    }

    @Test
    void weightsStartFromTheSeedWithPyTorchsDefaultsAndNeutralBatchNorm() {
        Graph a = Zoo.build("shufflenet_v2_x1_0", 10, 1, 28, 28, 7);
        Graph b = Zoo.build("shufflenet_v2_x1_0", 10, 1, 28, 28, 7);
        Graph c = Zoo.build("shufflenet_v2_x1_0", 10, 1, 28, 28, 8);
        for (String name : a.initializers().keySet()) {
            assertThat(a.initializer(name).contentEquals(b.initializer(name))).as(name).isTrue();
        }
        assertThat(a.initializer("fc.weight").contentEquals(c.initializer("fc.weight"))).isFalse();
        // BN: scale 1, shift 0, mean 0, variance 1
        assertThat(a.initializer("stage2.1/branch2/bn1.weight").toFloatArray()).containsOnly(1f);
        assertThat(a.initializer("stage2.1/branch2/bn1.bias").toFloatArray()).containsOnly(0f);
        assertThat(a.initializer("stage2.1/branch2/bn1.running_mean").toFloatArray()).containsOnly(0f);
        assertThat(a.initializer("stage2.1/branch2/bn1.running_var").toFloatArray()).containsOnly(1f);
        // PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); a depthwise 3x3 has fan_in 9
        Tensor dw = a.initializer("stage2.1/branch2/conv2.weight");
        assertThat(dw.shape()).isEqualTo(Shape.of(58, 1, 3, 3));
        float bound = (float) (1 / Math.sqrt(9));
        float max = 0;
        for (float v : dw.toFloatArray()) {
            max = Math.max(max, Math.abs(v));
        }
        assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(0.9f * bound);
    }

    private static Shape outputShape(Graph g, int batch, int channels, int height, int width) {
        Plan plan = Plan.compile(g, Shape.of(batch, channels, height, width));
        return plan.info(g.outputs().get(0)).shape();
    }

    private static List<String> opTypes(Graph g) {
        return g.nodes().stream().map(n -> n.op().opType()).distinct().toList();
    }

    private static List<MaxPool> maxPools(Graph g) {
        return g.nodes().stream().map(Node::op).filter(op -> op instanceof MaxPool).map(op -> (MaxPool) op).toList();
    }
}
