package io.marketstream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.GapMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.protocol.ws.WsReply;

class MessageHeadTest {

    @Test
    void shouldReadTheChannelAndTypeOfABookMessageAsTheEdgeWritesIt() {
        String text = Json.write(new BookMessage("book.BTC-USD", BookMessage.DELTA, 7, 9,
                List.of(new PriceLevel("100.5", "2")), List.of(), 12345L, 1_700_000_000_000L));

        assertThat(MarketDataClient.MessageHead.of(text))
                .isEqualTo(new MarketDataClient.MessageHead("book.BTC-USD", BookMessage.DELTA));
    }

    @Test
    void shouldTellAGapNoticeByItsType() {
        String text = Json.write(GapMessage.of("trades.BTC-USD", 41, GapMessage.SLOW_CONSUMER, 42L, 50L));

        assertThat(MarketDataClient.MessageHead.of(text))
                .isEqualTo(new MarketDataClient.MessageHead("trades.BTC-USD", GapMessage.GAP));
    }

    @Test
    void shouldLeaveTheTypeOutWhenTheMessageHasNoneSecond() {
        String text = Json.write(new TradeMessage("trades.BTC-USD", 3, 17, "100.5", "0.1", Side.BUY, 1L));

        assertThat(MarketDataClient.MessageHead.of(text))
                .isEqualTo(new MarketDataClient.MessageHead("trades.BTC-USD", null));
    }

    @Test
    void shouldSendControlMessagesAndAnythingMalformedToTheTreePath() {
        assertThat(MarketDataClient.MessageHead.of(Json.write(WsReply.ok(4L, List.of("book.BTC-USD"))))).isNull();
        assertThat(MarketDataClient.MessageHead.of("{\"ch\":")).isNull();
        assertThat(MarketDataClient.MessageHead.of("{\"ch\":5}")).isNull();
        assertThat(MarketDataClient.MessageHead.of("[1,2]")).isNull();
        assertThat(MarketDataClient.MessageHead.of("")).isNull();
        assertThat(MarketDataClient.MessageHead.of("{\"ch\":\"book.BTC")).isNull();
    }

    @Test
    void shouldLeaveEscapedNamesToTheTreePath() {
        assertThat(MarketDataClient.MessageHead.of("{\"ch\":\"bo\\\"ok\",\"type\":\"gap\"}")).isNull();
        assertThat(MarketDataClient.MessageHead.of("{\"ch\":\"book\",\"type\":\"g\\u0061p\"}")).isNull();
    }
}
