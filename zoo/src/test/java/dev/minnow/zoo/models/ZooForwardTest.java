package dev.minnow.zoo.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Forward passes at full size and on Fashion-MNIST-sized inputs. The kernels are still the naive
 * reference ones, so only models that run in a few seconds run here; the others are planned (in
 * {@link ZooShapesTest}) and, at 64x64, compared with PyTorch ({@link ZooForwardEquivalenceTest}).
 */
class ZooForwardTest {

    @Test
    void cheapModelsRunAtImageNetSize() {
        for (String name : List.of("alexnet_bvlc", "mobilenet_v2", "shufflenet_v1_g3", "shufflenet_v2_x1_0",
                "squeezenet1_1")) {
            Tensor y = run(Zoo.build(name), image(1, 3, 224, 224, 5));
            assertThat(y.shape()).as(name).isEqualTo(Shape.of(1, 1000));
            assertFiniteAndNotConstant(name, y.toFloatArray());
        }
    }

    /**
     * The small variants a training experiment on Fashion-MNIST would use, with a batch of two
     * different images, which must reach the classifier as different features. (Their logits may
     * coincide: with PyTorch's default initialisation and untrained batch norm, the signal of a deep
     * network without biases fades by a constant factor per layer, below the resolution of the
     * classifier's bias; batch statistics in training restore it.)
     */
    @Test
    void smallVariantsRunOnFashionMnistImages() {
        for (String name : List.of("lenet300", "lenet5", "alexnet", "alexnet_bvlc", "vgg16", "resnet18", "mobilenet_v1",
                "mobilenet_v2", "shufflenet_v1_g3", "shufflenet_v2_x1_0", "squeezenet1_0", "squeezenet1_1")) {
            Graph g = Zoo.build(name, 10, 1, 28, 28, 3);
            Tensor x = image(2, 1, 28, 28, 11);
            Plan plan = Plan.compile(g, Map.of("input", x.shape()), PlanOptions.inference().withReuseBuffers(false));
            Tensor y = plan.runSingle(x);
            assertThat(y.shape()).as(name).isEqualTo(Shape.of(2, 10));
            assertFiniteAndNotConstant(name, y.toFloatArray());
            String features = g.producer(g.outputs().get(0)).inputs().get(0);
            float[] f = plan.value(features).toFloatArray();
            int half = f.length / 2;
            assertThat(Arrays.copyOfRange(f, 0, half)).as(name + ": features of two different images")
                    .isNotEqualTo(Arrays.copyOfRange(f, half, f.length));
        }
    }

    private static Tensor run(Graph g, Tensor x) {
        return Plan.compile(g, x.shape()).runSingle(x);
    }

    /** Pixels in [0, 1), a different pattern per image. */
    private static Tensor image(int n, int c, int h, int w, int seed) {
        Tensor x = Tensor.zeros(n, c, h, w);
        float[] d = x.data();
        for (int i = 0; i < x.size(); i++) {
            d[x.offset() + i] = (float) ZooForwardEquivalenceTest.uniform(seed, i);
        }
        return x;
    }

    private static void assertFiniteAndNotConstant(String name, float[] v) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            assertThat(Float.isFinite(f)).as(name + " output is finite").isTrue();
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        assertThat(max).as(name + " logits vary across classes").isGreaterThan(min);
    }
}
