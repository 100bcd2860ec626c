package dev.minnow.zoo.cli;

import java.util.Map;

/**
 * Writes plain Java values as one line of JSON (RFC 8259), for the {@code --json} output of
 * every command: {@code Map} (keys in iteration order, so use a {@code LinkedHashMap}) becomes an
 * object, {@code Iterable} and arrays become arrays, {@code CharSequence} a string, {@code Number}
 * a number, {@code Boolean} a boolean, {@code null} and non-finite floats (NaN, infinities, which
 * JSON cannot express) {@code null}, and enums their name.
 */
public final class JsonWriter {

    private JsonWriter() {
    }

    /** The JSON text of a value. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    private static void write(Object v, StringBuilder sb) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof CharSequence || v instanceof Character) {
            string(v.toString(), sb);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Double d) {
            sb.append(d.isNaN() || d.isInfinite() ? "null" : d.toString());
        } else if (v instanceof Float f) {
            sb.append(f.isNaN() || f.isInfinite() ? "null" : f.toString());
        } else if (v instanceof Number n) {
            sb.append(n);
        } else if (v instanceof Enum<?> e) {
            string(e.name(), sb);
        } else if (v instanceof Map<?, ?> map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(first ? "" : ",");
                first = false;
                string(String.valueOf(e.getKey()), sb);
                sb.append(':');
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (v instanceof Iterable<?> items) {
            sb.append('[');
            boolean first = true;
            for (Object item : items) {
                sb.append(first ? "" : ",");
                first = false;
                write(item, sb);
            }
            sb.append(']');
        } else if (v instanceof Object[] a) {
            write(java.util.Arrays.asList(a), sb);
        } else if (v instanceof int[] a) {
            write(java.util.Arrays.stream(a).boxed().toList(), sb);
        } else if (v instanceof long[] a) {
            write(java.util.Arrays.stream(a).boxed().toList(), sb);
        } else if (v instanceof double[] a) {
            write(java.util.Arrays.stream(a).boxed().toList(), sb);
        } else if (v instanceof float[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                sb.append(i > 0 ? "," : "");
                write(a[i], sb);
            }
            sb.append(']');
        } else if (v instanceof boolean[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                sb.append(i > 0 ? "," : "").append(a[i]);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON: " + v);
        }
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    private static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
