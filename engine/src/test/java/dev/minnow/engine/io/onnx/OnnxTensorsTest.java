package dev.minnow.engine.io.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.engine.graph.Graph;
import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.tensor.DataType;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** TensorProto parsing: hand-built bytes, and files of ONNX's conformance data. */
class OnnxTensorsTest {

    /** A TensorProto header: dims (unpacked), data_type, name. */
    private static ProtobufWriter header(int type, long... dims) {
        ProtobufWriter w = new ProtobufWriter();
        for (long d : dims) {
            w.writeVarint(1, d);
        }
        return w.writeVarint(2, type).writeString(8, "t");
    }

    @Test
    void rawFloatsAreLittleEndian() throws ModelFormatException {
        // 1.0f = 00 00 80 3F, -2.5f = 00 00 20 C0
        byte[] raw = {0, 0, (byte) 0x80, 0x3F, 0, 0, 0x20, (byte) 0xC0};
        Tensor t = OnnxReader.readTensor(header(1, 2).writeBytes(9, raw).toByteArray(), "t.pb");
        assertThat(t.type()).isEqualTo(DataType.FLOAT);
        assertThat(t.shape()).isEqualTo(Shape.of(2));
        assertThat(t.toFloatArray()).containsExactly(1.0f, -2.5f);
    }

