package dev.minnow.engine.io.onnx;

import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX file Minnow reads, decoded from the protobuf messages of {@code onnx.proto}
 * into plain records, before any op is created. Field numbers:
 * <pre>
 * ModelProto      ir_version 1, opset_import 8 (OperatorSetIdProto: domain 1, version 2), graph 7
 * GraphProto      node 1, name 2, initializer 5, sparse_initializer 15, input 11, output 12,
 *                 value_info 13
 * NodeProto       input 1, output 2, name 3, op_type 4, attribute 5, domain 7
 * AttributeProto  name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, strings 9, tensors 10,
 *                 graphs 11, type 20, ref_attr_name 21, sparse_tensor 22, ...
 * ValueInfoProto  name 1, type 2 (TypeProto: tensor_type 1 (elem_type 1, shape 2 (dim 1
 *                 (dim_value 1, dim_param 2))))
 * </pre>
 * Everything else (doc strings, metadata, producer) is skipped. Nested graphs (If, Loop, Scan
 * bodies) are refused where they appear, so parsing never recurses deeper than these levels.
 */
final class OnnxProto {
    private OnnxProto() {
    }

    record Model(long irVersion, Map<String, Long> opsets, Graph graph, Map<String, String> metadata) {
    }

    record Graph(String name, List<Node> nodes, Map<String, Tensor> initializers, List<Value> inputs,
                 List<Value> outputs, List<Value> valueInfos) {
    }

