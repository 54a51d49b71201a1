package io.marketstream.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.SelfTradePrevention;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.TimeInForce;
import io.marketstream.protocol.command.CancelAllOrders;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.command.ReduceOrder;
import io.marketstream.protocol.command.Withdraw;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.CancelReason;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.Trade;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.statistics.Statistics;

/**
 * Random command sequences through the engine and through {@link ReferenceExchange}, a simple model
 * of the same rules: the events must be the same, command for command, and the engine's invariants
 * must hold after every command. Each generated int encodes one command (so jqwik can shrink a
 * failing sequence to a short one).
 */
class MatchingEnginePropertyTest {
    private static final MarketSpec SPEC = MatchingEngineTest.SPEC;
    private static final SelfTradePrevention[] STP = {null, SelfTradePrevention.CANCEL_NEWEST,
            SelfTradePrevention.CANCEL_OLDEST, SelfTradePrevention.CANCEL_BOTH};
    private static final TimeInForce[] TIF = {null, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK};

    @Property(tries = 300)
    void engineAgreesWithTheReferenceModel(@ForAll("commands") List<Integer> codes) {
        MatchingEngine engine = new MatchingEngine(new MarketCatalog(List.of(SPEC)));
        ReferenceExchange reference = new ReferenceExchange(SPEC);
        long ts = 0;
        int trades = 0;
        int selfTrades = 0;
        for (int i = 0; i < codes.size(); i++) {
            OrderCommand command = decode(i, codes.get(i), SPEC.symbol(), 0);
            List<EngineEvent> actual = withoutMessages(engine.process(command, ++ts));
            List<EngineEvent> expected = withoutMessages(reference.process(command, ts));
            assertThat(actual).as("events of command %d: %s", i, command).isEqualTo(expected);
            engine.validateInternalState();
            trades += (int) actual.stream().filter(e -> e instanceof Trade).count();
            selfTrades += (int) actual.stream().filter(e -> e instanceof OrderCancelled c
                    && c.reason() == CancelReason.SELF_TRADE).count();
        }
        Statistics.label("with trades").collect(trades > 0);
        Statistics.label("with self-trade prevention").collect(selfTrades > 0);
        Statistics.label("with trades").coverage(c -> c.check(true).percentage(p -> p > 50));
        Statistics.label("with self-trade prevention").coverage(c -> c.check(true).percentage(p -> p > 10));
    }

    @Provide
    Arbitrary<List<Integer>> commands() {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE).withDistribution(RandomDistribution.uniform())
                .list().ofMinSize(1).ofMaxSize(300).withSizeDistribution(RandomDistribution.uniform());
    }

    /** One command from one int: the low digits choose the kind, the rest its fields. */
    static OrderCommand decode(int index, int code, String market, long ts) {
        String id = "c" + index;
        int kind = code % 100;
        int r = code / 100;
        long account = 1 + r % 4;
        r /= 4;
        Side side = r % 2 == 0 ? Side.BUY : Side.SELL;
        r /= 2;
        String price = (95 + r % 11) + ".00";
        r /= 11;
        String qty = "0." + String.format("%02d", 1 + r % 99) + "00";
        r /= 99;
        if (kind < 12) {
            return new Deposit(id, market, account, kind % 2 == 0 ? market.substring(0, market.indexOf('-')) : "USD", kind % 2 == 0 ? "3" : "400", ts);
        }
        if (kind < 14) {
            return new Withdraw(id, market, account, kind % 2 == 0 ? market.substring(0, market.indexOf('-')) : "USD",
                    "1", ts);
        }
        if (kind < 55) {
            return new PlaceLimitOrder(id, market, account, r % 5 == 0 ? "k" + r % 3 : null, side, price, qty,
                    TIF[r % 4], r % 9 == 0, STP[(r / 4) % 4], ts);
        }
        if (kind < 58) {
            String bad = new String[] {"100.50", "0", "-1.00", "1e3", "999999999.00"}[r % 5];
            return new PlaceLimitOrder(id, market, account, null, side, r % 2 == 0 ? bad : price,
                    r % 2 == 0 ? qty : bad.replace("100.50", "0.0050"), ts);
        }
        if (kind < 64) {
            return new PlaceMarketOrder(id, market, account, null, side, qty, null, STP[r % 4], ts);
        }
        if (kind < 68) {
            return new PlaceMarketOrder(id, market, account, null, side, null, (20 + r % 150) + ".000000",
                    STP[r % 4], ts);
        }
        if (kind < 88) {
            return new CancelOrder(id, market, account, 1 + r % (index + 1), ts);
        }
        if (kind < 91) {
            return new CancelAllOrders(id, market, account, ts);
        }
        return new ReduceOrder(id, market, account, 1 + r % (index + 1), "0." + String.format("%02d", 1 + r % 30)
                + "00", ts);
    }

    private static List<EngineEvent> withoutMessages(List<EngineEvent> events) {
        List<EngineEvent> out = new ArrayList<>(events.size());
        for (EngineEvent e : events) {
            out.add(e instanceof OrderRejected r ? new OrderRejected(r.market(), r.seq(), r.commandId(), r.ts(),
                    r.account(), r.clientOrderId(), r.reason(), "") : e);
        }
        return out;
    }
}
