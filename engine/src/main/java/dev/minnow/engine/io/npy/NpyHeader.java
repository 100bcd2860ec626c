package dev.minnow.engine.io.npy;

import dev.minnow.engine.io.ModelFormatException;
import dev.minnow.engine.tensor.Shape;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The header of a {@code .npy} file: a Python dictionary literal such as
 * <pre>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</pre>
 * padded with spaces and a newline so that the data starts at a multiple of 64 bytes.
 *
 * <p>The parser reads exactly the Python literals a header may contain (dicts, tuples, lists,
 * strings, integers, {@code True}/{@code False}/{@code None}) with a depth limit and a digit
 * limit, so a hostile header can neither recurse the stack away nor name an absurd number.
 *
 * @param type         element encoding
 * @param fortranOrder true when the data is stored column-major
 * @param shape        dimensions, outermost first (as NumPy reports them, whatever the order)
 */
record NpyHeader(NpyType type, boolean fortranOrder, Shape shape) {

    /** Data starts at a multiple of this many bytes (NumPy's ARRAY_ALIGN). */
    static final int ALIGN = 64;

    private static final int MAX_DEPTH = 16;
    private static final int MAX_DIGITS = 18;

    /** Parses the header text (after the magic, version and length fields). */
    static NpyHeader parse(String text, String source) throws ModelFormatException {
        Object value = new LiteralParser(text, source).parseAll();
        if (!(value instanceof Map<?, ?> dict)) {
            throw new ModelFormatException(source + ": the header is not a Python dict: " + abbreviate(text));
        }
        TreeSet<String> keys = new TreeSet<>();
        dict.keySet().forEach(k -> keys.add(String.valueOf(k)));
        if (!keys.equals(new TreeSet<>(List.of("descr", "fortran_order", "shape")))) {
            throw new ModelFormatException(source + ": the header must have exactly the keys descr, fortran_order"
                    + " and shape, found " + keys);
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new ModelFormatException(source + ": structured dtypes are not supported (descr is "
                    + abbreviate(String.valueOf(dict.get("descr"))) + "); Minnow reads plain numeric arrays");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new ModelFormatException(source + ": fortran_order must be True or False, found "
                    + dict.get("fortran_order"));
        }
        if (!(dict.get("shape") instanceof Tuple tuple)) {
            throw new ModelFormatException(source + ": shape must be a tuple of integers, found "
                    + abbreviate(String.valueOf(dict.get("shape"))));
        }
        NpyType type = NpyType.parse(descr, source);
        int[] dims = new int[tuple.items().size()];
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            if (!(tuple.items().get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new ModelFormatException(source + ": dimension " + i + " of shape " + tuple
                        + " is not an integer in 0.." + Integer.MAX_VALUE);
            }
            dims[i] = d.intValue();
            elements *= d;
            if (elements > Integer.MAX_VALUE) {
                throw new ModelFormatException(source + ": shape " + tuple + " has more elements than the "
                        + Integer.MAX_VALUE + " a Java array can hold");
            }
        }
        return new NpyHeader(type, fortran, Shape.of(dims));
    }

