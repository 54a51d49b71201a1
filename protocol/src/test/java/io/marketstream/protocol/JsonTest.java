package io.marketstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.marketstream.protocol.command.CancelAllOrders;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.command.ReduceOrder;
import io.marketstream.protocol.command.Withdraw;
import io.marketstream.protocol.event.BalanceChanged;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void shouldRoundTripCommandsWithTheirTypeName() {
        OrderCommand limit = new PlaceLimitOrder("c1", "BTC-USD", 7, "my-1", Side.BUY, "100.50", "0.2500", 1_000L);
        String json = Json.write(limit);
        assertThat(json).contains("\"type\":\"limit\"").contains("\"price\":\"100.50\"");
        assertThat(Json.read(json, OrderCommand.class)).isEqualTo(limit);

        OrderCommand cancel = new CancelOrder("c2", "BTC-USD", 7, 12, 2_000L);
        assertThat(Json.read(Json.write(cancel), OrderCommand.class)).isEqualTo(cancel);

        OrderCommand fok = new PlaceLimitOrder("c4", "BTC-USD", 7, "my-2", Side.SELL, "1.00", "1.0000",
                TimeInForce.FOK, true, SelfTradePrevention.CANCEL_OLDEST, 3L);
        String fokJson = Json.write(fok);
        assertThat(fokJson).contains("\"tif\":\"FOK\"").contains("\"postOnly\":true")
                .doesNotContain("timeInForce");
        assertThat(Json.read(fokJson, OrderCommand.class)).isEqualTo(fok);
        for (OrderCommand other : List.of(
                new PlaceMarketOrder("c5", "BTC-USD", 7, "m", Side.BUY, null, "100.000000", null, 4L),
                new CancelAllOrders("c6", "BTC-USD", 7, 5L),
                new ReduceOrder("c7", "BTC-USD", 7, 3, "0.5000", 6L),
                new Deposit("c8", "BTC-USD", 7, "USD", "10.00", 7L),
                new Withdraw("c9", "BTC-USD", 7, "BTC", "1", 8L))) {
            assertThat(Json.read(Json.write(other), OrderCommand.class)).isEqualTo(other);
        }
    }

    @Test
    void shouldReadAPlainLimitOrderAsGoodTillCancelled() {
        OrderCommand read = Json.read("{\"type\":\"limit\",\"commandId\":\"c\",\"market\":\"BTC-USD\","
                + "\"account\":1,\"side\":\"BUY\",\"price\":\"1.00\",\"qty\":\"1\",\"ts\":1}", OrderCommand.class);
        assertThat(((PlaceLimitOrder) read).timeInForce()).isEqualTo(TimeInForce.GTC);
        assertThat(((PlaceLimitOrder) read).isPostOnly()).isFalse();
    }

    @Test
    void shouldRoundTripEvents() {
        EngineEvent trade = new Trade("BTC-USD", 9, "c3", 5L, 1, "100.00", "1.0000", "100.000000", Side.SELL, 4,
                5, 70, 71, "0.0002", "BTC", "0.050000", "USD");
        String json = Json.write(trade);
        assertThat(json).doesNotContain("accounts");
        assertThat(Json.read(json, EngineEvent.class)).isEqualTo(trade);
        assertThat(trade.accounts()).containsExactly(70, 71);
        EngineEvent balance = new BalanceChanged("BTC-USD", 10, "c3", 5L, 70, "USD", "1.000000", "0.000000");
        assertThat(Json.read(Json.write(balance), EngineEvent.class)).isEqualTo(balance);
    }

    @Test
    void shouldWriteBookMessagesWithCompactKeysAndArrayLevels() {
        BookMessage delta = new BookMessage("book.BTC-USD", BookMessage.DELTA, 5, 7,
                List.of(new PriceLevel("100.00", "0.0000")), List.of(), 123L, 9L);
        String json = Json.write(delta);
        assertThat(json).isEqualTo("{\"ch\":\"book.BTC-USD\",\"type\":\"delta\",\"U\":5,\"u\":7,"
                + "\"bids\":[[\"100.00\",\"0.0000\"]],\"asks\":[],\"cs\":123,\"ts\":9}");
        assertThat(Json.read(json, BookMessage.class)).isEqualTo(delta);
    }

    @Test
    void shouldRefuseToCoerceNumbersAndStrings() {
        assertThatThrownBy(() -> Json.read("{\"type\":\"limit\",\"account\":7.9,\"price\":\"1\",\"qty\":\"1\",\"ts\":1}",
                OrderCommand.class)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.read("{\"type\":\"limit\",\"account\":7,\"price\":100.10,\"qty\":\"1\",\"ts\":1}",
                OrderCommand.class)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.read("{\"type\":\"limit\",\"account\":\"7\",\"price\":\"1\",\"qty\":\"1\",\"ts\":1}",
                OrderCommand.class)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Json.read("null", OrderCommand.class)).isNull();
    }

    @Test
    void shouldExplainMalformedInput() {
        assertThatThrownBy(() -> Json.read("{\"type\":\"teleport\"}", OrderCommand.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("teleport");
        assertThatThrownBy(() -> Json.read("{not json", OrderCommand.class))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
