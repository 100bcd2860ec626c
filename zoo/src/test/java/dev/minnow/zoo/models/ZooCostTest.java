package dev.minnow.zoo.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Node;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.op.ValueInfo;
import dev.minnow.engine.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parameter counts and MACs of every zoo model at its default input, against two independent
 * references:
 * <ol>
 *   <li>exact figures computed by PyTorch with {@code zoo/scripts/torchvision_counts.py}: the
 *       torchvision models themselves, and for the four models torchvision lacks, PyTorch
 *       transcriptions of their sources written apart from the Java builders;</li>
 *   <li>the figures papers and model pages publish, which must agree within 2 %.</li>
 * </ol>
 */
class ZooCostTest {

    /** Learned parameters, BN running-statistics elements and MACs printed by torchvision_counts.py. */
    private record Exact(long params, long bnStatistics, long macs) {
    }

    private static final Map<String, Exact> EXACT = Map.ofEntries(
            Map.entry("lenet300", new Exact(266_610, 0, 266_200)),
            Map.entry("lenet5", new Exact(431_080, 0, 2_293_000)),
            Map.entry("alexnet", new Exact(61_100_840, 0, 714_188_480)),
            Map.entry("alexnet_bvlc", new Exact(60_965_224, 0, 720_608_384)),
            Map.entry("vgg16", new Exact(138_357_544, 0, 15_470_264_320L)),
            Map.entry("googlenet", new Exact(6_624_904, 14_560, 1_498_376_192)),
            Map.entry("googlenet_bvlc", new Exact(6_998_552, 0, 1_582_671_872)),
            Map.entry("resnet18", new Exact(11_689_512, 9_600, 1_814_073_344)),
            Map.entry("resnet50", new Exact(25_557_032, 53_120, 4_089_184_256L)),
            Map.entry("mobilenet_v1", new Exact(4_231_976, 21_888, 568_740_352)),
            Map.entry("mobilenet_v2", new Exact(3_504_872, 34_112, 300_774_272)),
            Map.entry("shufflenet_v1_g3", new Exact(1_865_728, 24_480, 137_460_672)),
            Map.entry("shufflenet_v2_x1_0", new Exact(2_278_604, 16_180, 144_907_992)),
            Map.entry("squeezenet1_0", new Exact(1_248_424, 0, 818_924_576)),
            Map.entry("squeezenet1_1", new Exact(1_235_496, 0, 349_151_936)));

    /**
     * Published MACs ("multiply-adds"; torchvision's "GFLOPS" column counts multiply-adds too) at
     * 224x224 with 1000 classes, with their sources. googlenet_bvlc is checked module by module
     * below instead.
     */
    private static final Map<String, Double> PUBLISHED_MACS = Map.ofEntries(
            // by hand: 784*300 + 300*100 + 100*10
            Map.entry("lenet300", 266_200.0),
            // by hand: conv1 20*24*24*25 + conv2 50*8*8*500 + fc 800*500 + 500*10
            Map.entry("lenet5", 2_293_000.0),
            // pytorch.org/vision/stable/models: AlexNet_Weights.IMAGENET1K_V1, GFLOPS 0.71
            Map.entry("alexnet", 0.71e9),
            // Sze, Chen, Yang, Emer 2017, "Efficient Processing of Deep Neural Networks", Table: 724 M at 227x227;
            // at 224x224 conv1 has 54x54 instead of 55x55 outputs (checked at 227 below)
            Map.entry("alexnet_bvlc", 724e6),
            // torchvision VGG16_Weights.IMAGENET1K_V1: GFLOPS 15.47 (Sze et al.: 15.5 G)
            Map.entry("vgg16", 15.47e9),
            // torchvision GoogLeNet_Weights.IMAGENET1K_V1: GFLOPS 1.50
            Map.entry("googlenet", 1.50e9),
            // torchvision ResNet18_Weights.IMAGENET1K_V1: GFLOPS 1.81 (He et al. 2016, Table 1: 1.8e9)
            Map.entry("resnet18", 1.81e9),
            // torchvision ResNet50_Weights.IMAGENET1K_V1: GFLOPS 4.09
            Map.entry("resnet50", 4.09e9),
            // Howard et al. 2017, Table 8 (1.0 MobileNet-224): 569 million mult-adds
            Map.entry("mobilenet_v1", 569e6),
            // Sandler et al. 2018, Table 4: MobileNetV2 (1.0) 300 M multiply-adds
            Map.entry("mobilenet_v2", 300e6),
            // Zhang et al. 2018, Table 1 (g = 3): complexity 137 MFLOPs, counted as multiply-adds
            Map.entry("shufflenet_v1_g3", 137e6),
            // Ma et al. 2018, Table 5: ShuffleNet v2 1x, 146 MFLOPs (multiply-adds)
            Map.entry("shufflenet_v2_x1_0", 146e6),
            // torchvision SqueezeNet1_0_Weights.IMAGENET1K_V1: GFLOPS 0.82
            Map.entry("squeezenet1_0", 0.82e9),
            // torchvision SqueezeNet1_1_Weights.IMAGENET1K_V1: GFLOPS 0.35 (convnet-burden: ~0.35-0.36 G)
            Map.entry("squeezenet1_1", 0.349e9));

