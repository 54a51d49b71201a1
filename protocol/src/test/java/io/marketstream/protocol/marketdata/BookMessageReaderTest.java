package io.marketstream.protocol.marketdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;

import io.marketstream.protocol.Json;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link BookMessageReader} reads every document as databind does: the same message, or an
 * {@link IllegalArgumentException} with the same reason. Checked on messages as our writers write them and on
 * documents built to leave the short way in every manner.
 */
class BookMessageReaderTest {

    @Property(tries = 2_000)
    void readsWhatOurWritersWrite(@ForAll("messages") BookMessage message) {
        String json = Json.write(message);

        assertThat(BookMessageReader.read(json)).isEqualTo(message).isEqualTo(Json.read(json, BookMessage.class));
    }

    @Property(tries = 3_000)
    void agreesWithDatabindOnDamagedDocuments(@ForAll("messages") BookMessage message,
                                              @ForAll("damage") Damage damage) {
        assertSameAsDatabind(damage.apply(Json.write(message)));
    }

    @Test
    void agreesWithDatabindOnOddShapes() {
        for (String json : List.of(
                "{\"ch\":\"book.X\",\"type\":\"delta\",\"U\":1,\"u\":2,\"bids\":[],\"asks\":[],\"cs\":3,\"ts\":4}",
                // fields in another order, an unknown one (ignored) with nested content, an escape
                "{\"ts\":4,\"x\":{\"a\":[1,{\"b\":2}]},\"cs\":3,\"asks\":[[\"1\",\"2\"]],\"bids\":[],\"u\":2,\"U\":1,"
                        + "\"type\":\"snap\\u0073hot\",\"ch\":\"book.X\",\"resync\":\"slow_consumer\"}",
                // missing fields: databind fills in defaults
                "{\"ch\":\"book.X\"}",
                "{}",
                // repeated field: databind keeps the last
                "{\"ch\":\"a\",\"ch\":\"b\",\"type\":\"delta\",\"U\":1,\"u\":2,\"bids\":[],\"asks\":[],\"cs\":3,\"ts\":4}",
                // wrong types and ranges
                "{\"ch\":1,\"type\":\"delta\",\"U\":1,\"u\":2,\"bids\":[],\"asks\":[],\"cs\":3,\"ts\":4}",
                "{\"ch\":\"a\",\"type\":\"delta\",\"U\":\"1\",\"u\":2,\"bids\":[],\"asks\":[],\"cs\":3,\"ts\":4}",
                "{\"ch\":\"a\",\"type\":\"delta\",\"U\":1.5,\"u\":2,\"bids\":[],\"asks\":[],\"cs\":3,\"ts\":4}",
                "{\"ch\":\"a\",\"type\":\"delta\",\"U\":99999999999999999999,\"u\":2,\"bids\":[],\"asks\":[],\"cs\":3,\"ts\":4}",
                "{\"ch\":\"a\",\"type\":\"delta\",\"U\":null,\"u\":2,\"bids\":[],\"asks\":[],\"cs\":3,\"ts\":4}",
                "{\"ch\":\"a\",\"type\":\"delta\",\"U\":1,\"u\":2,\"bids\":null,\"asks\":[],\"cs\":3,\"ts\":4}",
                "{\"ch\":\"a\",\"type\":\"delta\",\"U\":1,\"u\":2,\"bids\":[[\"1\"]],\"asks\":[],\"cs\":3,\"ts\":4}",
                "{\"ch\":\"a\",\"type\":\"delta\",\"U\":1,\"u\":2,\"bids\":[[\"1\",\"2\",\"3\"]],\"asks\":[],\"cs\":3,\"ts\":4}",
                "{\"ch\":\"a\",\"type\":\"delta\",\"U\":1,\"u\":2,\"bids\":[[1,\"2\"]],\"asks\":[],\"cs\":3,\"ts\":4}",
                "{\"ch\":\"a\",\"type\":\"delta\",\"U\":1,\"u\":2,\"bids\":[{\"price\":\"1\",\"qty\":\"2\"}],\"asks\":[],\"cs\":3,\"ts\":4}",
                // not an object, malformed, trailing content
                "null", "[]", "", "{", "{\"ch\":", "{\"ch\":\"a\"} {}", "{\"ch\":\"a\",}")) {
            assertSameAsDatabind(json);
        }
    }

    private static void assertSameAsDatabind(String json) {
        Object expected;
        try {
            expected = Json.read(json, BookMessage.class);
        } catch (IllegalArgumentException e) {
            expected = e.getMessage();
        } catch (RuntimeException e) {
            expected = e.getClass();
        }
        Object actual;
        try {
            actual = BookMessageReader.read(json);
        } catch (IllegalArgumentException e) {
            actual = e.getMessage();
        } catch (RuntimeException e) {
            actual = e.getClass();
        }
        assertThat(actual).as(json).isEqualTo(expected);
    }

    @Provide
    Arbitrary<BookMessage> messages() {
        Arbitrary<String> text = Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().withChars(".-_").ofMaxLength(12),
                Arbitraries.strings().ofMaxLength(6));
        Arbitrary<PriceLevel> level = Combinators.combine(text, text).as(PriceLevel::new);
        Arbitrary<List<PriceLevel>> levels = level.list().ofMaxSize(6);
        Arbitrary<Long> number = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(0, 1_000));
        return Combinators.combine(text, Arbitraries.of(BookMessage.SNAPSHOT, BookMessage.DELTA), number, number,
                        levels, levels, number, number)
                .as((ch, type, first, last, bids, asks, cs, ts) -> new BookMessage(ch, type, first, last, bids, asks,
                        cs, ts))
                .flatMap(m -> Arbitraries.of(null, BookMessage.RESYNC_SLOW_CONSUMER, BookMessage.RESYNC_UPSTREAM_GAP)
                        .map(resync -> new BookMessage(m.channel(), m.type(), m.firstSeq(), m.lastSeq(), m.bids(),
                                m.asks(), m.checksum(), m.ts(), resync)));
    }

    /** A change to a written document: cut short, a character replaced or inserted. */
    record Damage(int where, int how, char what) {
        String apply(String json) {
            int at = Math.floorMod(where, json.length() + 1);
            return switch (how) {
                case 0 -> json.substring(0, at);
                case 1 -> at < json.length() ? json.substring(0, at) + what + json.substring(at + 1) : json + what;
                default -> json.substring(0, at) + what + json.substring(at);
            };
        }
    }

    @Provide
    Arbitrary<Damage> damage() {
        return Combinators.combine(Arbitraries.integers().between(0, 400), Arbitraries.integers().between(0, 2),
                Arbitraries.of('"', ',', ':', '[', ']', '{', '}', '1', '.', '-', 'n', ' ', '\\'))
                .as(Damage::new);
    }
}