    @Test
    void rawIntegersOfEveryType() throws ModelFormatException {
        byte[] i64 = {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, 1, 0, 0, 0, 0, 0, 0, 0x40};
        assertThat(OnnxReader.readTensor(header(7, 2).writeBytes(9, i64).toByteArray(), "t").toLongArray())
                .containsExactly(-2L, 0x4000000000000001L);
        byte[] i32 = {1, 2, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        Tensor t32 = OnnxReader.readTensor(header(6, 2).writeBytes(9, i32).toByteArray(), "t");
        assertThat(t32.type()).isEqualTo(DataType.INT32);
        assertThat(t32.toLongArray()).containsExactly(0x201L, -1L);
        byte[] b = {(byte) 200, 7};
        assertThat(OnnxReader.readTensor(header(2, 2).writeBytes(9, b).toByteArray(), "t").toLongArray())
                .containsExactly(200L, 7L);
        assertThat(OnnxReader.readTensor(header(3, 2).writeBytes(9, b).toByteArray(), "t").toLongArray())
                .containsExactly(-56L, 7L);
        assertThat(OnnxReader.readTensor(header(9, 2).writeBytes(9, new byte[] {1, 0}).toByteArray(), "t").type())
                .isEqualTo(DataType.BOOL);
    }

    @Test
    void typedFieldsPackedAndUnpacked() throws ModelFormatException {
        float[] f = {0.5f, -1f, 3f, 4f, 5f, 6f};
        ProtobufWriter unpacked = header(1, 2, 3);
        for (float v : f) {
            unpacked.writeFloat(4, v);
        }
        ProtobufWriter packed = header(1, 2, 3).writePackedFloats(4, f);
        for (ProtobufWriter w : new ProtobufWriter[] {unpacked, packed}) {
            Tensor t = OnnxReader.readTensor(w.toByteArray(), "t");
            assertThat(t.shape()).isEqualTo(Shape.of(2, 3));
            assertThat(t.toFloatArray()).containsExactly(f);
        }
        // dims packed, int64_data packed
        byte[] longs = new ProtobufWriter().writePackedVarints(1, new long[] {3}).writeVarint(2, 7)
                .writePackedVarints(7, new long[] {-1, 0, Long.MAX_VALUE}).toByteArray();
        assertThat(OnnxReader.readTensor(longs, "t").toLongArray()).containsExactly(-1, 0, Long.MAX_VALUE);
        // int32_data carries int8 (sign-extended varints), uint8 and bool
        byte[] int8 = header(3, 3).writePackedVarints(5, new long[] {-128, 0, 127}).toByteArray();
        assertThat(OnnxReader.readTensor(int8, "t").toLongArray()).containsExactly(-128, 0, 127);
        byte[] uint8 = header(2, 2).writeVarint(5, 255).writeVarint(5, 1).toByteArray();
        assertThat(OnnxReader.readTensor(uint8, "t").toLongArray()).containsExactly(255, 1);
        byte[] int32 = header(6, 2).writePackedVarints(5, new long[] {Integer.MIN_VALUE, 42}).toByteArray();
        assertThat(OnnxReader.readTensor(int32, "t").toLongArray()).containsExactly(Integer.MIN_VALUE, 42);
        byte[] bool = header(9, 2).writePackedVarints(5, new long[] {1, 0}).toByteArray();
        assertThat(OnnxReader.readTensor(bool, "t").toLongArray()).containsExactly(1, 0);
    }

    @Test
    void scalarsAndEmptyTensors() throws ModelFormatException {
        Tensor s = OnnxReader.readTensor(new ProtobufWriter().writeVarint(2, 1).writeFloat(4, 7f).toByteArray(), "t");
        assertThat(s.shape()).isEqualTo(Shape.scalar());
        assertThat(s.toFloatArray()).containsExactly(7f);
        Tensor empty = OnnxReader.readTensor(header(1, 0, 5).toByteArray(), "t");
        assertThat(empty.shape()).isEqualTo(Shape.of(0, 5));
    }

    @Test
    void dataThatDoesNotMatchTheDimsIsRefused() {
        assertThatThrownBy(() -> OnnxReader.readTensor(header(1, 3).writeBytes(9, new byte[8]).toByteArray(), "w.pb"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("w.pb").hasMessageContaining("'t'")
                .hasMessageContaining("needs 12 bytes of raw_data, found 8");
        assertThatThrownBy(() -> OnnxReader.readTensor(header(1, 3).writeFloat(4, 1f).toByteArray(), "w.pb"))
                .hasMessageContaining("needs 3 elements, found 1");
        assertThatThrownBy(() -> OnnxReader.readTensor(header(1, 2).toByteArray(), "w.pb"))
                .hasMessageContaining("needs 2 elements, found 0");
        assertThatThrownBy(() -> OnnxReader.readTensor(header(3, 1).writeVarint(5, 300).toByteArray(), "w.pb"))
                .hasMessageContaining("300").hasMessageContaining("INT8");
        assertThatThrownBy(() -> OnnxReader.readTensor(header(1, 1).writeVarint(7, 1).toByteArray(), "w.pb"))
                .hasMessageContaining("field 7 instead of field 4");
    }

    @Test
    void absurdDimsFailBeforeAnyAllocation() {
        assertThatThrownBy(() -> OnnxReader.readTensor(header(1, 1_000_000, 1_000_000).toByteArray(), "big.pb"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("more elements than");
        assertThatThrownBy(() -> OnnxReader.readTensor(header(1, 2_000_000_000).writeBytes(9, new byte[4]).toByteArray(),
                "big.pb")).hasMessageContaining("needs 8000000000 bytes of raw_data, found 4");
        assertThatThrownBy(() -> OnnxReader.readTensor(header(1, -3).toByteArray(), "neg.pb"))
                .hasMessageContaining("dimension 0 = -3");
        ProtobufWriter deep = header(1);
        for (int i = 0; i < 100; i++) {
            deep.writeVarint(1, 1);
        }
        assertThatThrownBy(() -> OnnxReader.readTensor(deep.toByteArray(), "deep.pb"))
                .hasMessageContaining("more than 64 dimensions");
    }

    @Test
    void unsupportedStorageAndTypesSayWhat() {
        assertThatThrownBy(() -> OnnxReader.readTensor(header(11, 1).writeFixed64(10, 0).toByteArray(), "d.pb"))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'t'").hasMessageContaining("DOUBLE");
        assertThatThrownBy(() -> OnnxReader.readTensor(header(16, 1).toByteArray(), "h.pb"))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("BFLOAT16");
        byte[] external = header(1, 4).writeMessage(13, new ProtobufWriter().writeString(1, "location")
                .writeString(2, "weights.bin")).writeVarint(14, 1).toByteArray();
        assertThatThrownBy(() -> OnnxReader.readTensor(external, "e.pb"))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("external data");
        assertThatThrownBy(() -> OnnxReader.readTensor(header(0, 1).toByteArray(), "u.pb"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("no data_type");
    }

    @Test
    void encodeThenParseIsIdentity() throws ModelFormatException {
        Tensor[] tensors = {
            Tensor.of(Shape.of(2, 2), 1f, -0f, Float.NaN, Float.NEGATIVE_INFINITY),
            Tensor.ofLongs(Shape.of(3), Long.MIN_VALUE, 0, Long.MAX_VALUE),
            Tensor.ofInts(Shape.of(1, 2), -7, 1 << 30),
            Tensor.ofBytes(Shape.of(2), DataType.UINT8, (byte) 255, (byte) 0),
            Tensor.ofBytes(Shape.of(2), DataType.INT8, (byte) -128, (byte) 127),
            Tensor.ofBytes(Shape.scalar(), DataType.BOOL, (byte) 1),
            Tensor.zeros(Shape.of(0, 3)),
        };
        for (Tensor t : tensors) {
            Tensor back = OnnxReader.readTensor(OnnxTensors.encode("x", t).toByteArray(), "t");
            assertThat(back.contentEquals(t)).as("%s", t).isTrue();
        }
    }

    // ---- files of ONNX's conformance data -------------------------------------------------------

    private static Path data(String relative) {
        Path p = OnnxConformance.defaultRoot().resolve(relative);
        assumeTrue(Files.exists(p), "ONNX conformance data not installed (" + p + ")");
        return p;
    }

    @Test
    void reluDataFromOnnxAgreesWithMaxZero() throws IOException {
        Tensor x = OnnxReader.readTensor(data("node/test_relu/test_data_set_0/input_0.pb"));
        Tensor y = OnnxReader.readTensor(data("node/test_relu/test_data_set_0/output_0.pb"));
        assertThat(x.shape()).isEqualTo(Shape.of(3, 4, 5));
        float[] xs = x.toFloatArray();
        float[] expected = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            expected[i] = Math.max(0f, xs[i]);
        }
        assertThat(y.toFloatArray()).containsExactly(expected);
        assertThat(expected).contains(0f); // the data has negative elements, so max(0, x) is not trivial
    }

    @Test
    void integerDataFromOnnx() throws IOException {
        Tensor a = OnnxReader.readTensor(data("node/test_add_uint8/test_data_set_0/input_0.pb"));
        Tensor b = OnnxReader.readTensor(data("node/test_add_uint8/test_data_set_0/input_1.pb"));
        Tensor sum = OnnxReader.readTensor(data("node/test_add_uint8/test_data_set_0/output_0.pb"));
        assertThat(a.type()).isEqualTo(DataType.UINT8);
        long[] x = a.toLongArray();
        long[] y = b.toLongArray();
        long[] s = sum.toLongArray();
        for (int i = 0; i < s.length; i++) {
            assertThat(s[i]).isEqualTo((x[i] + y[i]) & 0xFF);
        }
        Tensor shape = OnnxReader.readTensor(data("node/test_reshape_extended_dims/test_data_set_0/input_1.pb"));
        assertThat(shape.type()).isEqualTo(DataType.INT64);
        assertThat(shape.toLongArray()).containsExactly(2, 3, 2, 2);
        Tensor p = OnnxReader.readTensor(data("node/test_and2d/test_data_set_0/input_0.pb"));
        Tensor q = OnnxReader.readTensor(data("node/test_and2d/test_data_set_0/input_1.pb"));
        Tensor and = OnnxReader.readTensor(data("node/test_and2d/test_data_set_0/output_0.pb"));
        assertThat(and.type()).isEqualTo(DataType.BOOL);
        for (int i = 0; i < and.size(); i++) {
            assertThat(and.toLongArray()[i]).isEqualTo(p.toLongArray()[i] & q.toLongArray()[i]);
        }
        Tensor empty = OnnxReader.readTensor(data("node/test_constantofshape_int_shape_zero/test_data_set_0/output_0.pb"));
        assertThat(empty.shape()).isEqualTo(Shape.of(0));
        assertThatThrownBy(() -> OnnxReader.readTensor(data("node/test_bernoulli/test_data_set_0/input_0.pb")))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("DOUBLE");
    }

    @Test
    void typedConstantOfAModelMatchesTheRawExpectedOutput() throws IOException {
        // test_constant stores a 5x5 Constant in float_data; its expected output is the same
        // tensor in raw_data
        Graph g = OnnxReader.read(data("node/test_constant/model.onnx"));
        Tensor expected = OnnxReader.readTensor(data("node/test_constant/test_data_set_0/output_0.pb"));
        Tensor constant = g.initializer(g.outputs().get(0));
        assertThat(constant.shape()).isEqualTo(Shape.of(5, 5));
        assertThat(constant.contentEquals(expected)).isTrue();
    }
}