    record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                Attributes attributes) {
    }

    /**
     * A declared value. {@code elemType} is 0 when absent; {@code dims} is {@code null} when no
     * shape is given, with -1 for a dimension that is symbolic or missing; {@code notTensor} names
     * the kind (sequence, map...) of a value that is not a tensor, else {@code null}.
     */
    record Value(String name, int elemType, long[] dims, String notTensor) {
    }

    static Model parseModel(byte[] bytes, String source) throws ModelFormatException {
        ProtobufReader r = new ProtobufReader(bytes, source);
        long ir = 0;
        Map<String, Long> opsets = new LinkedHashMap<>();
        Graph graph = null;
        Map<String, String> metadata = new LinkedHashMap<>();
        while (r.hasMore()) {
            int tag = r.readTag();
            int wire = ProtobufReader.wireType(tag);
            switch (ProtobufReader.fieldNumber(tag)) {
                case 1 -> {
                    r.expectWireType(wire, ProtobufReader.VARINT, "ir_version");
                    ir = r.readVarint();
                }
                case 14 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "a metadata entry");
                    ProtobufReader entry = r.readMessage();
                    String key = "";
                    String value = "";
                    while (entry.hasMore()) {
                        int t = entry.readTag();
                        int w = ProtobufReader.wireType(t);
                        switch (ProtobufReader.fieldNumber(t)) {
                            case 1 -> {
                                entry.expectWireType(w, ProtobufReader.LENGTH_DELIMITED, "a metadata key");
                                key = entry.readString();
                            }
                            case 2 -> {
                                entry.expectWireType(w, ProtobufReader.LENGTH_DELIMITED, "a metadata value");
                                value = entry.readString();
                            }
                            default -> entry.skip(w);
                        }
                    }
                    metadata.put(key, value);
                }
                case 7 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "the graph");
                    if (graph != null) {
                        throw r.error("the model holds two graphs");
                    }
                    graph = parseGraph(r.readMessage());
                }
                case 8 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "an opset import");
                    parseOpset(r.readMessage(), opsets);
                }
                default -> r.skip(wire);
            }
        }
        if (graph == null) {
            throw new ModelFormatException(source + ": not an ONNX model (no graph found in " + bytes.length + " bytes)");
        }
        return new Model(ir, opsets, graph, metadata);
    }

    private static void parseOpset(ProtobufReader r, Map<String, Long> opsets) throws ModelFormatException {
        String domain = "";
        long version = 0;
        while (r.hasMore()) {
            int tag = r.readTag();
            int wire = ProtobufReader.wireType(tag);
            switch (ProtobufReader.fieldNumber(tag)) {
                case 1 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "an opset domain");
                    domain = r.readString();
                }
                case 2 -> {
                    r.expectWireType(wire, ProtobufReader.VARINT, "an opset version");
                    version = r.readVarint();
                }
                default -> r.skip(wire);
            }
        }
        opsets.put(domain.equals("ai.onnx") ? "" : domain, version);
    }

    private static Graph parseGraph(ProtobufReader r) throws ModelFormatException {
        String name = "";
        List<Node> nodes = new ArrayList<>();
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        List<Value> inputs = new ArrayList<>();
        List<Value> outputs = new ArrayList<>();
        List<Value> valueInfos = new ArrayList<>();
        while (r.hasMore()) {
            int tag = r.readTag();
            int wire = ProtobufReader.wireType(tag);
            int field = ProtobufReader.fieldNumber(tag);
            switch (field) {
                case 1 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "a node");
                    nodes.add(parseNode(r.readMessage(), nodes.size()));
                }
                case 2 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "the graph name");
                    name = r.readString();
                }
                case 5 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "an initializer");
                    int at = r.position();
                    OnnxTensors.Named t = OnnxTensors.parse(r.readMessage(), "initializer");
                    if (t.name().isEmpty()) {
                        throw r.error(at, "initializer " + initializers.size() + " has no name");
                    }
                    if (initializers.put(t.name(), t.value()) != null) {
                        throw r.error(at, "initializer '" + t.name() + "' is defined twice");
                    }
                }
                case 15 -> throw r.unsupported(r.position(), "the graph has sparse initializers, which Minnow does not support");
                case 11, 12, 13 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "a value info");
                    Value v = parseValue(r.readMessage());
                    (field == 11 ? inputs : field == 12 ? outputs : valueInfos).add(v);
                }
                default -> r.skip(wire);
            }
        }
        return new Graph(name, nodes, initializers, inputs, outputs, valueInfos);
    }

    private static Node parseNode(ProtobufReader r, int index) throws ModelFormatException {
        int start = r.position();
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String opType = "";
        String domain = "";
        List<int[]> attributeRanges = new ArrayList<>();
        while (r.hasMore()) {
            int tag = r.readTag();
            int wire = ProtobufReader.wireType(tag);
            int field = ProtobufReader.fieldNumber(tag);
            if (field >= 1 && field <= 5 || field == 7) {
                r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "a string");
            }
            switch (field) {
                case 1 -> inputs.add(r.readString());
                case 2 -> outputs.add(r.readString());
                case 3 -> name = r.readString();
                case 4 -> opType = r.readString();
                case 5 -> attributeRanges.add(r.readBytesRange());
                case 7 -> domain = r.readString();
                default -> r.skip(wire);
            }
        }
        String who = "node " + (name.isEmpty() ? "#" + index : "'" + name + "'") + " (" + opType + ")";
        if (opType.isEmpty()) {
            throw r.error(start, who + " has no op_type");
        }
        Attributes.Builder attributes = Attributes.builder();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int[] range : attributeRanges) {
            String attrName = OnnxAttributes.parse(r.slice(range), who, attributes);
            if (!seen.add(attrName)) {
                throw r.error(range[0], who + " has attribute '" + attrName + "' twice");
            }
        }
        return new Node(name, opType, domain.equals("ai.onnx") ? "" : domain, inputs, outputs, attributes.build());
    }

    private static Value parseValue(ProtobufReader r) throws ModelFormatException {
        String name = "";
        int elemType = 0;
        long[] dims = null;
        String notTensor = null;
        while (r.hasMore()) {
            int tag = r.readTag();
            int wire = ProtobufReader.wireType(tag);
            switch (ProtobufReader.fieldNumber(tag)) {
                case 1 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "a value name");
                    name = r.readString();
                }
                case 2 -> {
                    r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "a type");
                    ProtobufReader type = r.readMessage();
                    while (type.hasMore()) {
                        int t = type.readTag();
                        int w = ProtobufReader.wireType(t);
                        switch (ProtobufReader.fieldNumber(t)) {
                            case 1 -> {
                                type.expectWireType(w, ProtobufReader.LENGTH_DELIMITED, "a tensor type");
                                ProtobufReader tensorType = type.readMessage();
                                while (tensorType.hasMore()) {
                                    int tt = tensorType.readTag();
                                    int ww = ProtobufReader.wireType(tt);
                                    switch (ProtobufReader.fieldNumber(tt)) {
                                        case 1 -> {
                                            tensorType.expectWireType(ww, ProtobufReader.VARINT, "an element type");
                                            elemType = (int) tensorType.readVarint();
                                        }
                                        case 2 -> {
                                            tensorType.expectWireType(ww, ProtobufReader.LENGTH_DELIMITED, "a shape");
                                            dims = parseShape(tensorType.readMessage());
                                        }
                                        default -> tensorType.skip(ww);
                                    }
                                }
                            }
                            case 4 -> { notTensor = "sequence"; type.skip(w); }
                            case 5 -> { notTensor = "map"; type.skip(w); }
                            case 7 -> { notTensor = "opaque"; type.skip(w); }
                            case 8 -> { notTensor = "sparse tensor"; type.skip(w); }
                            case 9 -> { notTensor = "optional"; type.skip(w); }
                            default -> type.skip(w);
                        }
                    }
                }
                default -> r.skip(wire);
            }
        }
        return new Value(name, elemType, dims, notTensor);
    }

    private static long[] parseShape(ProtobufReader r) throws ModelFormatException {
        RepeatedNumbers dims = new RepeatedNumbers();
        while (r.hasMore()) {
            int tag = r.readTag();
            int wire = ProtobufReader.wireType(tag);
            if (ProtobufReader.fieldNumber(tag) != 1) {
                r.skip(wire);
                continue;
            }
            r.expectWireType(wire, ProtobufReader.LENGTH_DELIMITED, "a dimension");
            ProtobufReader dim = r.readMessage();
            long value = -1;
            while (dim.hasMore()) {
                int t = dim.readTag();
                int w = ProtobufReader.wireType(t);
                if (ProtobufReader.fieldNumber(t) == 1) {
                    dim.expectWireType(w, ProtobufReader.VARINT, "a dimension value");
                    value = dim.readVarint();
                    if (value < 0 || value > Integer.MAX_VALUE) {
                        throw dim.error("dimension value " + value + " is out of range");
                    }
                } else if (ProtobufReader.fieldNumber(t) == 2) {
                    dim.skip(w);
                    value = -1; // symbolic (dim_param): unknown until a real tensor arrives
                } else {
                    dim.skip(w);
                }
            }
            dims.add(value);
            if (dims.size() > OnnxTensors.MAX_RANK) {
                throw r.error("a shape has more than " + OnnxTensors.MAX_RANK + " dimensions");
            }
        }
        return dims.toLongs();
    }
}
