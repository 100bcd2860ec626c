package dev.minnow.zoo.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.compression.quant.Int8Quantizer;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.graph.PlanOptions;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.zoo.data.EmbeddedFashionMnist;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A narrow MobileNet V2 through post-training quantization: inverted residuals (QLinearAdd),
 * depthwise convolutions, ReLU6 fused into the saturation, global average pooling; every layer
 * integer and the outputs near the float ones.
 */
class ZooQuantizationTest {

    @Test
    void aNarrowMobileNetV2BecomesIntegerThroughoutAndStaysNearTheFloatOutputs() throws Exception {
        FashionMnist.Split data = EmbeddedFashionMnist.load(Normalization.FASHION_MNIST);
        Graph f = MobileNetV2.mobilenetV2(10, 1, 28, 28, 3, 0.25f);
        Graph q = Int8Quantizer.quantize(f, data.train(),
                Int8Quantizer.Options.defaults().withCalibrationBatches(2).withThreads(2)).graph();
        assertThat(q.nodes()).anyMatch(n -> n.op().opType().equals("QLinearAdd"))
                .anyMatch(n -> n.op().opType().equals("QLinearGlobalAveragePool"))
                .noneMatch(n -> n.op().opType().equals("Conv") || n.op().opType().equals("Clip")
                        || n.op().opType().equals("BatchNormalization") || n.op().opType().equals("Add"));
        // compare the features before the classifier: this untrained network's activations shrink
        // block after block (to ~1e-7 at the end), so small that the classifier's int32 bias, at scale
        // S1 S2 ~ 1e-13, saturates; a trained network's do not (docs/quantization.md, section 5)
        ImageDataset test = data.test().slice(0, 16);
        Tensor x = Tensor.of(test.batchShape(test.size()), test.pixels().clone());
        Plan pf = Plan.compile(Int8Quantizer.prepare(f), Map.of("input", x.shape()),
                PlanOptions.inference().withThreads(1).withReuseBuffers(false));
        Plan pq = Plan.compile(q, Map.of("input", x.shape()), PlanOptions.inference().withThreads(1).withReuseBuffers(false));
        pf.run(x);
        pq.run(x);
        float[] expected = pf.value("gap1").toFloatArray();
        long[] got = pq.value("gap1_quantized").toLongArray();
        float scale = q.initializer("gap1_scale").get(0);
        long zero = q.initializer("gap1_zero_point").toLongArray()[0];
        double diff = 0;
        double max = 0;
        for (int i = 0; i < got.length; i++) {
            diff = Math.max(diff, Math.abs(scale * (got[i] - zero) - expected[i]));
            max = Math.max(max, Math.abs(expected[i]));
        }
        assertThat(diff / max).isLessThan(0.15);
    }

}
