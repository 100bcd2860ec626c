package dev.minnow.compression.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.op.DequantizeLinear;
import dev.minnow.engine.op.QLinearConv;
import dev.minnow.engine.op.QuantizeLinear;
import org.junit.jupiter.api.Test;

/** A quantized graph written as standard ONNX (QLinear + QDQ) and read back by our own reader. */
class OnnxExportTest {

    @Test
    void theStandardFormRoundTripsThroughOnnxAndComputesTheSame() throws Exception {
        ImageDataset calibration = SmallNets.images(128, 31);
        ImageDataset test = SmallNets.images(64, 32);
        Graph q = Int8Quantizer.quantize(SmallNets.convNet(6), calibration,
                Int8Quantizer.Options.defaults().withCalibrationBatches(2).withThreads(1)).graph();
        Graph standard = OnnxExport.toStandardOnnx(q);
        // nothing of Minnow's own domain is left: QLinearConv stays, QGemm and the pooling become QDQ
        assertThat(standard.nodes()).allSatisfy(n -> assertThat(n.op().domain()).as(n.describe()).isEmpty());
        assertThat(standard.nodes()).filteredOn(n -> n.op() instanceof QLinearConv).hasSize(3);
        assertThat(standard.nodes()).filteredOn(n -> n.op() instanceof DequantizeLinear).hasSizeGreaterThan(3);
        assertThat(standard.nodes()).filteredOn(n -> n.op() instanceof QuantizeLinear).hasSizeGreaterThan(2);

        Graph back = OnnxReader.read(OnnxWriter.toBytes(standard), "exported");
        float[] integer = SmallNets.outputs(q, test);
        float[] viaOnnx = SmallNets.outputs(back, test);
        // the QDQ layers compute in float between exact (de)quantizations: at most a step or so apart
        assertThat(SmallNets.relativeError(viaOnnx, integer)).isLessThan(0.02);
        assertThat(SmallNets.argmaxAgreement(viaOnnx, integer, 10)).isGreaterThan(0.95);
        // and Minnow's native file keeps the integer graph itself
        Graph nativeBack = OnnxReader.read(OnnxWriter.toBytes(q, java.util.Map.of(), false), "native");
        assertThat(SmallNets.outputs(nativeBack, test)).containsExactly(integer);
    }
}
