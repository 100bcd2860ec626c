package dev.minnow.engine.io.onnx;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-assembles ONNX model bytes field by field (independently of {@link OnnxWriter}), so the
 * reader can be tested on exactly the encodings a test wants, including ones Minnow never writes.
 */
final class OnnxModelBytes {
    private final List<ProtobufWriter> nodes = new ArrayList<>();
    private final List<ProtobufWriter> initializers = new ArrayList<>();
    private final List<ProtobufWriter> inputs = new ArrayList<>();
    private final List<ProtobufWriter> outputs = new ArrayList<>();
    private final List<Field> extraGraphFields = new ArrayList<>();
    private long opset = 13;

    private record Field(int number, ProtobufWriter message) {
    }

    private boolean withOpset = true;

    OnnxModelBytes opset(long version) {
        this.opset = version;
        return this;
    }

    OnnxModelBytes noOpset() {
        this.withOpset = false;
        return this;
    }

    /** A tensor input; a dimension of -1 is written as dim_param "N". */
    OnnxModelBytes input(String name, int elemType, long... dims) {
        inputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    OnnxModelBytes input(ProtobufWriter valueInfo) {
        inputs.add(valueInfo);
        return this;
    }

    OnnxModelBytes output(String name) {
        outputs.add(valueInfo(name, 1, null));
        return this;
    }

    OnnxModelBytes initializer(ProtobufWriter tensorProto) {
        initializers.add(tensorProto);
        return this;
    }

    OnnxModelBytes node(ProtobufWriter nodeProto) {
        nodes.add(nodeProto);
        return this;
    }

    OnnxModelBytes graphField(int field, ProtobufWriter message) {
        extraGraphFields.add(new Field(field, message));
        return this;
    }

    static ProtobufWriter valueInfo(String name, int elemType, long[] dims) {
        ProtobufWriter tensorType = new ProtobufWriter().writeVarint(1, elemType);
        if (dims != null) {
            ProtobufWriter shape = new ProtobufWriter();
            for (long d : dims) {
                shape.writeMessage(1, d < 0 ? new ProtobufWriter().writeString(2, "N")
                        : new ProtobufWriter().writeVarint(1, d));
            }
            tensorType.writeMessage(2, shape);
        }
        return new ProtobufWriter().writeString(1, name).writeMessage(2, new ProtobufWriter().writeMessage(1, tensorType));
    }

    /** A NodeProto; {@code attributes} are AttributeProtos. */
    static ProtobufWriter node(String name, String opType, String domain, List<String> in, List<String> out,
                               ProtobufWriter... attributes) {
        ProtobufWriter w = new ProtobufWriter();
        for (String s : in) {
            w.writeString(1, s);
        }
        for (String s : out) {
            w.writeString(2, s);
        }
        if (name != null) {
            w.writeString(3, name);
        }
        w.writeString(4, opType);
        for (ProtobufWriter a : attributes) {
            w.writeMessage(5, a);
        }
        if (domain != null) {
            w.writeString(7, domain);
        }
        return w;
    }

    /** A float TensorProto in raw_data. */
    static ProtobufWriter floatTensor(String name, long[] dims, float... values) {
        ProtobufWriter w = new ProtobufWriter();
        for (long d : dims) {
            w.writeVarint(1, d);
        }
        w.writeVarint(2, 1).writeString(8, name);
        ProtobufWriter raw = new ProtobufWriter();
        for (float v : values) {
            raw.writeRawFixed32(Float.floatToRawIntBits(v));
        }
        return w.writeBytes(9, raw.toByteArray());
    }

    byte[] toByteArray() {
        ProtobufWriter graph = new ProtobufWriter();
        for (ProtobufWriter n : nodes) {
            graph.writeMessage(1, n);
        }
        graph.writeString(2, "hand_built");
        for (ProtobufWriter t : initializers) {
            graph.writeMessage(5, t);
        }
        graph.writeString(10, "doc string, skipped");
        for (ProtobufWriter v : inputs) {
            graph.writeMessage(11, v);
        }
        for (ProtobufWriter v : outputs) {
            graph.writeMessage(12, v);
        }
        for (Field f : extraGraphFields) {
            graph.writeMessage(f.number(), f.message());
        }
        ProtobufWriter model = new ProtobufWriter().writeVarint(1, 7).writeString(2, "hand").writeString(3, "0.1");
        if (withOpset) {
            model.writeMessage(8, new ProtobufWriter().writeString(1, "").writeVarint(2, opset));
        }
        model.writeMessage(8, new ProtobufWriter().writeString(1, "ai.onnx.ml").writeVarint(2, 2));
        model.writeMessage(7, graph);
        model.writeMessage(14, new ProtobufWriter().writeString(1, "key").writeString(2, "value"));
        return model.toByteArray();
    }
}
