package dev.minnow.engine.io.onnx;

import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts between ONNX's {@code AttributeProto} and entries of {@link Attributes}.
 *
 * <pre>
 * AttributeProto.type  field   Java value in Attributes
 *   FLOAT   = 1        f  2    Float
 *   INT     = 2        i  3    Long
 *   STRING  = 3        s  4    String (UTF-8)
 *   TENSOR  = 4        t  5    Tensor
 *   FLOATS  = 6        7       float[]   (packed or not)
 *   INTS    = 7        8       long[]    (packed or not)
 *   STRINGS = 8        9       String[]
 * </pre>
 * Graphs (5, 10: the bodies of If/Loop/Scan), lists of tensors (9), sparse tensors (11, 12),
 * type protos (13, 14) and references to function attributes are refused with a message naming
 * the node and the attribute. Files older than IR version 2 have no {@code type} field; the type
 * is then inferred from the value field present.
 */
final class OnnxAttributes {
    static final int FLOAT = 1;
    static final int INT = 2;
    static final int STRING = 3;
    static final int TENSOR = 4;
    static final int FLOATS = 6;
    static final int INTS = 7;
    static final int STRINGS = 8;

    private OnnxAttributes() {
    }

    /**
     * Reads one AttributeProto into {@code into} and returns its name; {@code who} names the node
     * for messages.
     */
    static String parse(ProtobufReader r, String who, Attributes.Builder into) throws ModelFormatException {
        int start = r.position();
        String name = "";
        int type = 0;
        Float f = null;
        Long i = null;
        String s = null;
        int[] tensorRange = null;
        RepeatedNumbers floats = new RepeatedNumbers();
        RepeatedNumbers ints = new RepeatedNumbers();
        List<String> strings = new ArrayList<>();
        String refused = null;
        while (r.hasMore()) {
            int tag = r.readTag();
            int wire = ProtobufReader.wireType(tag);
            switch (ProtobufReader.fieldNumber(tag)) {
                case 1 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "the attribute name");
                    name = r.readString();
                }
                case 2 -> {
                    r.expectWireType(wire, ProtobufReader.FIXED32, "a float");
                    f = r.readFloat();
                }
                case 3 -> {
                    r.expectWireType(wire, ProtobufReader.VARINT, "an integer");
                    i = r.readVarint();
                }
                case 4 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "a string");
                    s = r.readString();
                }
                case 5 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "a tensor");
                    tensorRange = r.readBytesRange();
                }
                case 7 -> r.readRepeatedFixed32(wire, floats);
                case 8 -> r.readRepeatedVarint(wire, ints);
                case 9 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "a string");
                    strings.add(r.readString());
                }
                case 20 -> {
                    r.expectWireType(wire, ProtobufReader.VARINT, "the attribute type");
                    type = (int) r.readVarint();
                }
                case 6, 11 -> refused = refuse(r, wire, "a graph (a subgraph such as an If/Loop/Scan body)");
                case 10 -> refused = refuse(r, wire, "a list of tensors");
                case 14, 15 -> refused = refuse(r, wire, "a type");
                case 21 -> refused = refuse(r, wire, "a reference to a function attribute");
                case 22, 23 -> refused = refuse(r, wire, "a sparse tensor");
                default -> r.skip(wire);
            }
        }
        if (name.isEmpty()) {
            throw r.error(start, who + " has an attribute without a name");
        }
        String where = who + ": attribute '" + name + "'";
        if (refused != null) {
            throw r.unsupported(start, where + " holds " + refused + ", which Minnow does not support");
        }
        if (type == 0) {
            type = tensorRange != null ? TENSOR : floats.size() > 0 ? FLOATS : ints.size() > 0 ? INTS
                    : !strings.isEmpty() ? STRINGS : s != null ? STRING : i != null ? INT : f != null ? FLOAT : 0;
            if (type == 0) {
                throw r.error(start, where + " has neither a type nor a value");
            }
        }
        switch (type) {
            case FLOAT -> into.set(name, f == null ? 0f : f);
            case INT -> into.set(name, i == null ? 0L : i);
            case STRING -> into.set(name, s == null ? "" : s);
            case TENSOR -> {
                if (tensorRange == null) {
                    throw r.error(start, where + " is of type TENSOR but holds no tensor");
                }
                into.set(name, OnnxTensors.parse(r.slice(tensorRange), where + ", tensor").value());
            }
            case FLOATS -> into.set(name, floats.toFloats());
            case INTS -> into.set(name, ints.toLongs());
            case STRINGS -> into.set(name, strings.toArray(new String[0]));
            default -> throw r.unsupported(start, where + " has type " + typeName(type) + ", which Minnow does not support");
        }
        return name;
    }

    private static String refuse(ProtobufReader r, int wire, String what) throws ModelFormatException {
        r.skip(wire);
        return what;
    }

    private static String typeName(int type) {
        String[] names = {"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS", "STRINGS",
            "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"};
        return type >= 0 && type < names.length ? names[type] : "type " + type;
    }

    /** The AttributeProto of one entry of {@link Attributes#asMap()}. */
    static ProtobufWriter encode(String name, Object value) {
        ProtobufWriter w = new ProtobufWriter();
        w.writeString(1, name);
        if (value instanceof Long l) {
            w.writeVarint(3, l).writeVarint(20, INT);
        } else if (value instanceof Float f) {
            w.writeFloat(2, f).writeVarint(20, FLOAT);
        } else if (value instanceof String s) {
            w.writeString(4, s).writeVarint(20, STRING);
        } else if (value instanceof Tensor t) {
            w.writeMessage(5, OnnxTensors.encode("", t)).writeVarint(20, TENSOR);
        } else if (value instanceof long[] ls) {
            if (ls.length > 0) {
                w.writePackedVarints(8, ls);
            }
            w.writeVarint(20, INTS);
        } else if (value instanceof float[] fs) {
            if (fs.length > 0) {
                w.writePackedFloats(7, fs);
            }
            w.writeVarint(20, FLOATS);
        } else if (value instanceof String[] ss) {
            for (String s : ss) {
                w.writeString(9, s);
            }
            w.writeVarint(20, STRINGS);
        } else {
            throw new IllegalArgumentException("attribute '" + name + "' has a value of type "
                    + (value == null ? "null" : value.getClass().getSimpleName()) + ", which ONNX cannot store");
        }
        return w;
    }

    /** Every attribute of {@code attributes}, in order. */
    static List<ProtobufWriter> encodeAll(Attributes attributes) {
        List<ProtobufWriter> r = new ArrayList<>();
        for (Map.Entry<String, Object> e : attributes.asMap().entrySet()) {
            r.add(encode(e.getKey(), e.getValue()));
        }
        return r;
    }
}
