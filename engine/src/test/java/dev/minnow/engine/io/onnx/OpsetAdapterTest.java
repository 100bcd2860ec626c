package dev.minnow.engine.io.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.op.Attributes;
import dev.minnow.engine.tensor.Shape;
import dev.minnow.engine.tensor.Tensor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each rewrite of an older opset form into opset 13, checked on the nodes it produces. */
class OpsetAdapterTest {
    private final Set<String> used = new HashSet<>(Set.of("x", "y", "b", "n"));
    private final Map<String, Integer> ranks = new HashMap<>();
    private final Map<String, Tensor> initializers = new HashMap<>();

    private OpsetAdapter adapter(int opset) {
        return new OpsetAdapter(opset, prefix -> {
            String c = prefix;
            for (int i = 1; !used.add(c); i++) {
                c = prefix + "_" + i;
            }
            return c;
        }, ranks, initializers);
    }

    private static OnnxProto.Node node(String op, List<String> inputs, Attributes a) {
        return new OnnxProto.Node("n", op, "", inputs, List.of("y"), a);
    }

    @Test
    void untouchedNodesKeepTheModelOpset() throws ModelFormatException {
        OnnxProto.Node relu = node("Relu", List.of("x"), Attributes.empty());
        List<OpsetAdapter.Adapted> r = adapter(9).adapt(relu);
        assertThat(r).containsExactly(new OpsetAdapter.Adapted(relu, 9));
    }

    @Test
    void clipBefore11MovesMinAndMaxToInputs() throws ModelFormatException {
        OpsetAdapter a = adapter(6);
        OpsetAdapter.Adapted r = a.adapt(node("Clip", List.of("x"),
                Attributes.builder().set("min", -1f).set("max", 6f).build())).get(0);
        assertThat(r.opset()).isEqualTo(13);
        assertThat(r.node().attributes().isEmpty()).isTrue();
        assertThat(r.node().inputs()).containsExactly("x", "n_min", "n_max");
        assertThat(a.constants().get("n_min").contentEquals(Tensor.scalar(-1f))).isTrue();
        assertThat(a.constants().get("n_max").contentEquals(Tensor.scalar(6f))).isTrue();
        // only max: min becomes an absent input
        OpsetAdapter b = adapter(6);
        assertThat(b.adapt(node("Clip", List.of("x"), Attributes.builder().set("max", 6f).build())).get(0).node()
                .inputs()).containsExactly("x", "", "n_max_1");
        // only min: nothing after it
        assertThat(adapter(6).adapt(node("Clip", List.of("x"), Attributes.builder().set("min", 0f).build())).get(0)
                .node().inputs()).containsExactly("x", "n_min_1");
        // opset 11 is already the input form
        OnnxProto.Node clip11 = node("Clip", List.of("x", "lo", "hi"), Attributes.empty());
        assertThat(adapter(11).adapt(clip11).get(0).node()).isSameAs(clip11);
    }

    @Test
    void axesAttributesBecomeInt64Inputs() throws ModelFormatException {
        for (String op : List.of("Unsqueeze", "Squeeze", "ReduceSum")) {
            OpsetAdapter a = adapter(11);
            OnnxProto.Node r = a.adapt(node(op, List.of("x"),
                    Attributes.builder().set("axes", new long[] {0, -1}).set("keepdims", 0L).build())).get(0).node();
            assertThat(r.inputs()).hasSize(2);
            assertThat(a.constants().get(r.inputs().get(1)).contentEquals(Tensor.ofLongs(Shape.of(2), 0, -1))).isTrue();
            assertThat(r.attributes().asMap().keySet()).isEqualTo(Set.of("keepdims")); // other attributes stay
        }
        // Squeeze without axes stays as it is (all size-1 dimensions)
        OnnxProto.Node squeeze = node("Squeeze", List.of("x"), Attributes.empty());
        assertThat(adapter(11).adapt(squeeze).get(0).node()).isSameAs(squeeze);
        // Split's sizes
        OpsetAdapter s = adapter(11);
        OnnxProto.Node split = s.adapt(node("Split", List.of("x"),
                Attributes.builder().set("axis", 1L).set("split", new long[] {2, 1}).build())).get(0).node();
        assertThat(split.attributes().asMap()).containsOnlyKeys("axis");
        assertThat(s.constants().get(split.inputs().get(1)).toLongArray()).containsExactly(2, 1);
    }

