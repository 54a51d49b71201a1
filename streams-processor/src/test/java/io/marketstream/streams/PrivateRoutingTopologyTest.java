package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.BalanceChanged;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.marketdata.AccountMessage;

/** Each account's order updates and balance changes go to its own channels, once. */
class PrivateRoutingTopologyTest {
    private final TopologyHarness harness = new TopologyHarness(MarketCatalog.defaults());

    @AfterEach
    void stop() {
        harness.close();
    }

    private static String routed(AccountMessage m) {
        return m.channel() + " " + m.market() + "#" + m.engineSeq() + " " + m.event().getClass().getSimpleName();
    }

    @Test
    void shouldRouteEveryEventToTheAccountsItConcerns() {
        harness.pipe(new OrderRested("BTC-USD", 1, "c1", 10, 1, 1, Side.SELL, "100.00", "2.0000"));
        Trade trade = new Trade("BTC-USD", 2, "c2", 11, 1, "100.00", "1.0000", "100.000000", Side.BUY, 1, 2, 1, 2,
                "0.020000", "USD", "0.0005", "BTC");
        harness.pipe(trade);
        harness.pipe(new Trade("BTC-USD", 3, "c3", 12, 2, "100.00", "0.5000", "50.000000", Side.BUY, 1, 3, 3, 3,
                "0", "USD", "0", "BTC"));
        harness.pipe(new BalanceChanged("BTC-USD", 4, "c2", 11, 2, "BTC", "0.9995", "0.0000"));
        harness.pipe(new OrderRejected("NOPE-USD", 0, "c5", 13, 9, "x", RejectReason.UNKNOWN_MARKET, "no such market"));
        harness.pipe(trade); // a replay

        assertThat(harness.accountMessages()).extracting(PrivateRoutingTopologyTest::routed).containsExactly(
                "orders.1 BTC-USD#1 OrderRested",
                "orders.1 BTC-USD#2 Trade",
                "orders.2 BTC-USD#2 Trade",
                "orders.3 BTC-USD#3 Trade",
                "balances.2 BTC-USD#4 BalanceChanged",
                "orders.9 NOPE-USD#0 OrderRejected");
        assertThat(harness.accountMessages().get(1).event()).isEqualTo(trade);
        assertThat(harness.accountMessages()).allSatisfy(m -> assertThat(m.seq()).as("Redis numbers them").isZero());
    }
}
