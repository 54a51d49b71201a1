package io.marketstream.protocol.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.JsonDocuments;

/**
 * {@link EngineEventReader} reads every document as databind does ({@code Json.read(bytes,
 * EngineEvent.class)}): the same event, or an {@link IllegalArgumentException} with the same message.
 * Checked for events of every type as {@link EngineEventWriter} writes them (which must take the
 * reader's short way when their text is printable ASCII), and for documents built to leave that way
 * in every manner: fields in any order, unknown, repeated or missing, values of the wrong JSON type or
 * out of range, enum names that are no constant, malformed, truncated, with trailing garbage, JSON
 * null, empty.
 */
class EngineEventReaderTest {
    private static final Map<String, Kind> FIELDS = Map.ofEntries(
            Map.entry("market", Kind.STRING), Map.entry("seq", Kind.LONG), Map.entry("commandId", Kind.STRING),
            Map.entry("ts", Kind.LONG), Map.entry("orderId", Kind.LONG), Map.entry("account", Kind.LONG),
            Map.entry("clientOrderId", Kind.STRING), Map.entry("orderType", Kind.ORDER_TYPE),
            Map.entry("side", Kind.SIDE), Map.entry("price", Kind.STRING), Map.entry("qty", Kind.STRING),
            Map.entry("quoteAmount", Kind.STRING), Map.entry("tif", Kind.TIF), Map.entry("postOnly", Kind.BOOLEAN),
            Map.entry("reason", Kind.REASON), Map.entry("message", Kind.STRING),
            Map.entry("remainingQty", Kind.STRING), Map.entry("wasResting", Kind.BOOLEAN),
            Map.entry("reducedBy", Kind.STRING), Map.entry("tradeId", Kind.LONG), Map.entry("quoteQty", Kind.STRING),
            Map.entry("takerSide", Kind.SIDE), Map.entry("makerOrderId", Kind.LONG),
            Map.entry("takerOrderId", Kind.LONG), Map.entry("makerAccount", Kind.LONG),
            Map.entry("takerAccount", Kind.LONG), Map.entry("makerFee", Kind.STRING),
            Map.entry("makerFeeAsset", Kind.STRING), Map.entry("takerFee", Kind.STRING),
            Map.entry("takerFeeAsset", Kind.STRING), Map.entry("asset", Kind.STRING),
            Map.entry("available", Kind.STRING), Map.entry("locked", Kind.STRING),
            // not fields of any event
            Map.entry("type", Kind.STRING), Map.entry("accounts", Kind.LONG), Map.entry("pad", Kind.STRING),
            Map.entry("", Kind.LONG));
    private static final List<String> TYPES = List.of("accepted", "rejected", "rested", "cancelled", "trade",
            "reduced", "balance");

    private enum Kind { STRING, LONG, BOOLEAN, SIDE, ORDER_TYPE, TIF, REASON }

    /** The generators of every event type, from the writer's test. */
    private final EngineEventWriterTest events = new EngineEventWriterTest();

    @Property(tries = 3_000)
    void readsWhatTheWriterWritesTheShortWayWhenItsTextIsPlainAscii(@ForAll("events") EngineEvent event) {
        byte[] json = new EngineEventWriter().write(event);
        assertThat(EngineEventReader.read(json)).isEqualTo(event).isEqualTo(Json.read(json, EngineEvent.class));
        boolean plain = true;
        for (byte b : json) {
            plain &= b >= 0x20 && b < 0x7f && b != '\\';
        }
        Statistics.label("text").collect(plain ? "printable ASCII, no escapes" : "other");
        Statistics.label("text").coverage(c -> c.check("printable ASCII, no escapes").percentage(p -> p > 10));
        if (plain) {
            assertThat(EngineEventReader.readPlain(json)).as(new String(json, StandardCharsets.UTF_8)).isEqualTo(event);
        }
    }

    @Property(tries = 10_000)
    void readsAnyDocumentAsDatabindDoes(@ForAll("documents") String document) {
        byte[] json = document.getBytes(StandardCharsets.UTF_8);
        Object expected = outcome(() -> Json.read(json, EngineEvent.class));
        assertThat(outcome(() -> EngineEventReader.read(json))).as(document).isEqualTo(expected);
        Statistics.label("outcome").collect(EngineEventReader.readPlain(json) != null ? "short way"
                : expected instanceof String ? "refused by databind" : "read by databind");
        Statistics.label("outcome").coverage(c -> {
            c.check("short way").percentage(p -> p > 10);
            c.check("refused by databind").percentage(p -> p > 10);
            c.check("read by databind").count(n -> n > 0);
        });
    }