    /**
     * Published parameter counts where the exact reference is not torchvision itself: the
     * paper's 4.2 M for MobileNet (and Keras's summary: 4,231,976 trainable, 21,888 BN
     * statistics), OpenMMLab's 1.87 M for ShuffleNet 1x g3, BVLC AlexNet's 60,965,224, and
     * OpenVINO's 6.999 M for bvlc_googlenet.
     */
    private static final Map<String, Double> PUBLISHED_PARAMS = Map.of(
            "mobilenet_v1", 4.2e6, "shufflenet_v1_g3", 1.87e6, "alexnet_bvlc", 60_965_224.0,
            "googlenet_bvlc", 6.999e6);

    @Test
    void everyModelHasTheReferenceParameterCountsAndMacs() {
        assertThat(EXACT.keySet()).containsExactlyInAnyOrderElementsOf(Zoo.names());
        for (String name : Zoo.names()) {
            Zoo.Defaults d = Zoo.defaults(name);
            ModelCost cost = ModelCost.of(Zoo.build(name), d.channels(), d.height(), d.width());
            Exact exact = EXACT.get(name);
            assertThat(cost.parameters()).as(name + " parameters").isEqualTo(exact.params());
            assertThat(cost.batchNormStatistics()).as(name + " BN statistics").isEqualTo(exact.bnStatistics());
            assertThat(cost.macs()).as(name + " MACs").isEqualTo(exact.macs());
            if (PUBLISHED_MACS.containsKey(name)) {
                assertThat((double) cost.macs()).as(name + " MACs against the published figure")
                        .isCloseTo(PUBLISHED_MACS.get(name), within(0.02 * PUBLISHED_MACS.get(name)));
            }
            if (PUBLISHED_PARAMS.containsKey(name)) {
                assertThat((double) cost.parameters()).as(name + " parameters against the published figure")
                        .isCloseTo(PUBLISHED_PARAMS.get(name), within(0.02 * PUBLISHED_PARAMS.get(name)));
            }
        }
    }

    @Test
    void bvlcAlexNetAtCaffesCropSizeCosts724MillionMacs() {
        ModelCost cost = ModelCost.of(Zoo.build("alexnet_bvlc", 1000, 3, 227, 227, 1), 3, 227, 227);
        assertThat(cost.parameters()).isEqualTo(60_965_224);
        // conv1 gains 55*55 - 54*54 = 109 positions of 96 filters of 363 taps
        assertThat(cost.macs()).isEqualTo(720_608_384L + 109L * 96 * 363);
        assertThat((double) cost.macs()).isCloseTo(724e6, within(0.002 * 724e6));
    }

