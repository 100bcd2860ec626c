package dev.minnow.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    void writesScalars() {
        assertThat(JsonWriter.write(null)).isEqualTo("null");
        assertThat(JsonWriter.write(true)).isEqualTo("true");
        assertThat(JsonWriter.write(42)).isEqualTo("42");
        assertThat(JsonWriter.write(-7L)).isEqualTo("-7");
        assertThat(JsonWriter.write(0.1f)).isEqualTo("0.1");
        assertThat(JsonWriter.write(2.5)).isEqualTo("2.5");
        assertThat(JsonWriter.write(1e-7)).isEqualTo("1.0E-7");
        assertThat(JsonWriter.write(Double.NaN)).isEqualTo("null");
        assertThat(JsonWriter.write(Float.POSITIVE_INFINITY)).isEqualTo("null");
        assertThat(JsonWriter.write(Thread.State.NEW)).isEqualTo("\"NEW\"");
    }

    @Test
    void escapesStrings() {
        assertThat(JsonWriter.write("a\"b\\c\nd\te\u0001\u2028é"))
                .isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\\u2028é\"");
    }

    @Test
    void writesNestedObjectsAndArraysThatParseBack() throws Exception {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("shape", new int[] {1, 3, 224, 224});
        inner.put("values", new float[] {1.5f, Float.NaN});
        inner.put("big", new long[] {Long.MAX_VALUE});
        inner.put("ok", new boolean[] {true, false});
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("name", "conv \"1\"");
        j.put("nodes", List.of(inner, List.of(), Map.of()));
        j.put("empty", new Object[0]);
        j.put("nothing", null);
        String text = JsonWriter.write(j);
        assertThat(text).isEqualTo("{\"name\":\"conv \\\"1\\\"\",\"nodes\":[{\"shape\":[1,3,224,224],"
                + "\"values\":[1.5,null],\"big\":[9223372036854775807],\"ok\":[true,false]},[],{}],"
                + "\"empty\":[],\"nothing\":null}");

        Map<String, Object> back = MiniJson.parseObject(text);
        assertThat(back.get("name")).isEqualTo("conv \"1\"");
        @SuppressWarnings("unchecked")
        Map<String, Object> node = (Map<String, Object>) ((List<Object>) back.get("nodes")).get(0);
        assertThat(node.get("shape")).isEqualTo(Arrays.asList(1.0, 3.0, 224.0, 224.0));
        assertThat(MiniJson.pythonAccepts(text)).isNotEqualTo(Boolean.FALSE);
    }

    @Test
    void refusesValuesItCannotRepresent() {
        assertThatThrownBy(() -> JsonWriter.write(new Object()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
    }
}
