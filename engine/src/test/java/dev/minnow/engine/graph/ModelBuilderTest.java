package dev.minnow.engine.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelBuilderTest {

    static Graph lenet5(long seed) {
        return Sequential.create("lenet5", seed, 1, 28, 28)
                .conv(ConvSpec.of(20, 5)).maxPool(2, 2)
                .conv(ConvSpec.of(50, 5)).maxPool(2, 2)
                .flatten().dense(500).relu().dense(10)
                .build();
    }

    @Test
    void lenet5HasCaffesParameterCountAndShapes() {
        Graph g = lenet5(1);
        // conv1 20*25+20, conv2 50*20*25+50, fc1 800*500+500, fc2 500*10+10
        assertThat(g.parameterCount()).isEqualTo(520 + 25050 + 400500 + 5010);
        Plan plan = Plan.compile(g, Shape.of(3, 1, 28, 28));
        assertThat(plan.info("pool2").shape()).isEqualTo(Shape.of(3, 50, 4, 4));
        assertThat(plan.runSingle(Tensor.zeros(3, 1, 28, 28)).shape()).isEqualTo(Shape.of(3, 10));
        assertThat(g.inputs().get(0).shape()).isEqualTo(Shape.pattern(Shape.UNKNOWN, 1, 28, 28));
    }

    @Test
    void theSameSeedGivesTheSameWeightsBitForBit() {
        Graph a = lenet5(7);
        Graph b = lenet5(7);
        Graph c = lenet5(8);
        for (String name : a.initializers().keySet()) {
            assertThat(a.initializer(name).contentEquals(b.initializer(name))).as(name).isTrue();
        }
        assertThat(a.initializer("conv1.weight").contentEquals(c.initializer("conv1.weight"))).isFalse();
    }

    @Test
    void pytorchDefaultInitStaysWithinOneOverSqrtFanIn() {
        Graph g = lenet5(3);
        float bound = (float) (1 / Math.sqrt(800));
        for (float v : g.initializer("fc1.weight").toFloatArray()) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void buildsBranchesAndJoins() {
        ModelBuilder b = new ModelBuilder("block", 1);
        String x = b.input("input", Shape.UNKNOWN, 8, 6, 6);
        b.pushScope("block1");
        String left = b.relu(b.batchNorm(b.conv(x, ConvSpec.same(8, 3).withoutBias())));
        String sum = b.relu(b.add(left, x));
        String right = b.conv(x, ConvSpec.of(4, 1).withGroups(4));
        String joined = b.channelShuffle(b.concat(sum, right), 3);
        b.popScope();
        Graph g = b.output(b.globalAvgPool(joined)).build();
        assertThat(b.shape(joined)).isEqualTo(Shape.of(1, 12, 6, 6));
        assertThat(g.node("block1/conv1")).isNotNull();
        assertThat(g.initializers()).containsKey("block1/bn1.running_var");
        Plan plan = Plan.compile(g, Map.of("input", Shape.of(2, 8, 6, 6)), PlanOptions.inference());
        assertThat(plan.runSingle(Tensor.zeros(2, 8, 6, 6)).shape()).isEqualTo(Shape.of(2, 12, 1, 1));
    }

    @Test
    void aLayerThatDoesNotFitFailsOnItsOwnLine() {
        ModelBuilder b = new ModelBuilder("bad", 1);
        String x = b.input("input", 1, 3, 8, 8);
        String y = b.conv(x, ConvSpec.of(4, 3));
        assertThatThrownBy(() -> b.add(x, y))
                .isInstanceOf(GraphException.class)
                .hasMessageContaining("layer 'add1' (Add)")
                .hasMessageContaining("[1, 3, 8, 8]").hasMessageContaining("[1, 4, 6, 6]");
        assertThatThrownBy(() -> b.dense(y, 10)).hasMessageContaining("add flatten() first");
        assertThatThrownBy(() -> b.conv(y, ConvSpec.of(6, 3).withGroups(3)))
                .hasMessageContaining("4 input channels are not divisible by 3 groups");
    }
}
