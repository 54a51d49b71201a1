package io.marketstream.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Channels.Channel;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.TickerMessage;

class ChannelsTest {
    @Test
    void shouldParsePublicChannelsOnly() {
        assertThat(Channels.parse("book.BTC-USD")).hasValue(new Channel("book", "BTC-USD"));
        assertThat(Channels.parse("ticker.BTC-USD")).hasValue(new Channel("ticker", "BTC-USD"));
        assertThat(Channels.parse("kline.BTC-USD.15m")).hasValue(new Channel("kline", "BTC-USD", KlineInterval.M15));
        assertThat(Channels.parse("kline.BTC-USD.15m").orElseThrow().name()).isEqualTo("kline.BTC-USD.15m");
        assertThat(Channels.parse("kline.BTC-USD")).isEmpty();
        assertThat(Channels.parse("kline.BTC-USD.2m")).isEmpty();
        assertThat(Channels.parse("book.BTC-USD.1m")).isEmpty();
        assertThat(Channels.parse("orders.42")).as("private channels are not for anyone who asks").isEmpty();
        assertThat(Channels.parse("book.btc-usd")).isEmpty();
    }

    @Test
    void shouldParseBookViewsWithDepthAndCadence() {
        assertThat(Channels.parseBookView("book.BTC-USD")).hasValue(new Channels.BookView("BTC-USD", 0, Channels.Cadence.RAW));
        assertThat(Channels.parseBookView("book.BTC-USD.25@100ms"))
                .hasValue(new Channels.BookView("BTC-USD", 25, Channels.Cadence.MS100));
        assertThat(Channels.parseBookView("book.BTC-USD.full@raw").orElseThrow().name())
                .as("defaults are left out of the canonical name").isEqualTo("book.BTC-USD");
        assertThat(Channels.parseBookView("book.BTC-USD@1000ms").orElseThrow().name()).isEqualTo("book.BTC-USD@1000ms");
        assertThat(Channels.parseBookView("book.BTC-USD.500").orElseThrow().isUpstream()).isFalse();
        assertThat(Channels.parseBookView("book.BTC-USD.0")).isEmpty();
        assertThat(Channels.parseBookView("book.BTC-USD.50")).isEmpty();
        assertThat(Channels.parseBookView("book.BTC-USD@10ms")).isEmpty();
        assertThat(Channels.parseBookView("book.BTC-USD.10.10")).isEmpty();
        assertThat(Channels.parseBookView("trades.BTC-USD")).isEmpty();
    }

    @Test
    void shouldNameAndRecognisePrivateChannels() {
        assertThat(Channels.orders(42)).isEqualTo("orders.42");
        assertThat(Channels.balances(42)).isEqualTo("balances.42");
        assertThat(Channels.accountOf("orders.42")).isEqualTo(42);
        assertThat(Channels.accountOf("balances.7")).isEqualTo(7);
        assertThat(Channels.accountOf("orders.x")).isEqualTo(-1);
        assertThat(Channels.accountOf("book.BTC-USD")).isEqualTo(-1);
    }

    @Test
    void newWireTypesShouldRoundTripThroughJsonWithCompactKeys() {
        KlineMessage kline = new KlineMessage("kline.BTC-USD.1m", 6, 8, KlineInterval.M1, 60_000, 119_999, "100.00",
                "102.00", "99.00", "99.00", "1.7500", "175.750000", 3, 1, 3, true, 120_000);
        String json = Json.write(kline);
        assertThat(json).contains("\"i\":\"1m\"", "\"t\":60000", "\"T\":119999", "\"x\":true", "\"L\":3");
        assertThat(Json.read(json, KlineMessage.class)).isEqualTo(kline);

        TickerMessage ticker = new TickerMessage("ticker.BTC-USD", 1, 2, null, null, null, null, null, null, "0.0000",
                "0.000000", 0, "99.00", "1.0000", null, null, 5);
        assertThat(Json.write(ticker)).doesNotContain("last", "ask");
        assertThat(Json.read(Json.write(ticker), TickerMessage.class)).isEqualTo(ticker);

        AccountMessage message = new AccountMessage(0, "orders.1", "BTC-USD", 3,
                new OrderRested("BTC-USD", 3, "c", 1, 9, 1, Side.BUY, "1.00", "1.0000"));
        assertThat(Json.write(message)).as("Redis replaces the placeholder with the channel's seq")
                .startsWith("{\"seq\":0,\"ch\":\"orders.1\"").contains("\"e\":{\"type\":\"rested\"");
        assertThat(Json.read(Json.write(message), AccountMessage.class)).isEqualTo(message);
    }

    @Test
    void shouldNameAndParseReplayChannels() {
        assertThat(Channels.replay("s1", "trades.BTC-USD")).isEqualTo("replay.s1.trades.BTC-USD");
        assertThat(Channels.replayControl("check-2")).isEqualTo("replay.check-2");
        assertThat(Channels.parseReplay("replay.s1.kline.BTC-USD.1m"))
                .hasValue(new Channels.ReplayChannel("s1", new Channel("kline", "BTC-USD", KlineInterval.M1)));
        assertThat(Channels.parseReplay("replay.s1.book.BTC-USD").orElseThrow().name()).isEqualTo("replay.s1.book.BTC-USD");
        assertThat(Channels.parseReplay("replay.s1")).hasValue(new Channels.ReplayChannel("s1", null));
        assertThat(Channels.parseReplay("replay.s1.book.BTC-USD.25")).as("replayed books have no views").isEmpty();
        assertThat(Channels.parseReplay("replay.s1.orders.7")).as("private channels are not replayed").isEmpty();
        assertThat(Channels.parseReplay("replay.S1.trades.BTC-USD")).isEmpty();
        assertThat(Channels.parseReplay("replay.a*b.trades.BTC-USD")).as("no glob characters").isEmpty();
        assertThat(Channels.parseReplay("replay.")).isEmpty();
        assertThat(Channels.parseReplay("trades.BTC-USD")).isEmpty();
        assertThat(Channels.parse("replay.s1.trades.BTC-USD")).as("not a live channel").isEmpty();
        assertThat(Json.write(io.marketstream.protocol.marketdata.ReplayNotice.end("replay.s1", "s1", 5, 7)))
                .isEqualTo("{\"ch\":\"replay.s1\",\"type\":\"end\",\"session\":\"s1\",\"events\":5,\"ts\":7}");
        assertThat(Json.write(io.marketstream.protocol.marketdata.ReplayNotice.start("replay.s1", "s1", "10x",
                java.util.List.of("BTC-USD"), 1L, null, 7))).isEqualTo("{\"ch\":\"replay.s1\",\"type\":\"start\","
                + "\"session\":\"s1\",\"speed\":\"10x\",\"markets\":[\"BTC-USD\"],\"from\":1,\"ts\":7}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Channels.replay("{x}", "trades.BTC-USD"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a replay session name");
    }
}
