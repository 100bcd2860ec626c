package dev.minnow.compression.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.graph.ConvSpec;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.ModelBuilder;
import dev.minnow.engine.op.MatMul;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrunableWeightsTest {

    @Test
    void convFiltersAndFullyConnectedMatricesButNoBiasesOrBatchNormParameters() {
        ModelBuilder b = new ModelBuilder("net", 1);
        String x = b.input("x", Shape.UNKNOWN, 3, 8, 8);
        x = b.relu(b.batchNorm(b.conv(x, ConvSpec.of(4, 3))));
        x = b.dense(b.flatten(x), 5);
        x = b.add("mm", new MatMul(), List.of(x, b.constant("proj", Tensor.zeros(5, 2))));
        Graph g = b.output(x).build();
        assertThat(PrunableWeights.of(g)).containsExactly("conv1.weight", "fc1.weight", "proj");
        assertThat(PrunableWeights.kinds(g)).containsExactly(Map.entry("conv1.weight", PrunableWeights.Kind.CONV),
                Map.entry("fc1.weight", PrunableWeights.Kind.FC), Map.entry("proj", PrunableWeights.Kind.FC));
        assertThat(PrunableWeights.kindOf(g, "conv1.weight").label()).isEqualTo("conv");
        assertThatThrownBy(() -> PrunableWeights.kindOf(g, "conv1.bias"))
                .hasMessageContaining("'conv1.bias' is not a prunable weight").hasMessageContaining("fc1.weight");
    }
}
