package io.marketstream.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.TimeInForce;
import io.marketstream.protocol.event.BalanceChanged;
import io.marketstream.protocol.event.CancelReason;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderAccepted;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderReduced;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.OrderType;
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.marketdata.AccountMessage;

/** The publisher's own writing of private messages gives exactly the bytes of the one JSON mapping. */
class AccountPayloadTest {
    private static final String ODD = "q\"uote\\back/slash\n\t\u0001 é 漢 😀";

    private static List<EngineEvent> events() {
        return List.of(
                new OrderRested("BTC-USD", 7, "c7", 1_700_000_000_000L, 11, 3, Side.BUY, "100.00", "1.5000"),
                new OrderAccepted("BTC-USD", 8, "c8", 1, 12, 3, "client-1", OrderType.LIMIT, Side.SELL, "101.00",
                        "2.0000", null, TimeInForce.GTC, true),
                new OrderAccepted("BTC-USD", 9, null, 1, 13, 3, null, OrderType.MARKET, Side.BUY, null, null,
                        "250.00", TimeInForce.IOC, false),
                new OrderRejected("NOPE-USD", 0, "c10", 2, 3, ODD, RejectReason.UNKNOWN_MARKET, ODD),
                new OrderRejected(null, 0, "c11", 2, 3, null, RejectReason.UNKNOWN_MARKET, null),
                new OrderCancelled("ETH-USD", 10, "c12", 3, 14, 4, Side.SELL, "2000.00", "0.5000", true, CancelReason.USER),
                new OrderReduced("ETH-USD", 11, "c13", 4, 15, 4, Side.BUY, "1999.00", "0.2500", "0.7500"),
                new Trade("BTC-USD", 12, "c14", 5, 99, "100.00", "0.5000", "50.0000", Side.BUY, 11, 16, 3, 5,
                        "0.0010", "BTC", "0.0500", "USD"),
                new Trade("BTC-USD", 13, "c15", 5, 100, "100.00", "0.5000", null, Side.SELL, 11, 17, 3, 3,
                        null, null, null, null),
                new BalanceChanged("BTC-USD", 14, "c16", 6, 3, "USD", "1000.00", "50.00"));
    }

    @Test
    void shouldWriteExactlyWhatTheJsonMappingWrites() {
        for (EngineEvent event : events()) {
            for (String market : new String[] {event.market(), null, ODD}) {
                AccountMessage message = new AccountMessage(0, "orders.3", market, event.seq(), event);
                assertThat(new String(RedisMarketDataPublisher.accountPayload(message), StandardCharsets.UTF_8))
                        .isEqualTo(new String(Json.writeBytes(message), StandardCharsets.UTF_8));
            }
        }
        AccountMessage noEvent = new AccountMessage(0, "balances.42", "BTC-USD", 3, null);
        assertThat(RedisMarketDataPublisher.accountPayload(noEvent)).isEqualTo(Json.writeBytes(noEvent));
    }

    @Test
    void shouldLeaveTheSequenceToRedis() {
        assertThatThrownBy(() -> RedisMarketDataPublisher.accountPayload(new AccountMessage(5, "orders.3", "BTC-USD", 1,
                events().get(0)))).isInstanceOf(IllegalArgumentException.class);
    }
}
