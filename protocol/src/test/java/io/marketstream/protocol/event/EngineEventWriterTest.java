package io.marketstream.protocol.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.marketstream.protocol.Json;
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
 * {@link EngineEventWriter} writes exactly what databind ({@link Json#writeBytes}) writes: for
 * generated events of every type, with every component absent or present, strings that need
 * escaping (unpaired surrogates too), strings longer than the generator's buffer, extreme numbers,
 * and one writer reused across many events.
 */
class EngineEventWriterTest {

    @Property(tries = 2_000)
    void writesTheSameBytesAsDatabind(@ForAll("eventLists") List<EngineEvent> events) {
        EngineEventWriter writer = new EngineEventWriter();
        for (EngineEvent event : events) {
            Statistics.label("type").collect(event.getClass().getSimpleName());
            byte[] databind = Json.writeBytes(event);
            // which of the writer's two ways the event takes: straight bytes, or the escaping generator
            Statistics.label("strings").collect(plain(databind) ? "plain" : "escaped");
            assertThat(new String(writer.write(event), StandardCharsets.UTF_8)).as("%s", event)
                    .isEqualTo(new String(databind, StandardCharsets.UTF_8));
        }
        Statistics.label("strings").coverage(c -> {
            c.check("plain").percentage(p -> p > 10);
            c.check("escaped").percentage(p -> p > 10);
        });
        Statistics.label("type").coverage(c -> {
            for (Class<?> type : EngineEvent.class.getPermittedSubclasses()) {
                c.check(type.getSimpleName()).count(n -> n > 0);
            }
        });
    }

    /** Printable ASCII without escapes: every string in it was written as its own characters. */
    private static boolean plain(byte[] json) {
        for (byte b : json) {
            if (b < 0x20 || b > 0x7e || b == '\\') {
                return false;
            }
        }
        return true;
    }

    @Test
    void shouldWriteTheDocumentedExamples() {
        EngineEventWriter writer = new EngineEventWriter();
        assertThat(new String(writer.write(new OrderRested("BTC-USD", 4, "cmd-1", 1700000000002L, 1, 7, Side.SELL,
                "50000.00", "0.5000")), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"rested\",\"market\":\"BTC-USD\","
                + "\"seq\":4,\"commandId\":\"cmd-1\",\"ts\":1700000000002,\"orderId\":1,\"account\":7,\"side\":\"SELL\","
                + "\"price\":\"50000.00\",\"qty\":\"0.5000\"}");
        assertThat(new String(writer.write(new OrderAccepted("BTC-USD", 6, "cmd-2", 1700000000003L, 2, 8, "bid-1",
                OrderType.LIMIT, Side.BUY, "50010.00", "0.2000", null, TimeInForce.IOC, false)), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"accepted\",\"market\":\"BTC-USD\",\"seq\":6,\"commandId\":\"cmd-2\","
                        + "\"ts\":1700000000003,\"orderId\":2,\"account\":8,\"clientOrderId\":\"bid-1\",\"orderType\":\"LIMIT\","
                        + "\"side\":\"BUY\",\"price\":\"50010.00\",\"qty\":\"0.2000\",\"tif\":\"IOC\",\"postOnly\":false}");
    }

    @Provide
    Arbitrary<List<EngineEvent>> eventLists() {
        return events().list().ofMinSize(1).ofMaxSize(8);
    }

    Arbitrary<EngineEvent> events() {
        return Arbitraries.oneOf(accepted(), rejected(), rested(), cancelled(), trades(), reduced(), balances());
    }

    /** The components every event starts with. */
    private record Head(String market, long seq, String commandId, long ts) {
    }

    private static Arbitrary<Head> heads() {
        return Combinators.combine(strings(), longs(), strings(), longs()).as(Head::new);
    }

    private static Arbitrary<String> strings() {
        return Arbitraries.frequencyOf(
                // decimals and symbols, what the engine writes
                Tuple.of(4, Arbitraries.strings().withChars("0123456789.-ABCDEFGHIJKLMNOPQRSTUVWXYZ").ofMaxLength(20)),
                Tuple.of(2, Arbitraries.strings().ascii().ofMaxLength(40)),
                // anything, escapes, control characters and unpaired surrogates included
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(40)),
                Tuple.of(1, Arbitraries.strings().withChars("\"\\/\n\r\t\b\f\u0000\u001f\u007f\u2028\u00e9\u20ac")
                        .ofMaxLength(30)),
                // longer than the generator's own 8,000-byte buffer
                Tuple.of(1, Arbitraries.strings().withChars("ab\"\u00e9\u20ac").ofMinLength(3_000).ofMaxLength(12_000)))
                .injectNull(0.2);
    }

    private static Arbitrary<Long> longs() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-2, 1_000),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L));
    }

    private static <E extends Enum<E>> Arbitrary<E> enums(Class<E> type) {
        return Arbitraries.of(type).injectNull(0.2);
    }

    private static Arbitrary<EngineEvent> accepted() {
        return Combinators.combine(heads(), longs(), longs(), strings(), enums(OrderType.class), enums(Side.class),
                strings(), strings()).flatAs((h, orderId, account, clientOrderId, orderType, side, price, qty) ->
                Combinators.combine(strings(), enums(TimeInForce.class), Arbitraries.of(true, false)).as(
                        (quoteAmount, tif, postOnly) -> new OrderAccepted(h.market(), h.seq(), h.commandId(), h.ts(),
                                orderId, account, clientOrderId, orderType, side, price, qty, quoteAmount, tif, postOnly)));
    }

    private static Arbitrary<EngineEvent> rejected() {
        return Combinators.combine(heads(), longs(), strings(), enums(RejectReason.class), strings()).as(
                (h, account, clientOrderId, reason, message) -> new OrderRejected(h.market(), h.seq(), h.commandId(),
                        h.ts(), account, clientOrderId, reason, message));
    }

    private static Arbitrary<EngineEvent> rested() {
        return Combinators.combine(heads(), longs(), longs(), enums(Side.class), strings(), strings()).as(
                (h, orderId, account, side, price, qty) -> new OrderRested(h.market(), h.seq(), h.commandId(), h.ts(),
                        orderId, account, side, price, qty));
    }

    private static Arbitrary<EngineEvent> cancelled() {
        return Combinators.combine(heads(), longs(), longs(), enums(Side.class), strings(), strings(),
                Arbitraries.of(true, false), enums(CancelReason.class)).as(
                (h, orderId, account, side, price, remaining, wasResting, reason) -> new OrderCancelled(h.market(),
                        h.seq(), h.commandId(), h.ts(), orderId, account, side, price, remaining, wasResting, reason));
    }

    private static Arbitrary<EngineEvent> trades() {
        return Combinators.combine(heads(), longs(), strings(), strings(), strings(), enums(Side.class), longs(),
                longs()).flatAs((h, tradeId, price, qty, quoteQty, takerSide, makerOrderId, takerOrderId) ->
                Combinators.combine(longs(), longs(), strings(), strings(), strings(), strings()).as(
                        (makerAccount, takerAccount, makerFee, makerFeeAsset, takerFee, takerFeeAsset) -> new Trade(
                                h.market(), h.seq(), h.commandId(), h.ts(), tradeId, price, qty, quoteQty, takerSide,
                                makerOrderId, takerOrderId, makerAccount, takerAccount, makerFee, makerFeeAsset,
                                takerFee, takerFeeAsset)));
    }

    private static Arbitrary<EngineEvent> reduced() {
        return Combinators.combine(heads(), longs(), longs(), enums(Side.class), strings(), strings(), strings()).as(
                (h, orderId, account, side, price, reducedBy, remaining) -> new OrderReduced(h.market(), h.seq(),
                        h.commandId(), h.ts(), orderId, account, side, price, reducedBy, remaining));
    }

    private static Arbitrary<EngineEvent> balances() {
        Arbitrary<EngineEvent> text = Combinators.combine(heads(), longs(), strings(), strings(), strings()).as(
                (h, account, asset, available, locked) -> new BalanceChanged(h.market(), h.seq(), h.commandId(), h.ts(),
                        account, asset, available, locked));
        // as the engine builds them: scaled longs, formatted when read or written
        Arbitrary<EngineEvent> scaled = Combinators.combine(heads(), longs(), strings(), scaledUnits(), scaledUnits(),
                scales()).as((h, account, asset, available, locked, scale) -> BalanceChanged.scaled(h.market(),
                        h.seq(), h.commandId(), h.ts(), account, asset, available, locked, scale));
        return Arbitraries.oneOf(text, scaled);
    }

    /** Any long that has a text ({@link Long#MIN_VALUE} has none), small ones and the edges often. */
    static Arbitrary<Long> scaledUnits() {
        return Arbitraries.oneOf(Arbitraries.longs().greaterOrEqual(Long.MIN_VALUE + 1),
                Arbitraries.longs().between(-1_000, 100_000), Arbitraries.of(Long.MIN_VALUE + 1, Long.MAX_VALUE, 0L));
    }

    static Arbitrary<Integer> scales() {
        return Arbitraries.integers().between(0, 18);
    }
}
