package io.marketstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
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
    }

    @Test
    void shouldRoundTripEvents() {
        EngineEvent trade = new Trade("BTC-USD", 9, "c3", 5L, 1, "100.00", "1.0000", Side.SELL, 4, 5, 70, 71);
        assertThat(Json.read(Json.write(trade), EngineEvent.class)).isEqualTo(trade);
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
