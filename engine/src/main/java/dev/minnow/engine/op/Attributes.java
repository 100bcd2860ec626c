package dev.minnow.engine.op;

import dev.minnow.engine.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The named, typed settings of an op, in ONNX's vocabulary: an attribute is a 64-bit integer,
 * a float, a string, a tensor, or a list of integers, floats or strings. Immutable; build one
 * with {@link #builder()}.
 *
 * <p>Ops read their settings with the typed getters, which throw a message naming the attribute
 * and the type found when a file stores something else. {@link #requireOnly} lets an op refuse
 * attributes it does not implement instead of silently ignoring them.
 */
public final class Attributes {
    private static final Attributes EMPTY = new Attributes(Map.of());

    private final Map<String, Object> values;

    private Attributes(Map<String, Object> values) {
        this.values = values;
    }

    public static Attributes empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Names in insertion order, with their values (Long, Float, String, Tensor, long[], float[], String[]). */
    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public long getLong(String name, long defaultValue) {
        Object v = values.get(name);
        return v == null ? defaultValue : as(name, v, Long.class);
    }

    /** An integer attribute that must fit an int. */
    public int getInt(String name, int defaultValue) {
        long v = getLong(name, defaultValue);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("attribute '" + name + "' = " + v + " does not fit a 32-bit int");
        }
        return (int) v;
    }

    public float getFloat(String name, float defaultValue) {
        Object v = values.get(name);
        return v == null ? defaultValue : as(name, v, Float.class);
    }

    public String getString(String name, String defaultValue) {
        Object v = values.get(name);
        return v == null ? defaultValue : as(name, v, String.class);
    }

    /** A list of integers, or {@code defaultValue} (may be null) when absent. */
    public long[] getLongs(String name, long[] defaultValue) {
        Object v = values.get(name);
        return v == null ? defaultValue : as(name, v, long[].class).clone();
    }

    /** A list of integers that must each fit an int, or {@code defaultValue} (may be null). */
    public int[] getInts(String name, int[] defaultValue) {
        long[] v = getLongs(name, null);
        if (v == null) {
            return defaultValue;
        }
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("attribute '" + name + "'[" + i + "] = " + v[i]
                        + " does not fit a 32-bit int");
            }
            r[i] = (int) v[i];
        }
        return r;
    }

    public float[] getFloats(String name, float[] defaultValue) {
        Object v = values.get(name);
        return v == null ? defaultValue : as(name, v, float[].class).clone();
    }

    public String[] getStrings(String name, String[] defaultValue) {
        Object v = values.get(name);
        return v == null ? defaultValue : as(name, v, String[].class).clone();
    }

    public Tensor getTensor(String name) {
        Object v = values.get(name);
        return v == null ? null : as(name, v, Tensor.class);
    }

    /**
     * Throws when an attribute other than {@code known} is present, so that an op never silently
     * ignores a setting that would change its result.
     */
    public void requireOnly(String opType, String... known) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        for (String k : known) {
            unknown.remove(k);
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(opType + " does not support attribute(s) " + unknown
                    + " (supported: " + String.join(", ", known) + ")");
        }
    }

    private static <T> T as(String name, Object v, Class<T> type) {
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("attribute '" + name + "' should be " + describe(type)
                    + " but is " + describe(v.getClass()));
        }
        return type.cast(v);
    }

    private static String describe(Class<?> c) {
        if (c == Long.class) return "an integer";
        if (c == Float.class) return "a float";
        if (c == String.class) return "a string";
        if (c == Tensor.class) return "a tensor";
        if (c == long[].class) return "a list of integers";
        if (c == float[].class) return "a list of floats";
        if (c == String[].class) return "a list of strings";
        return c.getSimpleName();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Attributes other) || !other.values.keySet().equals(values.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object a = e.getValue();
            Object b = other.values.get(e.getKey());
            boolean same = a instanceof long[] la ? b instanceof long[] lb && java.util.Arrays.equals(la, lb)
                    : a instanceof float[] fa ? b instanceof float[] fb && java.util.Arrays.equals(fa, fb)
                    : a instanceof String[] sa ? b instanceof String[] sb && java.util.Arrays.equals(sa, sb)
                    : a instanceof Tensor ta ? b instanceof Tensor tb && ta.contentEquals(tb)
                    : a.equals(b);
            if (!same) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return values.keySet().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            Object v = e.getValue();
            String s = v instanceof long[] l ? java.util.Arrays.toString(l)
                    : v instanceof float[] f ? java.util.Arrays.toString(f)
                    : v instanceof String[] a ? java.util.Arrays.toString(a)
                    : String.valueOf(v);
            sb.append(e.getKey()).append('=').append(s);
        }
        return sb.append('}').toString();
    }

    /** Collects attributes; later values of the same name replace earlier ones. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        public Builder set(String name, long value) {
            values.put(name, value);
            return this;
        }

        public Builder set(String name, float value) {
            values.put(name, value);
            return this;
        }

        public Builder set(String name, String value) {
            values.put(name, value);
            return this;
        }

        public Builder set(String name, Tensor value) {
            values.put(name, value);
            return this;
        }

        public Builder set(String name, long[] value) {
            values.put(name, value.clone());
            return this;
        }

        public Builder set(String name, int[] value) {
            long[] l = new long[value.length];
            for (int i = 0; i < value.length; i++) {
                l[i] = value[i];
            }
            values.put(name, l);
            return this;
        }

        public Builder set(String name, float[] value) {
            values.put(name, value.clone());
            return this;
        }

        public Builder set(String name, String[] value) {
            values.put(name, value.clone());
            return this;
        }

        public Attributes build() {
            return values.isEmpty() ? EMPTY : new Attributes(new LinkedHashMap<>(values));
        }
    }
}