    @Test
    void shouldAnswerTheDeadLetterCasesAsDatabindDoes() {
        String rested = "{\"type\":\"rested\",\"market\":\"BTC-USD\",\"seq\":7,\"commandId\":\"c\",\"ts\":1,"
                + "\"orderId\":3,\"account\":4,\"side\":\"BUY\",\"price\":\"1.00\",\"qty\":\"2\"}";
        for (String document : List.of("", "null", " null ", "{not json", "[]", "42", "\"rested\"", "{}",
                "{\"type\":\"teleport\"}", rested, " \n" + rested + " ", rested + " trailing",
                rested.replace("\"seq\":7", "\"seq\":7.5"), rested.replace("\"seq\":7", "\"seq\":\"7\""),
                rested.replace("\"seq\":7", "\"seq\":null"), rested.replace("\"seq\":7,", ""),
                rested.replace("\"seq\":7", "\"seq\":07"), rested.replace("\"seq\":7", "\"seq\":-"),
                rested.replace("\"seq\":7", "\"seq\":9223372036854775808"),
                rested.replace("\"seq\":7", "\"seq\":-9223372036854775808"),
                rested.replace("\"price\":\"1.00\"", "\"price\":1.00"),
                rested.replace("\"price\":\"1.00\"", "\"price\":null"),
                rested.replace("\"price\":\"1.00\"", "\"price\":nullx"),
                rested.replace("\"side\":\"BUY\"", "\"side\":\"buy\""),
                rested.replace("\"side\":\"BUY\"", "\"side\":\"BUY\",\"side\":\"SELL\""),
                rested.replace("\"commandId\":\"c\"", "\"commandId\":\"c\u00e9\""),
                rested.replace("\"commandId\":\"c\"", "\"commandId\":\"c\\n\""),
                rested.replace("\"qty\":\"2\"}", "\"qty\":\"2\",}"),
                rested.replace("\"type\":\"rested\",", "") ,
                rested.replace("{\"type\":\"rested\",", "{").replace("}", ",\"type\":\"rested\"}"),
                "{\"type\":\"cancelled\",\"market\":\"M\",\"seq\":1,\"commandId\":\"c\",\"ts\":1,\"orderId\":1,"
                        + "\"account\":1,\"wasResting\":truex,\"reason\":\"USER\"}",
                "{\"type\":\"cancelled\",\"market\":\"M\",\"seq\":1,\"commandId\":\"c\",\"ts\":1,\"orderId\":1,"
                        + "\"account\":1,\"reason\":\"USER\"}",
                "{\"type\":\"cancelled\",\"market\":\"M\",\"seq\":1,\"commandId\":\"c\",\"ts\":1,\"orderId\":1,"
                        + "\"account\":1,\"wasResting\":false,\"reason\":\"UNKNOWN_MARKET\"}",
                "{\"type\":\"rejected\",\"market\":\"M\",\"seq\":0,\"commandId\":\"c\",\"ts\":1,\"account\":1,"
                        + "\"reason\":\"UNKNOWN_MARKET\",\"message\":\"no such market\"}",
                "{\"type\":\"balance\",\"pad\":\"" + "x".repeat(100_000) + "\"}")) {
            byte[] json = document.getBytes(StandardCharsets.UTF_8);
            assertThat(outcome(() -> EngineEventReader.read(json))).as(document)
                    .isEqualTo(outcome(() -> Json.read(json, EngineEvent.class)));
        }
        assertThat(EngineEventReader.read("null".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(EngineEventReader.readPlain(rested.getBytes(StandardCharsets.UTF_8))).isNotNull();
    }

    /** The event as a value, or why it was refused; anything but an IllegalArgumentException fails the test. */
    private static Object outcome(Supplier<EngineEvent> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage();
        }
    }

    @Provide
    Arbitrary<EngineEvent> events() {
        return events.events();
    }

    // ------------------------------------------------------------------ any document

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> type = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(TYPES)),
                Tuple.of(1, Arbitraries.of("REST", "Trade", "", "teleport", "trade ")));
        Arbitrary<String> field = Arbitraries.of(List.copyOf(FIELDS.keySet())).flatMap(name ->
                value(FIELDS.get(name)).map(value -> JsonDocuments.quote(name) + ":" + value));
        Arbitrary<String> object = JsonDocuments.objects(type, field, 16);
        Arbitrary<String> damaged = JsonDocuments.damaged(Arbitraries.oneOf(object, mutatedEvents()));
        return Arbitraries.frequencyOf(Tuple.of(10, mutatedEvents()), Tuple.of(6, damaged), Tuple.of(2, object),
                Tuple.of(1, Arbitraries.of("", "null", " null ", "[]", "[{\"type\":\"rested\"}]", "42", "\"rested\"",
                        "{}", "{\"type\":null}", "{\"type\":7}", "{\"type\":[\"trade\"]}", "{\"type\":\"trade\"")));
    }

    /** An event as written, then changed in up to three ways (none: it stays an event as written). */
    private Arbitrary<String> mutatedEvents() {
        return JsonDocuments.mutated(events(), List.copyOf(FIELDS.keySet()), name -> value(FIELDS.get(name)));
    }

    /** Mostly a value of the field's own JSON type, sometimes anything. */
    private static Arbitrary<String> value(Kind kind) {
        Arbitrary<String> own = switch (kind) {
            case STRING -> Arbitraries.oneOf(Arbitraries.strings().withChars("0123456789.-ABCUSD").ofMaxLength(12),
                    Arbitraries.strings().all().ofMaxLength(12)).map(JsonDocuments::quote);
            case LONG -> Arbitraries.oneOf(Arbitraries.longs().map(String::valueOf),
                    Arbitraries.of("0", "-0", "7", "9223372036854775807", "-9223372036854775808"));
            case BOOLEAN -> Arbitraries.of("true", "false");
            case SIDE -> Arbitraries.of("\"BUY\"", "\"SELL\"");
            case ORDER_TYPE -> Arbitraries.of("\"LIMIT\"", "\"MARKET\"");
            case TIF -> Arbitraries.of("\"GTC\"", "\"IOC\"", "\"FOK\"");
            case REASON -> Arbitraries.of("\"USER\"", "\"SELF_TRADE\"", "\"UNKNOWN_MARKET\"", "\"INSUFFICIENT_FUNDS\"");
        };
        return JsonDocuments.ownOrOther(own, "rested");
    }
}