    @Test
    void dropoutRatioBecomesAnInputAndIsTestIsDropped() throws ModelFormatException {
        OpsetAdapter a = adapter(6);
        OnnxProto.Node r = a.adapt(node("Dropout", List.of("x"),
                Attributes.builder().set("ratio", 0.25f).set("is_test", 1L).build())).get(0).node();
        assertThat(r.attributes().isEmpty()).isTrue();
        assertThat(a.constants().get(r.inputs().get(1)).contentEquals(Tensor.scalar(0.25f))).isTrue();
        OnnxProto.Node plain = adapter(10).adapt(node("Dropout", List.of("x"),
                Attributes.builder().set("is_test", 1L).build())).get(0).node();
        assertThat(plain.inputs()).containsExactly("x");
        assertThat(plain.attributes().isEmpty()).isTrue();
    }

    @Test
    void padAttributesBecomeInputs() throws ModelFormatException {
        OpsetAdapter a = adapter(2);
        OnnxProto.Node r = a.adapt(node("Pad", List.of("x"), Attributes.builder().set("mode", "reflect")
                .set("pads", new long[] {0, 1, 0, 1}).build())).get(0).node();
        assertThat(r.attributes().asMap()).containsOnlyKeys("mode");
        assertThat(r.inputs()).hasSize(2);
        assertThat(a.constants().get(r.inputs().get(1)).toLongArray()).containsExactly(0, 1, 0, 1);
        // opset 1 calls them paddings
        OpsetAdapter b = adapter(1);
        OnnxProto.Node old = b.adapt(node("Pad", List.of("x"), Attributes.builder()
                .set("paddings", new long[] {1, 1}).set("value", 2.5f).build())).get(0).node();
        assertThat(old.inputs()).hasSize(3);
        assertThat(b.constants().get(old.inputs().get(1)).toLongArray()).containsExactly(1, 1);
        assertThat(b.constants().get(old.inputs().get(2)).contentEquals(Tensor.scalar(2.5f))).isTrue();
    }

    @Test
    void reshapeShapeAttributeAndSliceAttributes() throws ModelFormatException {
        OpsetAdapter a = adapter(4);
        OnnxProto.Node r = a.adapt(node("Reshape", List.of("x"),
                Attributes.builder().set("shape", new long[] {0, -1}).build())).get(0).node();
        assertThat(a.constants().get(r.inputs().get(1)).toLongArray()).containsExactly(0, -1);
        OpsetAdapter s = adapter(9);
        OnnxProto.Node slice = s.adapt(node("Slice", List.of("x"), Attributes.builder()
                .set("starts", new long[] {1}).set("ends", new long[] {3}).build())).get(0).node();
        assertThat(slice.inputs()).hasSize(3);
        assertThat(s.constants().get(slice.inputs().get(2)).toLongArray()).containsExactly(3);
    }

    @Test
    void batchNormDropsSpatialAndIsTestButRefusesPerElementStatistics() throws ModelFormatException {
        OnnxProto.Node bn = node("BatchNormalization", List.of("x", "s", "b", "m", "v"),
                Attributes.builder().set("epsilon", 1e-3f).set("is_test", 1L).set("spatial", 1L).build());
        OnnxProto.Node r = adapter(6).adapt(bn).get(0).node();
        assertThat(r.attributes().asMap()).containsOnlyKeys("epsilon");
        assertThat(r.inputs()).isEqualTo(bn.inputs());
        assertThatThrownBy(() -> adapter(7).adapt(node("BatchNormalization", List.of("x", "s", "b", "m", "v"),
                Attributes.builder().set("spatial", 0L).build())))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("spatial=0");
        // consumed_inputs (opset 1) is an optimisation hint
        OnnxProto.Node old = adapter(1).adapt(node("BatchNormalization", List.of("x", "s", "b", "m", "v"),
                Attributes.builder().set("consumed_inputs", new long[] {0, 0, 0, 1, 1}).set("is_test", 1L).build()))
                .get(0).node();
        assertThat(old.attributes().isEmpty()).isTrue();
    }

    @Test
    void softmaxOnTheLastAxisStaysOneNode() throws ModelFormatException {
        ranks.put("x", 2);
        OpsetAdapter.Adapted r = adapter(6).adapt(node("Softmax", List.of("x"),
                Attributes.builder().set("axis", 1L).build())).get(0);
        assertThat(r.opset()).isEqualTo(13);
        assertThat(r.node().opType()).isEqualTo("Softmax");
        assertThat(r.node().attributes().getLong("axis", 0)).isEqualTo(-1);
    }

