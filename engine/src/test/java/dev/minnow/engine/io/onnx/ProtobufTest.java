package dev.minnow.engine.io.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.io.ModelFormatException;
import org.junit.jupiter.api.Test;

/** The wire format against the encodings documented by protobuf ("Encoding" guide) and by hand. */
class ProtobufTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void varintsEncodeAsDocumented() {
        assertThat(new ProtobufWriter().writeRawVarint(0).toByteArray()).containsExactly(bytes(0x00));
        assertThat(new ProtobufWriter().writeRawVarint(1).toByteArray()).containsExactly(bytes(0x01));
        assertThat(new ProtobufWriter().writeRawVarint(127).toByteArray()).containsExactly(bytes(0x7F));
        assertThat(new ProtobufWriter().writeRawVarint(128).toByteArray()).containsExactly(bytes(0x80, 0x01));
        assertThat(new ProtobufWriter().writeRawVarint(150).toByteArray()).containsExactly(bytes(0x96, 0x01));
        assertThat(new ProtobufWriter().writeRawVarint(300).toByteArray()).containsExactly(bytes(0xAC, 0x02));
        // negative int64: ten bytes, two's complement
        assertThat(new ProtobufWriter().writeRawVarint(-1).toByteArray())
                .containsExactly(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01));
        // the guide's first example: field 1 = 150 is 08 96 01
        assertThat(new ProtobufWriter().writeVarint(1, 150).toByteArray()).containsExactly(bytes(0x08, 0x96, 0x01));
    }

    @Test
    void varintsRoundTripAtTheEdges() throws ModelFormatException {
        long[] values = {0, 1, 127, 128, 16383, 16384, Integer.MAX_VALUE, 0xFFFFFFFFL, Long.MAX_VALUE, -1,
            Long.MIN_VALUE, Integer.MIN_VALUE};
        ProtobufWriter w = new ProtobufWriter();
        for (long v : values) {
            w.writeRawVarint(v);
        }
        ProtobufReader r = new ProtobufReader(w.toByteArray(), "t");
        for (long v : values) {
            assertThat(r.readVarint()).isEqualTo(v);
        }
        assertThat(r.hasMore()).isFalse();
    }

    @Test
    void rejectsVarintsLongerThanTenBytesAndTruncatedOnes() {
        byte[] eleven = bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
        assertThatThrownBy(() -> new ProtobufReader(eleven, "f.onnx").readVarint())
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("f.onnx")
                .hasMessageContaining("longer than 10 bytes");
        assertThatThrownBy(() -> new ProtobufReader(bytes(0x80, 0x80), "f.onnx").readVarint())
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("truncated varint");
    }

    @Test
    void fixedWidthNumbersAreLittleEndian() throws ModelFormatException {
        byte[] b = new ProtobufWriter().writeRawFixed32(0x04030201).writeRawFixed64(0x0807060504030201L).toByteArray();
        assertThat(b).containsExactly(bytes(1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8));
        ProtobufReader r = new ProtobufReader(b, "t");
        assertThat(r.readFixed32()).isEqualTo(0x04030201);
        assertThat(r.readFixed64()).isEqualTo(0x0807060504030201L);
        // 1.0f is 0x3F800000
        assertThat(new ProtobufWriter().writeFloat(2, 1.0f).toByteArray()).containsExactly(bytes(0x15, 0, 0, 0x80, 0x3F));
        assertThatThrownBy(() -> new ProtobufReader(bytes(1, 2, 3), "t").readFixed32())
                .hasMessageContaining("truncated fixed32");
    }

    @Test
    void repeatedNumbersAreAcceptedPackedAndUnpacked() throws ModelFormatException {
        long[] ints = {3, -270, 86942, 0};
        float[] floats = {1.5f, -2f, Float.NaN};
        ProtobufWriter unpacked = new ProtobufWriter();
        for (long v : ints) {
            unpacked.writeVarint(8, v);
        }
        for (float f : floats) {
            unpacked.writeFloat(7, f);
        }
        ProtobufWriter packed = new ProtobufWriter().writePackedVarints(8, ints).writePackedFloats(7, floats);
        // the guide's packed example: field 4 = [3, 270, 86942] is 22 06 03 8E 02 9E A7 05
        assertThat(new ProtobufWriter().writePackedVarints(4, new long[] {3, 270, 86942}).toByteArray())
                .containsExactly(bytes(0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05));
        for (ProtobufWriter w : new ProtobufWriter[] {unpacked, packed}) {
            RepeatedNumbers gotInts = new RepeatedNumbers();
            RepeatedNumbers gotFloats = new RepeatedNumbers();
            ProtobufReader r = new ProtobufReader(w.toByteArray(), "t");
            while (r.hasMore()) {
                int tag = r.readTag();
                if (ProtobufReader.fieldNumber(tag) == 8) {
                    r.readRepeatedVarint(ProtobufReader.wireType(tag), gotInts);
                } else {
                    r.readRepeatedFixed32(ProtobufReader.wireType(tag), gotFloats);
                }
            }
            assertThat(gotInts.toLongs()).containsExactly(ints);
            assertThat(gotFloats.toFloats()).containsExactly(floats);
        }
    }

    @Test
    void mixedPackedAndUnpackedRunsConcatenate() throws ModelFormatException {
        byte[] b = new ProtobufWriter().writeVarint(1, 7).writePackedVarints(1, new long[] {8, 9}).writeVarint(1, 10)
                .toByteArray();
        RepeatedNumbers got = new RepeatedNumbers();
        ProtobufReader r = new ProtobufReader(b, "t");
        while (r.hasMore()) {
            r.readRepeatedVarint(ProtobufReader.wireType(r.readTag()), got);
        }
        assertThat(got.toLongs()).containsExactly(7, 8, 9, 10);
    }

    @Test
    void unknownFieldsOfEveryWireTypeAreSkipped() throws ModelFormatException {
        byte[] b = new ProtobufWriter()
                .writeVarint(100, -5)
                .writeFixed64(101, 42)
                .writeString(102, "ignored")
                .writeFixed32(103, 7)
                .writeMessage(104, new ProtobufWriter().writeVarint(1, 1).writeString(2, "nested"))
                .writeString(1, "wanted")
                .toByteArray();
        ProtobufReader r = new ProtobufReader(b, "t");
        String found = null;
        while (r.hasMore()) {
            int tag = r.readTag();
            if (ProtobufReader.fieldNumber(tag) == 1) {
                found = r.readString();
            } else {
                r.skip(ProtobufReader.wireType(tag));
            }
        }
        assertThat(found).isEqualTo("wanted");
    }

    @Test
    void groupsAndInvalidTagsAreRefused() {
        // field 5, wire type 3 (start group)
        assertThatThrownBy(() -> new ProtobufReader(bytes(0x2B, 0x2C), "g").readTag())
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("group");
        // wire type 7 does not exist
        assertThatThrownBy(() -> new ProtobufReader(bytes(0x0F), "g").readTag()).hasMessageContaining("wire type 7");
        // field number 0
        assertThatThrownBy(() -> new ProtobufReader(bytes(0x00), "g").readTag()).hasMessageContaining("field number 0");
    }

    @Test
    void lengthsMustFitTheBytesLeft() {
        // field 1, length 100, but only 2 bytes follow
        ProtobufReader r = new ProtobufReader(bytes(0x0A, 100, 1, 2), "short.onnx");
        assertThatThrownBy(() -> {
            r.readTag();
            r.readBytes();
        }).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("short.onnx").hasMessageContaining("at byte 1")
                .hasMessageContaining("length 100 runs past the end");
        // a huge length (2^63 - 1) fails the same way, without allocating
        byte[] huge = new ProtobufWriter().writeTag(1, 2).writeRawVarint(Long.MAX_VALUE).toByteArray();
        assertThatThrownBy(() -> {
            ProtobufReader h = new ProtobufReader(huge, "h");
            h.readTag();
            h.readMessage();
        }).hasMessageContaining("runs past the end");
        // a nested message cannot read past its own end even when the outer buffer continues
        byte[] nested = bytes(0x0A, 0x01, 0x08, 0x01);
        assertThatThrownBy(() -> {
            ProtobufReader o = new ProtobufReader(nested, "n");
            o.readTag();
            ProtobufReader inner = o.readMessage();
            inner.readTag();
            inner.readVarint();
        }).hasMessageContaining("truncated varint");
    }

    @Test
    void packedFixedWidthRunsMustBeWholeNumbers() {
        byte[] b = bytes(0x3A, 0x05, 0, 0, 0x80, 0x3F, 0x00);
        assertThatThrownBy(() -> {
            ProtobufReader r = new ProtobufReader(b, "p");
            int tag = r.readTag();
            r.readRepeatedFixed32(ProtobufReader.wireType(tag), new RepeatedNumbers());
        }).hasMessageContaining("not a multiple of 4");
    }

    @Test
    void wrongWireTypeForARepeatedFieldIsRefused() {
        byte[] b = new ProtobufWriter().writeFixed64(8, 1).toByteArray();
        assertThatThrownBy(() -> {
            ProtobufReader r = new ProtobufReader(b, "w");
            int tag = r.readTag();
            r.readRepeatedVarint(ProtobufReader.wireType(tag), new RepeatedNumbers());
        }).hasMessageContaining("field 8").hasMessageContaining("wire type 1");
    }

    @Test
    void stringsAreUtf8() throws ModelFormatException {
        byte[] b = new ProtobufWriter().writeString(1, "größe✓").toByteArray();
        ProtobufReader r = new ProtobufReader(b, "s");
        r.readTag();
        assertThat(r.readString()).isEqualTo("größe✓");
    }
}