    /**
     * The complete header bytes for a C-ordered array: magic, version, length, dict, padding.
     * Version 1.0 (a 16-bit length) unless the dict is too long, then 2.0 (a 32-bit length).
     */
    static byte[] encode(NpyType type, Shape shape) {
        int[] d = shape.dims();
        StringBuilder tuple = new StringBuilder("(");
        for (int i = 0; i < d.length; i++) {
            tuple.append(i > 0 ? ", " : "").append(d[i]);
        }
        tuple.append(d.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + type.descr() + "', 'fortran_order': False, 'shape': " + tuple + ", }";
        int prefix = 10;
        int text = roundUp(prefix + dict.length() + 1) - prefix;
        if (text > 0xFFFF) {
            prefix = 12;
            text = roundUp(prefix + dict.length() + 1) - prefix;
        }
        byte[] out = new byte[prefix + text];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
        System.arraycopy(magic, 0, out, 0, 6);
        out[6] = (byte) (prefix == 10 ? 1 : 2);
        out[7] = 0;
        for (int i = 0; i < prefix - 8; i++) {
            out[8 + i] = (byte) (text >>> (8 * i));
        }
        String padded = dict + " ".repeat(text - dict.length() - 1) + "\n";
        System.arraycopy(padded.getBytes(StandardCharsets.ISO_8859_1), 0, out, prefix, text);
        return out;
    }

    private static int roundUp(int n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    static String abbreviate(String s) {
        String oneLine = s.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }

    /** A Python tuple (a list is kept as a {@link List}, so the two stay distinguishable). */
    record Tuple(List<Object> items) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < items.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(items.get(i));
            }
            return sb.append(items.size() == 1 ? ",)" : ")").toString();
        }
    }

    /** Recursive descent over the Python literal grammar a header uses. */
    private static final class LiteralParser {
        private final String s;
        private final String source;
        private int pos;

        LiteralParser(String s, String source) {
            this.s = s;
            this.source = source;
        }

        Object parseAll() throws ModelFormatException {
            Object v = value(0);
            skipSpace();
            if (pos < s.length()) {
                throw error("unexpected text after the dict");
            }
            return v;
        }

        private Object value(int depth) throws ModelFormatException {
            if (depth > MAX_DEPTH) {
                throw error("literals nested more than " + MAX_DEPTH + " deep");
            }
            skipSpace();
            if (pos >= s.length()) {
                throw error("the header ends too early");
            }
            char c = s.charAt(pos);
            if (c == '{') {
                return dict(depth);
            }
            if (c == '(' || c == '[') {
                return sequence(depth, c);
            }
            if (c == '\'' || c == '"') {
                return string(c);
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                return integer();
            }
            for (String word : new String[] {"True", "False", "None"}) {
                if (s.startsWith(word, pos)) {
                    pos += word.length();
                    return word.equals("None") ? null : Boolean.valueOf(word.equals("True"));
                }
            }
            throw error("unexpected character '" + c + "'");
        }

        private Map<Object, Object> dict(int depth) throws ModelFormatException {
            Map<Object, Object> map = new LinkedHashMap<>();
            pos++;
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    return map;
                }
                Object key = value(depth + 1);
                skipSpace();
                expect(':');
                Object v = value(depth + 1);
                if (map.put(key, v) != null || map.size() > 64) {
                    throw error(map.size() > 64 ? "too many keys" : "key " + key + " appears twice");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
        }

        /** A tuple {@code (a, b)} / {@code (a,)} / {@code ()}, a list {@code [a, b]}, or a parenthesised value. */
        private Object sequence(int depth, char open) throws ModelFormatException {
            char close = open == '(' ? ')' : ']';
            List<Object> items = new ArrayList<>();
            boolean sawComma = false;
            pos++;
            while (true) {
                skipSpace();
                if (peek() == close) {
                    pos++;
                    break;
                }
                items.add(value(depth + 1));
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    sawComma = true;
                } else if (peek() != close) {
                    throw error("expected ',' or '" + close + "'");
                }
            }
            if (open == '[') {
                return items;
            }
            return items.size() == 1 && !sawComma ? items.get(0) : new Tuple(items);
        }

        private String string(char quote) throws ModelFormatException {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (pos < s.length() && s.charAt(pos) != quote) {
                char c = s.charAt(pos++);
                if (c == '\\' && pos < s.length()) {
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
            if (pos >= s.length()) {
                throw error("a string is not closed");
            }
            pos++;
            return sb.toString();
        }

        /** An integer of at most 18 digits, with Python 2's optional {@code L} suffix. */
        private Long integer() throws ModelFormatException {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            int digitsStart = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
                pos++;
            }
            int digits = pos - digitsStart;
            if (digits == 0) {
                throw error("expected a number");
            }
            if (digits > MAX_DIGITS) {
                throw error("the number " + abbreviate(s.substring(start, pos)) + " is too large");
            }
            long v = Long.parseLong(s.substring(start, pos));
            if (peek() == 'L' || peek() == 'l') {
                pos++;
            }
            return v;
        }

        private void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t'
                    || s.charAt(pos) == '\n' || s.charAt(pos) == '\r')) {
                pos++;
            }
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void expect(char c) throws ModelFormatException {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private ModelFormatException error(String what) {
            return new ModelFormatException(source + ": cannot parse the header (" + what + " at character " + pos
                    + "): " + abbreviate(s));
        }
    }
}
