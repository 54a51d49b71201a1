package io.marketstream.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.event.CancelReason;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderAccepted;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.event.Trade;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MatchingEngineTest {
    private static final String BTC = "BTC-USD";
    private final MatchingEngine engine = new MatchingEngine(MarketCatalog.defaults());
    private final List<EngineEvent> log = new ArrayList<>();
    private int commands;

    @AfterEach
    void invariantsHold() {
        engine.validateInternalState();
    }

    private List<EngineEvent> send(OrderCommand command) {
        List<EngineEvent> events = engine.process(command, 1_000 + commands);
        log.addAll(events);
        engine.validateInternalState();
        return events;
    }

    private List<EngineEvent> limit(long account, Side side, String price, String qty) {
        return send(new PlaceLimitOrder("c" + ++commands, BTC, account, "o" + commands, side, price, qty, 0));
    }

    private static long orderId(List<EngineEvent> events) {
        return ((OrderAccepted) events.get(0)).orderId();
    }

    @Test
    void shouldRestANonCrossingLimitOrder() {
        List<EngineEvent> events = limit(1, Side.BUY, "100.00", "1.0000");
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(OrderAccepted.class);
        assertThat(events.get(1)).isEqualTo(new OrderRested(BTC, 2, "c1", 1_001, 1, 1, Side.BUY, "100.00", "1.0000"));
        assertThat(engine.levels(BTC, Side.BUY)).containsExactly(Map.entry(10000L, 10000L));
    }

    @Test
    void shouldFillPartiallyAcrossSeveralLevelsAtMakerPricesAndRestTheRest() {
        limit(1, Side.SELL, "101.00", "1.0000");
        limit(2, Side.SELL, "102.00", "1.0000");
        limit(3, Side.SELL, "103.00", "1.0000");
        List<EngineEvent> events = limit(9, Side.BUY, "102.50", "2.5000");
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("OrderAccepted", "Trade", "Trade", "OrderRested");
        Trade first = (Trade) events.get(1);
        Trade second = (Trade) events.get(2);
        assertThat(first.price()).isEqualTo("101.00");
        assertThat(second.price()).isEqualTo("102.00");
        assertThat(first.takerSide()).isEqualTo(Side.BUY);
        assertThat(second.tradeId()).isEqualTo(first.tradeId() + 1);
        assertThat(((OrderRested) events.get(3)).qty()).isEqualTo("0.5000");
        assertThat(engine.levels(BTC, Side.BUY)).containsExactly(Map.entry(10250L, 5000L));
        assertThat(engine.levels(BTC, Side.SELL)).containsExactly(Map.entry(10300L, 10000L));
    }

    @Test
    void shouldGiveTimePriorityWithinAPriceLevel() {
        long early = orderId(limit(1, Side.SELL, "100.00", "1.0000"));
        long late = orderId(limit(2, Side.SELL, "100.00", "1.0000"));
        List<EngineEvent> events = limit(3, Side.BUY, "100.00", "1.5000");
        assertThat(((Trade) events.get(1)).makerOrderId()).isEqualTo(early);
        assertThat(((Trade) events.get(1)).qty()).isEqualTo("1.0000");
        assertThat(((Trade) events.get(2)).makerOrderId()).isEqualTo(late);
        assertThat(((Trade) events.get(2)).qty()).isEqualTo("0.5000");
        assertThat(engine.levels(BTC, Side.SELL)).containsExactly(Map.entry(10000L, 5000L));
    }

    @Test
    void shouldCancelOnlyOwnRestingOrders() {
        long id = orderId(limit(1, Side.BUY, "99.00", "2.0000"));
        List<EngineEvent> notOwner = send(new CancelOrder("x", BTC, 2, id, 0));
        assertThat(((OrderRejected) notOwner.get(0)).reason()).isEqualTo(RejectReason.NOT_ORDER_OWNER);
        List<EngineEvent> cancelled = send(new CancelOrder("y", BTC, 1, id, 0));
        OrderCancelled c = (OrderCancelled) cancelled.get(0);
        assertThat(c.wasResting()).isTrue();
        assertThat(c.remainingQty()).isEqualTo("2.0000");
        assertThat(c.reason()).isEqualTo(CancelReason.USER);
        assertThat(engine.levels(BTC, Side.BUY)).isEmpty();
        List<EngineEvent> again = send(new CancelOrder("z", BTC, 1, id, 0));
        assertThat(((OrderRejected) again.get(0)).reason()).isEqualTo(RejectReason.UNKNOWN_ORDER);
    }

    @Test
    void shouldFillMarketOrderAndCancelWhatTheBookCannotFill() {
        limit(1, Side.BUY, "99.00", "1.0000");
        List<EngineEvent> events = send(new PlaceMarketOrder("m", BTC, 2, "m1", Side.SELL, "3.0000", 0));
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("OrderAccepted", "Trade", "OrderCancelled");
        OrderCancelled rest = (OrderCancelled) events.get(2);
        assertThat(rest.wasResting()).isFalse();
        assertThat(rest.remainingQty()).isEqualTo("2.0000");
        assertThat(rest.reason()).isEqualTo(CancelReason.NO_LIQUIDITY);
        assertThat(engine.levels(BTC, Side.BUY)).isEmpty();
    }

    @Test
    void shouldRejectBadInputWithItsOwnReason() {
        assertThat(reason(limit(1, Side.BUY, "abc", "1"))).isEqualTo(RejectReason.INVALID_PRICE);
        assertThat(reason(limit(1, Side.BUY, "0", "1"))).isEqualTo(RejectReason.INVALID_PRICE);
        assertThat(reason(limit(1, Side.BUY, "100.001", "1"))).isEqualTo(RejectReason.INVALID_PRICE);
        assertThat(reason(limit(1, Side.BUY, "100", "-1"))).isEqualTo(RejectReason.INVALID_QUANTITY);
        assertThat(reason(limit(1, Side.BUY, "100", "0"))).isEqualTo(RejectReason.INVALID_QUANTITY);
        assertThat(reason(limit(1, Side.BUY, "100", "1".repeat(60)))).isEqualTo(RejectReason.INVALID_QUANTITY);
        assertThat(reason(limit(1, null, "100", "1"))).isEqualTo(RejectReason.INVALID_COMMAND);
        List<EngineEvent> unknown = send(new PlaceLimitOrder("u", "DOGE-USD", 1, "u", Side.BUY, "1", "1", 0));
        assertThat(reason(unknown)).isEqualTo(RejectReason.UNKNOWN_MARKET);
        assertThat(unknown.get(0).seq()).isZero();
        assertThat(engine.levels(BTC, Side.BUY)).isEmpty();
    }

    @Test
    void shouldNumberEveryMarketsEventsWithoutGaps() {
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
            String price = (95 + random.nextInt(10)) + ".00";
            if (random.nextInt(5) == 0) {
                send(new CancelOrder("k" + i, BTC, 1 + random.nextInt(3), 1 + random.nextInt(i + 1), 0));
            } else {
                limit(1 + random.nextInt(3), side, price, (1 + random.nextInt(5)) + ".0000");
            }
        }
        long expected = 1;
        for (EngineEvent e : log) {
            assertThat(e.seq()).isEqualTo(expected++);
        }
        assertThat(engine.lastSeq(BTC)).isEqualTo(log.size());
    }

    @Test
    void replayingTheSameCommandsReproducesTheSameEvents() {
        Random random = new Random(7);
        List<OrderCommand> commandsSent = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            OrderCommand c = random.nextInt(4) == 0
                    ? new CancelOrder("k" + i, BTC, 1, 1 + random.nextInt(i + 1), 0)
                    : new PlaceLimitOrder("p" + i, BTC, 1 + random.nextInt(2), "o" + i,
                    random.nextBoolean() ? Side.BUY : Side.SELL, (90 + random.nextInt(20)) + ".00", "1.0000", 0);
            commandsSent.add(c);
        }
        List<EngineEvent> first = new ArrayList<>();
        List<EngineEvent> second = new ArrayList<>();
        MatchingEngine a = new MatchingEngine(MarketCatalog.defaults());
        MatchingEngine b = new MatchingEngine(MarketCatalog.defaults());
        for (int i = 0; i < commandsSent.size(); i++) {
            first.addAll(a.process(commandsSent.get(i), i));
            second.addAll(b.process(commandsSent.get(i), i));
        }
        assertThat(second).isEqualTo(first);
        b.reset(BTC);
        assertThat(b.levels(BTC, Side.BUY)).isEmpty();
        assertThat(b.lastSeq(BTC)).isZero();
    }

    private static RejectReason reason(List<EngineEvent> events) {
        assertThat(events).hasSize(1);
        return ((OrderRejected) events.get(0)).reason();
    }
}
