package io.marketstream.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of JSON documents for the tests that hold a plain reader ({@code OrderCommandReader},
 * {@code EngineEventReader}) to databind: documents as our writers write them, the same changed field by
 * field, objects of random fields, damaged text, and odd values for a field.
 */
public final class JsonDocuments {
    private JsonDocuments() {
    }

    /** Objects of random {@code fields}, with {@code "type"} (from {@code types}) first mostly, sometimes elsewhere or missing. */
    public static Arbitrary<String> objects(Arbitrary<String> types, Arbitrary<String> fields, int maxFields) {
        return Combinators.combine(types, fields.list().ofMaxSize(maxFields), Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, maxFields)).as((t, chosen, where, at) -> {
                    List<String> all = new ArrayList<>(chosen);
                    if (where < 8) {
                        all.add(0, "\"type\":" + quote(t));
                    } else if (where == 8) {
                        all.add(Math.min(at, all.size()), "\"type\":" + quote(t));
                    }
                    return "{" + String.join(",", all) + "}";
                });
    }

    /** A document cut short, with something after it, with whitespace before it, or with a comma gone (or as it is). */
    public static Arbitrary<String> damaged(Arbitrary<String> documents) {
        return Combinators.combine(documents, Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 400),
                Arbitraries.of(" xx", "}", " {}", ",", "\u0000", " null"))
                .as((doc, how, at, garbage) -> switch (how) {
                    case 0 -> doc.substring(0, Math.min(at, doc.length()));
                    case 1 -> doc + garbage;
                    case 2 -> " \n\t" + doc;
                    case 3 -> doc.replaceFirst(",", " ");
                    default -> doc;
                });
    }

    /**
     * A value as {@link Json} writes it, then changed in up to three ways (none: it stays as written): a field
     * removed, repeated, given another value, a field added (a name of {@code fieldNames} with a value of
     * {@code valueOf}), or two fields swapped.
     */
    public static Arbitrary<String> mutated(Arbitrary<?> written, List<String> fieldNames,
                                            Function<String, Arbitrary<String>> valueOf) {
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 20), Arbitraries.of(fieldNames).flatMap(name -> valueOf.apply(name)
                        .map(value -> Tuple.of(name, value)))).as((kind, at, field) ->
                new Mutation(kind, at, quote(field.get1()) + ":" + field.get2(), field.get2()));
        return Combinators.combine(written, mutation.list().ofMaxSize(3)).as((value, mutations) -> {
            List<String> fields = new ArrayList<>();
            try {
                Json.mapper().readTree(Json.write(value)).fields().forEachRemaining(e ->
                        fields.add(quote(e.getKey()) + ":" + e.getValue().toString()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            for (Mutation m : mutations) {
                int i = m.at() % fields.size();
                String field = fields.get(i);
                switch (m.kind()) {
                    case 0 -> fields.remove(i);
                    case 1 -> fields.add(m.at() % (fields.size() + 1), field);
                    case 2 -> fields.set(i, field.substring(0, field.indexOf("\":") + 2) + m.value());
                    case 3 -> fields.add(m.at() % (fields.size() + 1), m.field());
                    default -> {
                        fields.set(i, fields.get((i + 1) % fields.size()));
                        fields.set((i + 1) % fields.size(), field);
                    }
                }
                if (fields.isEmpty()) {
                    break;
                }
            }
            return "{" + String.join(",", fields) + "}";
        });
    }

    private record Mutation(int kind, int at, String field, String value) {
    }

    /**
     * Mostly a value of a field's own JSON type ({@code own}), sometimes {@code null} or anything: other types,
     * near misses of enum names, a type name ({@code typeName}, quoted), numbers out of range or not integers,
     * escapes, and what JSON does not allow.
     */
    public static Arbitrary<String> ownOrOther(Arbitrary<String> own, String typeName) {
        Arbitrary<String> other = Arbitraries.of("null", "true", "false", "\"\"", "\"7\"", "\"true\"", "\"buy\"",
                "\"BUY \"", quote(typeName), "7.9", "7.0", "1e3", "-1", "00", "9223372036854775808",
                "-9223372036854775809", "123456789012345678901234567890", "{}", "[]", "[1,\"a\"]", "{\"a\":{\"b\":[]}}",
                "\"\\u0041\\n\"", "NaN", "'x'", "0x10");
        return Arbitraries.frequencyOf(Tuple.of(6, own), Tuple.of(1, Arbitraries.just("null")), Tuple.of(2, other));
    }

    /** {@code s} as a JSON string. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