    /**
     * Szegedy et al. 2015 give the cost of each Inception module in their Table 1 ("ops"). The
     * network's total, "1.5 billion multiply-adds", is a rounded budget, and two rows of the table
     * do not fit their own filter counts: conv1 (2.7 K parameters, 34 M ops, where a 7x7
     * convolution of 3 channels into 64 has 9.4 K weights and costs 118 M MACs at 112x112) and
     * inception 5a (1072 K parameters, 54 M ops, where its filters 256, 160, 320, 32, 128, 128 on
     * 832 channels have 1,042 K weights and cost 51.1 M MACs at 7x7). So the other rows are
     * compared one by one; ours is 1.58 G in total.
     */
    @Test
    void bvlcGoogLeNetModulesCostWhatTheInceptionPaperSays() {
        Graph g = Zoo.build("googlenet_bvlc");
        Plan plan = Plan.compile(g, Shape.of(1, 3, 224, 224));
        Map<String, Double> table1 = Map.of("inception3a", 128e6, "inception3b", 304e6, "inception4a", 73e6,
                "inception4b", 88e6, "inception4c", 100e6, "inception4d", 119e6, "inception4e", 170e6,
                "inception5b", 71e6);
        for (Map.Entry<String, Double> e : table1.entrySet()) {
            assertThat((double) macsUnder(plan, e.getKey() + "/")).as(e.getKey())
                    .isCloseTo(e.getValue(), within(0.02 * e.getValue()));
        }
        assertThat(macsUnder(plan, "inception5a/")).isEqualTo(49L * (832 * 256 + 832 * 160 + 160 * 320 * 9
                + 832 * 32 + 32 * 128 * 25 + 832 * 128));
        assertThat(macsUnder(plan, "fc")).isEqualTo(1024 * 1000); // the table's linear row: 1 M
        // the table's conv2 row (3x3 reduce + 3x3): 360 M
        assertThat((double) macsUnder(plan, "conv2") + macsUnder(plan, "conv3")).isCloseTo(360e6, within(0.02 * 360e6));
    }

    @Test
    void batchNormStatisticsAndLayerSettingsAreNotParameters() {
        Graph g = Zoo.build("mobilenet_v2", 10, 1, 28, 28, 1);
        List<String> names = ModelCost.parameterNames(g);
        assertThat(names).noneMatch(n -> n.endsWith(".running_mean") || n.endsWith(".running_var"))
                .noneMatch(n -> n.endsWith(".min") || n.endsWith(".max") || n.endsWith(".ratio"))
                .contains("features.0/conv1.weight", "features.0/bn1.weight", "features.0/bn1.bias", "fc.weight");
        // every float initializer is one of the three kinds, and each is counted once
        long all = g.parameterCount();
        ModelCost cost = ModelCost.of(g, 1, 28, 28);
        long settings = g.initializers().entrySet().stream()
                .filter(e -> e.getKey().endsWith(".min") || e.getKey().endsWith(".max") || e.getKey().endsWith(".ratio"))
                .mapToLong(e -> e.getValue().size()).sum();
        assertThat(cost.parameters() + cost.batchNormStatistics() + settings).isEqualTo(all);
        assertThat(settings).isEqualTo(2L * 35 + 1); // 35 ReLU6 with two bounds, one dropout ratio
    }

    /** MACs of the runtime nodes whose names start with {@code prefix}. */
    static long macsUnder(Plan plan, String prefix) {
        long total = 0;
        for (Node node : plan.runtimeNodes()) {
            if (!node.name().startsWith(prefix)) {
                continue;
            }
            List<ValueInfo> ins = new ArrayList<>();
            node.inputs().forEach(in -> ins.add(in.isEmpty() ? null : plan.info(in)));
            List<ValueInfo> outs = new ArrayList<>();
            node.outputs().forEach(out -> outs.add(out.isEmpty() ? null : plan.info(out)));
            total += node.op().macs(ins, outs);
        }
        return total;
    }
}
