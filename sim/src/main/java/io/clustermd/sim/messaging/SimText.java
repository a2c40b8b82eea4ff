package io.clustermd.sim.messaging;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Deterministic text for DLM records. A record's own {@code toString} prints a {@code byte[]} (an LVB) as
 * its identity hash, which differs between runs of the same seed; the trace hash must not. A copy of the
 * dlm scenario's {@code DlmText}, which is package-private there.
 */
final class SimText {

    private static final HexFormat HEX = HexFormat.of();
    private static final Map<Class<?>, RecordComponent[]> COMPONENTS = new ConcurrentHashMap<>();
    private static final Map<Class<?>, Boolean> PLAIN = new ConcurrentHashMap<>();

    private SimText() {
    }

    /** A record as {@code Name[a=.., b=..]}, byte arrays in hex, recursively through records and lists. */
    static String describe(Object value) {
        StringBuilder sb = new StringBuilder();
        append(sb, value);
        return sb.toString();
    }

    static String hex(byte[] bytes) {
        return bytes == null ? "null" : HEX.formatHex(bytes);
    }

    private static void append(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof byte[] b) {
            sb.append(hex(b));
        } else if (value instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                append(sb, o);
            }
            sb.append(']');
        } else if (value instanceof Record r && !plainType(r.getClass())) {
            RecordComponent[] parts = COMPONENTS.computeIfAbsent(r.getClass(), Class::getRecordComponents);
            sb.append(r.getClass().getSimpleName()).append('[');
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(parts[i].getName()).append('=');
                append(sb, read(parts[i], r));
            }
            sb.append(']');
        } else {
            sb.append(value);
        }
    }

    /**
     * Whether a record's own {@code toString} is deterministic: no byte array in it, nor in a record or a list
     * of records within it.
     */
    private static boolean plain(Class<?> type) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (!plainType(c.getType())) {
                return false;
            }
            if (c.getGenericType() instanceof ParameterizedType p) {
                for (Type arg : p.getActualTypeArguments()) {
                    if (arg instanceof Class<?> k && !plainType(k)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static boolean plainType(Class<?> type) {
        if (type == byte[].class) {
            return false;
        }
        if (!type.isRecord()) {
            return true;
        }
        Boolean known = PLAIN.get(type);
        if (known == null) {
            known = plain(type); // not computeIfAbsent: plain() recurses into this map
            PLAIN.put(type, known);
        }
        return known;
    }

    private static Object read(RecordComponent part, Record r) {
        try {
            return part.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + part + " of " + r.getClass(), e);
        }
    }
}