    @Test
    void softmaxElsewhereIsSpelledOutAsFlattenSoftmaxReshape() throws ModelFormatException {
        // rank of x unknown, default axis 1: y = Reshape(Softmax(Flatten(x, 1), axis=-1), Shape(x))
        List<OpsetAdapter.Adapted> r = adapter(11).adapt(node("LogSoftmax", List.of("x"), Attributes.empty()));
        assertThat(r).extracting(a -> a.node().opType()).containsExactly("Shape", "Flatten", "LogSoftmax", "Reshape");
        assertThat(r).allMatch(a -> a.opset() == 13);
        OnnxProto.Node shape = r.get(0).node();
        OnnxProto.Node flatten = r.get(1).node();
        OnnxProto.Node softmax = r.get(2).node();
        OnnxProto.Node reshape = r.get(3).node();
        assertThat(shape.inputs()).containsExactly("x");
        assertThat(flatten.inputs()).containsExactly("x");
        assertThat(flatten.attributes().getLong("axis", -9)).isEqualTo(1);
        assertThat(softmax.inputs()).containsExactly(flatten.outputs().get(0));
        assertThat(softmax.attributes().getLong("axis", 0)).isEqualTo(-1);
        assertThat(softmax.name()).isEqualTo("n");
        assertThat(reshape.inputs()).containsExactly(softmax.outputs().get(0), shape.outputs().get(0));
        assertThat(reshape.outputs()).containsExactly("y");
        // all new names are fresh and distinct
        assertThat(r.stream().map(a -> a.node().name()).distinct()).hasSize(4);
        assertThat(List.of(shape.outputs().get(0), flatten.outputs().get(0), softmax.outputs().get(0))).doesNotContain("x", "y", "b", "n");
    }

    @Test
    void legacyBroadcastWithAxisAlignsTheSecondInput() throws ModelFormatException {
        ranks.put("x", 4);
        ranks.put("b", 1);
        // B (an initializer [3]) at axis 1 of a [N, 3, H, W] input: B becomes [3, 1, 1]
        initializers.put("b", Tensor.of(Shape.of(3), 1, 2, 3));
        OpsetAdapter a = adapter(6);
        OnnxProto.Node add = a.adapt(node("Add", List.of("x", "b"),
                Attributes.builder().set("broadcast", 1L).set("axis", 1L).build())).get(0).node();
        assertThat(add.attributes().isEmpty()).isTrue();
        Tensor aligned = a.constants().get(add.inputs().get(1));
        assertThat(aligned.shape()).isEqualTo(Shape.of(3, 1, 1));
        // a run-time B gets an Unsqueeze
        initializers.clear();
        List<OpsetAdapter.Adapted> r = adapter(6).adapt(node("Mul", List.of("x", "b"),
                Attributes.builder().set("broadcast", 1L).set("axis", 1L).build()));
        assertThat(r).extracting(x -> x.node().opType()).containsExactly("Unsqueeze", "Mul");
        assertThat(r.get(1).node().inputs().get(1)).isEqualTo(r.get(0).node().outputs().get(0));
        // suffix-aligned cases just drop the attributes
        ranks.put("b", 3);
        assertThat(adapter(6).adapt(node("Add", List.of("x", "b"),
                Attributes.builder().set("broadcast", 1L).set("axis", 1L).build())).get(0).node().inputs())
                .containsExactly("x", "b");
        // unknown ranks: refused with a reason
        ranks.clear();
        assertThatThrownBy(() -> adapter(6).adapt(node("Add", List.of("x", "b"),
                Attributes.builder().set("broadcast", 1L).set("axis", 1L).build())))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("ranks");
    }

    @Test
    void gemmBroadcastAndConcatDefaultAxis() throws ModelFormatException {
        OnnxProto.Node gemm = adapter(6).adapt(node("Gemm", List.of("a", "b", "c"),
                Attributes.builder().set("broadcast", 1L).set("transB", 1L).build())).get(0).node();
        assertThat(gemm.attributes().asMap()).containsOnlyKeys("transB");
        OnnxProto.Node concat = adapter(3).adapt(node("Concat", List.of("a", "b"), Attributes.empty())).get(0).node();
        assertThat(concat.attributes().getLong("axis", -1)).isEqualTo(1);
    }

    @Test
    void attributeAndInputTogetherIsAnError() {
        assertThatThrownBy(() -> adapter(10).adapt(node("Clip", List.of("x", "lo"),
                Attributes.builder().set("min", 0f).build())))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("'n' (Clip)");
    }

    @Test
    void malformedAttributeValuesAreModelFormatErrors() {
        assertThatThrownBy(() -> adapter(6).adapt(node("Clip", List.of("x"),
                Attributes.builder().set("min", "zero").build())))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("'n' (Clip)")
                .hasMessageContaining("min");
    }
}
