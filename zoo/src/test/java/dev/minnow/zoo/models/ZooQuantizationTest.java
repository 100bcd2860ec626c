package dev.minnow.zoo.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.compression.quant.Int8Quantizer;
import dev.minnow.engine.data.FashionMnist;
import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.data.Normalization;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.graph.Plan;
import dev.minnow.engine.tensor.Tensor;
import dev.minnow.zoo.data.EmbeddedFashionMnist;
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
        ImageDataset test = data.test().slice(0, 32);
        float[] expected = outputs(f, test);
        float[] got = outputs(q, test);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < got.length; i++) {
            diff = Math.max(diff, Math.abs(got[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        assertThat(diff / scale).isLessThan(0.2);
    }

    private static float[] outputs(Graph g, ImageDataset data) {
        Tensor x = Tensor.of(data.batchShape(data.size()), data.pixels().clone());
        return Plan.compile(g, x.shape()).runSingle(x).toFloatArray();
    }
}
