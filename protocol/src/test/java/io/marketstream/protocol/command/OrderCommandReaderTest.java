package io.marketstream.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.JsonDocuments;
import io.marketstream.protocol.SelfTradePrevention;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.TimeInForce;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * {@link OrderCommandReader} reads every document as databind does ({@code Json.read(bytes,
 * OrderCommand.class)}): the same command, or an {@link IllegalArgumentException} with the same
 * message. Checked for commands of every type as our writers write them (which must take the
 * reader's short way when their text is printable ASCII), and for documents built to leave that way in every manner: fields in any
 * order, unknown, repeated or missing, values of the wrong JSON type or out of range, enum names
 * that are no constant, malformed, truncated, with trailing garbage, JSON null, empty.
 */
class OrderCommandReaderTest {
    private static final Map<String, Kind> FIELDS = Map.ofEntries(
            Map.entry("commandId", Kind.STRING), Map.entry("market", Kind.STRING), Map.entry("account", Kind.LONG),
            Map.entry("ts", Kind.LONG), Map.entry("clientOrderId", Kind.STRING), Map.entry("side", Kind.SIDE),
            Map.entry("price", Kind.STRING), Map.entry("qty", Kind.STRING), Map.entry("tif", Kind.TIF),
            Map.entry("postOnly", Kind.BOOLEAN), Map.entry("stp", Kind.STP), Map.entry("quoteAmount", Kind.STRING),
            Map.entry("orderId", Kind.LONG), Map.entry("reduceBy", Kind.STRING), Map.entry("asset", Kind.STRING),
            Map.entry("amount", Kind.STRING),
            // not fields of any command
            Map.entry("type", Kind.STRING), Map.entry("timeInForce", Kind.TIF), Map.entry("pad", Kind.STRING),
            Map.entry("", Kind.LONG));
    private static final List<String> TYPES = List.of("limit", "market", "cancel", "cancel_all", "reduce",
            "deposit", "withdraw");

    private enum Kind { STRING, LONG, BOOLEAN, SIDE, TIF, STP }

    @Property(tries = 3_000)
    void readsWhatOurWritersWriteTheShortWayWhenItsTextIsPlainAscii(@ForAll("commands") OrderCommand command) {
        byte[] json = Json.writeBytes(command);
        assertThat(OrderCommandReader.read(json)).isEqualTo(command).isEqualTo(Json.read(json, OrderCommand.class));
        boolean plain = true;
        for (byte b : json) {
            plain &= b >= 0x20 && b < 0x7f && b != '\\';
        }
        Statistics.label("text").collect(plain ? "printable ASCII, no escapes" : "other");
        Statistics.label("text").coverage(c -> c.check("printable ASCII, no escapes").percentage(p -> p > 30));
        if (plain) {
            assertThat(OrderCommandReader.readPlain(json)).as(new String(json, StandardCharsets.UTF_8))
                    .isEqualTo(command);
        }
    }

    @Property(tries = 10_000)
    void readsAnyDocumentAsDatabindDoes(@ForAll("documents") String document) {
        byte[] json = document.getBytes(StandardCharsets.UTF_8);
        Object expected = outcome(() -> Json.read(json, OrderCommand.class));
        assertThat(outcome(() -> OrderCommandReader.read(json))).as(document).isEqualTo(expected);
        Statistics.label("outcome").collect(OrderCommandReader.readPlain(json) != null ? "short way"
                : expected instanceof String ? "refused by databind" : "read by databind");
        Statistics.label("outcome").coverage(c -> {
            c.check("short way").percentage(p -> p > 10);
            c.check("refused by databind").percentage(p -> p > 10);
            c.check("read by databind").count(n -> n > 0);
        });
    }

    @Test
    void shouldAnswerTheDeadLetterCasesAsDatabindDoes() {
        for (String document : List.of("", "null", " null ", "{not json", "[]", "42", "\"limit\"", "{}",
                "{\"type\":\"teleport\"}", "{\"type\":\"limit\",\"account\":7.9,\"price\":\"1\",\"qty\":\"1\",\"ts\":1}",
                "{\"type\":\"limit\",\"account\":7,\"price\":100.10,\"qty\":\"1\",\"ts\":1}",
                "{\"type\":\"limit\",\"account\":\"7\",\"price\":\"1\",\"qty\":\"1\",\"ts\":1}",
                "{\"type\":\"cancel\",\"commandId\":\"c\",\"market\":\"M\",\"account\":1,\"orderId\":3,\"ts\":4,\"account\":2}",
                "{\"type\":\"cancel\",\"commandId\":\"c\",\"market\":\"M\",\"account\":1,\"orderId\":3,\"ts\":4} trailing",
                "{\"type\":\"deposit\",\"pad\":\"" + "x".repeat(100_000) + "\"}",
                " {\"type\" : \"cancel\" ,\n\"commandId\":\"c\",\t\"market\":\"M\",\"account\":1,\"orderId\":3,\"ts\":4 }",
                "{\"type\":\"cancel\",\"commandId\":nullx,\"market\":\"M\",\"account\":1,\"orderId\":3,\"ts\":4}",
                "{\"type\":\"cancel\",\"commandId\":\"c\",\"market\":\"M\",\"account\":-,\"orderId\":3,\"ts\":4}",
                "{\"type\":\"cancel\",\"commandId\":\"c\",\"market\":\"M\",\"account\":01,\"orderId\":3,\"ts\":4}",
                "{\"type\":\"cancel\",\"commandId\":\"c\",\"market\":\"M\",\"account\":1.0,\"orderId\":3,\"ts\":4}",
                "{\"type\":\"cancel\",\"commandId\":\"c\",\"market\":\"M\",\"account\":1e2,\"orderId\":3,\"ts\":4}",
                "{\"type\":\"cancel\",\"commandId\":\"c\",\"market\":\"M\",\"account\":9223372036854775808,\"orderId\":3,\"ts\":4}",
                "{\"type\":\"cancel\",\"commandId\":\"c\",\"market\":\"M\",\"account\":-9223372036854775808,\"orderId\":3,\"ts\":4}",
                "{\"type\":\"cancel\",\"commandId\":\"c\",\"market\":\"M\",\"account\":1,\"orderId\":3,\"ts\":4,}",
                "{\"type\":\"limit\",\"commandId\":\"c\u00e9\",\"side\":\"BUY\",\"postOnly\":true,\"account\":1,\"ts\":4}",
                "{\"type\":\"limit\",\"commandId\":\"c\",\"side\":\"BUY\",\"postOnly\":truex,\"account\":1,\"ts\":4}")) {
            byte[] json = document.getBytes(StandardCharsets.UTF_8);
            assertThat(outcome(() -> OrderCommandReader.read(json))).as(document)
                    .isEqualTo(outcome(() -> Json.read(json, OrderCommand.class)));
        }
        assertThat(OrderCommandReader.read("null".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    /** The command as text, or why it was refused; anything but an IllegalArgumentException fails the test. */
    private static Object outcome(Supplier<OrderCommand> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage();
        }
    }

    // ------------------------------------------------------------------ commands as written

    @Provide
    Arbitrary<OrderCommand> commands() {
        return Arbitraries.oneOf(
                Combinators.combine(strings(), strings(), longs(), strings(), enums(Side.class), strings(), strings(),
                        enums(TimeInForce.class)).flatAs((id, market, account, clientId, side, price, qty, tif) ->
                        Combinators.combine(Arbitraries.of(true, false).injectNull(0.3), enums(SelfTradePrevention.class),
                                longs()).as((postOnly, stp, ts) -> new PlaceLimitOrder(id, market, account, clientId,
                                side, price, qty, tif, postOnly, stp, ts))),
                Combinators.combine(strings(), strings(), longs(), strings(), enums(Side.class), strings(), strings(),
                        enums(SelfTradePrevention.class)).flatAs((id, market, account, clientId, side, qty, quote, stp) ->
                        longs().map(ts -> new PlaceMarketOrder(id, market, account, clientId, side, qty, quote, stp, ts))),
                Combinators.combine(strings(), strings(), longs(), longs(), longs()).as(CancelOrder::new),
                Combinators.combine(strings(), strings(), longs(), longs()).as(CancelAllOrders::new),
                Combinators.combine(strings(), strings(), longs(), longs(), strings(), longs()).as(ReduceOrder::new),
                Combinators.combine(strings(), strings(), longs(), strings(), strings(), longs()).as(Deposit::new),
                Combinators.combine(strings(), strings(), longs(), strings(), strings(), longs()).as(Withdraw::new));
    }

    private static Arbitrary<String> strings() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().withChars("0123456789.-ABCDEFGHIJKLMNOPQRSTUVWXYZabc").ofMaxLength(20)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(30)),
                Tuple.of(1, Arbitraries.strings().withChars("\"\\/\n\t\u0000\u001f\u00e9\u20ac").ofMaxLength(10)),
                Tuple.of(1, Arbitraries.strings().withChars("ab").ofMinLength(5_000).ofMaxLength(70_000)))
                .injectNull(0.15);
    }

    private static Arbitrary<Long> longs() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-2, 1_000),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L));
    }

    private static <E extends Enum<E>> Arbitrary<E> enums(Class<E> type) {
        return Arbitraries.of(type).injectNull(0.2);
    }

    // ------------------------------------------------------------------ any document

    @Provide
    Arbitrary<String> documents() {
        Arbitrary<String> type = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(TYPES)),
                Tuple.of(1, Arbitraries.of("LIMIT", "cancelAll", "", "teleport", "limit ")));
        Arbitrary<String> field = Arbitraries.of(List.copyOf(FIELDS.keySet())).flatMap(name ->
                value(FIELDS.get(name)).map(value -> JsonDocuments.quote(name) + ":" + value));
        Arbitrary<String> object = JsonDocuments.objects(type, field, 14);
        Arbitrary<String> damaged = JsonDocuments.damaged(object);
        return Arbitraries.frequencyOf(Tuple.of(10, mutatedCommands()), Tuple.of(6, damaged),
                Tuple.of(1, Arbitraries.of("", "null", " null ", "[]", "[{\"type\":\"limit\"}]", "42", "\"limit\"",
                        "{}", "{\"type\":null}", "{\"type\":7}", "{\"type\":[\"limit\"]}", "{\"type\":\"limit\"")));
    }

    /** A command as written, then changed in up to three ways (none: it stays a command as written). */
    private Arbitrary<String> mutatedCommands() {
        return JsonDocuments.mutated(commands(), List.copyOf(FIELDS.keySet()), name -> value(FIELDS.get(name)));
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
            case TIF -> Arbitraries.of("\"GTC\"", "\"IOC\"", "\"FOK\"");
            case STP -> Arbitraries.of("\"CANCEL_NEWEST\"", "\"CANCEL_OLDEST\"", "\"CANCEL_BOTH\"");
        };
        return JsonDocuments.ownOrOther(own, "limit");
    }
}
