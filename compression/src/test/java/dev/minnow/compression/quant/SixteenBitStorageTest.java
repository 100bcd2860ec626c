package dev.minnow.compression.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minnow.engine.data.ImageDataset;
import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFile;
import dev.minnow.engine.io.onnx.OnnxReader;
import dev.minnow.engine.io.onnx.OnnxWriter;
import dev.minnow.engine.op.Cast;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Float16;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Weights stored in 16 bits: half the bytes, widened at load, outputs as the rounded weights predict. */
class SixteenBitStorageTest {
    private static final ImageDataset DATA = SmallNets.images(32, 41);

    @Test
    void float16WeightsHalveTheFileAndComputeAsTheRoundedWeights() throws Exception {
        Graph f = SmallNets.lenetLike(7);
        Graph h = SixteenBitStorage.toFloat16(f);
        Tensor stored = h.initializer("fc1.weight_float16");
        assertThat(stored.type()).isEqualTo(DataType.FLOAT16);
        assertThat(h.producer("fc1.weight").op()).isEqualTo(new Cast(DataType.FLOAT));
        // biases of 6 and 10 elements stay float
        assertThat(h.initializer("conv1.bias").type()).isEqualTo(DataType.FLOAT);

        // the reference: the float graph with every stored weight rounded to half by hand
        Graph.Builder rounded = f.toBuilder();
        f.initializers().forEach((name, t) -> {
            if (t.size() >= SixteenBitStorage.MIN_ELEMENTS) {
                float[] v = t.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float16.roundTrip(v[i]);
                }
                rounded.initializer(name, Tensor.of(t.shape(), v));
            }
        });
        float[] expected = SmallNets.outputs(rounded.build(), DATA);
        assertThat(SmallNets.outputs(h, DATA)).containsExactly(expected, within(1e-6f));
        assertThat(SmallNets.relativeError(SmallNets.outputs(h, DATA), SmallNets.outputs(f, DATA))).isLessThan(2e-3);

        // through the model file and ONNX: the same graph, half the bytes
        long floatBytes = ModelFile.toBytes(f, Map.of()).length;
        byte[] halfFile = ModelFile.toBytes(h, Map.of());
        // a small net: the graph structure and the new Cast nodes weigh against its ~3,600 weights (LeNet-5: 1.99x)
        assertThat((double) floatBytes / halfFile.length).isBetween(1.5, 2.0);
        Graph loaded = ModelFile.fromBytes(halfFile, "half").graph();
        assertThat(loaded.initializer("fc1.weight_float16").contentEquals(stored)).isTrue();
        assertThat(SmallNets.outputs(loaded, DATA)).containsExactly(expected, within(1e-6f));
        Graph onnx = OnnxReader.read(OnnxWriter.toBytes(h), "half.onnx");
        assertThat(SmallNets.outputs(onnx, DATA)).containsExactly(expected, within(1e-6f));
    }

    @Test
    void int16WeightsArePerChannelSymmetricAndNearlyExact() throws Exception {
        // channel 0 spans [-1, 1], channel 1 [-0.0005, 0.002]: each gets its own scale max|w_c| / 32767
        Tensor w = Tensor.of(Shape.of(2, 3), 1f, -1f, 0.25f, 0.002f, -0.0005f, 0.0015f);
        SixteenBitStorage.Int16 q = SixteenBitStorage.quantize(w, 0);
        assertThat(q.scales()).containsExactly(1f / 32767, 0.002f / 32767);
        assertThat(q.values().shortData()).containsExactly((short) 32767, (short) -32767, (short) 8192,
                (short) 32767, (short) -8192, (short) 24575);
        assertThat(q.scaleTensor(w.shape(), 0).shape()).isEqualTo(Shape.of(2, 1));

        Graph f = SmallNets.lenetLike(8);
        Graph h = SixteenBitStorage.toInt16(f);
        assertThat(SixteenBitStorage.int16Weights(f)).containsOnlyKeys("conv1.weight", "fc1.weight", "fc2.weight")
                .containsEntry("conv1.weight", 0).containsEntry("fc1.weight", 0);
        assertThat(h.initializer("fc1.weight_int16").type()).isEqualTo(DataType.INT16);
        assertThat(SmallNets.relativeError(SmallNets.outputs(h, DATA), SmallNets.outputs(f, DATA))).isLessThan(1e-3);
        long floatBytes = ModelFile.toBytes(f, Map.of()).length;
        byte[] file = ModelFile.toBytes(h, Map.of());
        assertThat((double) floatBytes / file.length).isBetween(1.5, 2.0);
        Graph loaded = ModelFile.fromBytes(file, "int16").graph();
        assertThat(SmallNets.outputs(loaded, DATA)).containsExactly(SmallNets.outputs(h, DATA));
    }
}
