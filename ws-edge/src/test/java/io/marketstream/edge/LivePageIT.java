package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.marketstream.redis.RedisClients;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.RedisKeys;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookChecksum;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.redis.MarketPublication;
import io.marketstream.redis.RedisMarketDataPublisher;

/**
 * The live page in a real headless Chromium, against an edge node on a real Redis: market data is
 * published into Redis exactly as the streams job does, and the test reads what the page shows.
 * A screenshot is left in {@code target/live-page.png}.
 */
class LivePageIT {
    private static final String MARKET = "BTC-USD";
    private static final Duration SHOWN = Duration.ofSeconds(30);
    private static final long MINUTE = 60_000;
    private static final long T0 = 1_700_000_000_000L / MINUTE * MINUTE;

    private static EmbeddedRedis redis;
    private static RedisClient redisClient;
    private static RedisMarketDataPublisher publisher;
    private static EdgeNode edge;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        redis = EmbeddedRedis.start();
        redisClient = RedisClients.create(redis.uri());
        publisher = new RedisMarketDataPublisher(redisClient);
        edge = new EdgeNode(EdgeConfig.defaults(0), MarketCatalog.defaults(), redis.uri()).start();
        chromium = HeadlessChromium.start();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (edge != null) {
            edge.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (redisClient != null) {
            redisClient.shutdown();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static List<PriceLevel> levels(String... pxQty) {
        List<PriceLevel> out = new ArrayList<>();
        for (int i = 0; i < pxQty.length; i += 2) {
            out.add(new PriceLevel(pxQty[i], pxQty[i + 1]));
        }
        return out;
    }

    private static BookMessage book(String type, long first, long last, List<PriceLevel> bids, List<PriceLevel> asks,
                                    long cs) {
        return new BookMessage(Channels.book(MARKET), type, first, last, bids, asks, cs, T0 + last);
    }

    private static KlineMessage candle(long seq, int minute, String open, String close, boolean closed) {
        long t = T0 + minute * MINUTE;
        return new KlineMessage(Channels.kline(MARKET, KlineInterval.M1), seq, seq, KlineInterval.M1, t, t + MINUTE - 1,
                open, "102.00", "99.00", close, "1.0000", "100.000000", 1, seq, seq, closed, t + MINUTE - 1);
    }

    private static TickerMessage ticker(long seq, String last) {
        return new TickerMessage(Channels.ticker(MARKET), seq, seq, last, "100.00", "102.00", "99.00", "0.50", "0.50",
                "3.0000", "300.000000", 3, "100.00", "1.5000", "101.00", "2.0000", T0 + seq);
    }

    /** The levels the page shows on one side, best first, as [price, qty] pairs. */
    private static List<PriceLevel> shown(String side) throws Exception {
        JsonNode rows = chromium.evaluate("[...document.querySelectorAll('#" + side + " tr.level')]"
                + ".map(r => [r.dataset.px, r.dataset.qty])");
        List<PriceLevel> out = new ArrayList<>();
        rows.forEach(r -> out.add(new PriceLevel(r.get(0).asText(), r.get(1).asText())));
        if (side.equals("asks")) {
            Collections.reverse(out); // shown highest first, above the spread
        }
        return out;
    }

    private static String text(String selector) throws Exception {
        return chromium.evaluate("document.querySelector('" + selector + "').textContent").asText();
    }

    private static String bookState() throws Exception {
        return chromium.evaluate("document.getElementById('book-status').dataset.state").asText();
    }

    private static void awaitBook(String why, List<PriceLevel> bids, List<PriceLevel> asks, long u) {
        long cs = BookChecksum.of(bids, asks);
        await(why).atMost(SHOWN).untilAsserted(() -> {
            assertThat(shown("bids")).containsExactlyElementsOf(bids);
            assertThat(shown("asks")).containsExactlyElementsOf(asks);
            assertThat(bookState()).isEqualTo("verified");
            assertThat(text("#book-status")).contains("checksum " + cs + " verified at seq " + u);
        });
    }

    @Test
    void shouldShowTheVerifiedBookTradesCandlesAndTickerAndFollowThemLive() throws Exception {
        List<PriceLevel> bids = levels("100.00", "1.5000", "99.50", "0.2500", "99.00", "3.0000");
        List<PriceLevel> asks = levels("101.00", "2.0000", "101.50", "0.1000", "102.00", "5.0000");
        publisher.publishBook(book(BookMessage.SNAPSHOT, 100, 100, bids, asks, BookChecksum.of(bids, asks)), true);
        publisher.publishTrade(new TradeMessage(Channels.trades(MARKET), 90, 1, "100.00", "0.1000", Side.BUY, T0));
        publisher.publishTrade(new TradeMessage(Channels.trades(MARKET), 95, 2, "101.00", "0.2000", Side.SELL, T0 + 1));
        publisher.publish(new MarketPublication(MARKET, null, false, null,
                List.of(candle(1, 0, "100.00", "101.00", true), candle(2, 1, "101.00", "100.50", true),
                        candle(3, 2, "100.50", "100.75", false)), ticker(1, "100.75")));

        chromium.navigate("http://127.0.0.1:" + edge.port() + "/?market=" + MARKET);
        awaitBook("the snapshot fills the book", bids, asks, 100);
        await("history from REST").atMost(SHOWN).untilAsserted(() -> {
            assertThat(chromium.evaluate("[...document.querySelectorAll('#trades tr')].map(r => r.dataset.id)"))
                    .extracting(JsonNode::asText).containsExactly("2", "1");
            assertThat(chromium.evaluate("document.getElementById('chart').dataset.candles").asText()).isEqualTo("3");
            assertThat(text("#t-last")).isEqualTo("100.75");
        });
        assertThat(chromium.evaluate("document.querySelector('#chart canvas') !== null").asBoolean())
                .as("ECharts, served from the jar, drew the chart").isTrue();
        await("the page's live subscriptions").atMost(SHOWN).until(() -> edge.hub().subscriber().channels().containsAll(
                List.of(Channels.book(MARKET), Channels.trades(MARKET), Channels.ticker(MARKET),
                        Channels.kline(MARKET, KlineInterval.M1))));

        // a delta: the best bid leaves, a better one arrives, the best ask shrinks
        List<PriceLevel> bids2 = levels("100.25", "0.7500", "99.50", "0.2500", "99.00", "3.0000");
        List<PriceLevel> asks2 = levels("101.00", "1.2500", "101.50", "0.1000", "102.00", "5.0000");
        assertThat(publisher.publishBook(book(BookMessage.DELTA, 101, 102, levels("100.00", "0.0000", "100.25", "0.7500"),
                levels("101.00", "1.2500"), BookChecksum.of(bids2, asks2)), false))
                .isEqualTo(RedisMarketDataPublisher.Outcome.PUBLISHED);
        awaitBook("the delta is applied and verified", bids2, asks2, 102);
        assertThat(text("#resyncs")).isEqualTo("resyncs 0");

        // a delta whose checksum does not match what it leads to: the edge checks every upstream delta, so it
        // never forwards it; it reloads the book from Redis and sends the page a snapshot marked resync
        List<PriceLevel> asks3 = levels("101.00", "1.2500", "102.00", "5.0000");
        publisher.publishBook(book(BookMessage.DELTA, 103, 103, List.of(), levels("101.50", "0"),
                BookChecksum.of(bids2, asks3) + 1), false);
        awaitBook("a resync after the checksum mismatch", bids2, asks3, 103);
        assertThat(text("#resyncs")).isEqualTo("resyncs 1");
        assertThat(text("#notice")).contains("upstream_gap");

        // a snapshot published upstream (the streams job replacing the whole book) reaches the page as a resync
        List<PriceLevel> bids4 = levels("100.25", "0.7500");
        List<PriceLevel> asks4 = levels("101.00", "1.2500");
        publisher.publishBook(book(BookMessage.SNAPSHOT, 104, 104, bids4, asks4, BookChecksum.of(bids4, asks4)), true);
        awaitBook("the server's resync snapshot", bids4, asks4, 104);
        assertThat(text("#resyncs")).isEqualTo("resyncs 2");
        assertThat(text("#notice")).contains("upstream_gap");

        // live trades, one of them after a missed id; a live candle and ticker
        publisher.publishTrade(new TradeMessage(Channels.trades(MARKET), 104, 3, "101.00", "0.3000", Side.BUY, T0 + 2));
        publisher.publishTrade(new TradeMessage(Channels.trades(MARKET), 106, 5, "101.00", "0.4000", Side.SELL, T0 + 3));
        publisher.publish(new MarketPublication(MARKET, null, false, null,
                List.of(candle(4, 2, "100.50", "100.80", true), candle(5, 3, "100.80", "101.00", false)),
                ticker(2, "101.00")));
        await("live trades, candles and ticker").atMost(SHOWN).untilAsserted(() -> {
            assertThat(chromium.evaluate("[...document.querySelectorAll('#trades tr')]"
                    + ".map(r => r.dataset.id || r.textContent)")).extracting(JsonNode::asText)
                    .containsExactly("5", "⚠ 1 trade missed (id 4)", "3", "2", "1");
            assertThat(chromium.evaluate("document.getElementById('chart').dataset.candles").asText()).isEqualTo("4");
            assertThat(text("#t-last")).isEqualTo("101.00");
        });

        // the page's CRC32 is the protocol's (the example of docs/topics.md)
        String example = "100.00:1.5000:101.00:2.0000:99.50:0.2500";
        assertThat(chromium.evaluate("import('/book.js').then(m => m.crc32('" + example + "'))").asLong())
                .isEqualTo(BookChecksum.of(levels("100.00", "1.5000", "99.50", "0.2500"), levels("101.00", "2.0000")))
                .isEqualTo(3362360238L);

        chromium.screenshot(Path.of("target", "live-page.png"));
        assertThat(chromium.exceptions()).as("uncaught exceptions in the page; console: %s", chromium.console())
                .isEmpty();
    }

    @Test
    void shouldReconnectAndStartFromAFreshSnapshotWhenTheNodeGoesAway() throws Exception {
        String market = "ETH-USD";
        List<PriceLevel> bids = levels("2000.00", "1.0000");
        List<PriceLevel> asks = levels("2001.00", "1.0000");
        publisher.publishBook(new BookMessage(Channels.book(market), BookMessage.SNAPSHOT, 7, 7, bids, asks,
                BookChecksum.of(bids, asks), T0), true);
        chromium.navigate("http://127.0.0.1:" + edge.port() + "/?market=" + market);
        awaitBook("the ETH-USD book", bids, asks, 7);

        int port = edge.port();
        edge.close();
        await("the page notices").atMost(SHOWN).untilAsserted(() -> assertThat(text("#status")).contains("reconnecting"));
        // the book moves on while the page is away; it must come back with the new state
        List<PriceLevel> bids2 = levels("2000.50", "2.0000", "2000.00", "1.0000");
        publisher.publishBook(new BookMessage(Channels.book(market), BookMessage.DELTA, 8, 9,
                levels("2000.50", "2.0000"), List.of(), BookChecksum.of(bids2, asks), T0 + 1), false);
        edge = new EdgeNode(EdgeConfig.defaults(port), MarketCatalog.defaults(), redis.uri()).start();

        awaitBook("the book after reconnecting", bids2, asks, 9);
        assertThat(text("#status")).isEqualTo("live");
    }

    @Test
    void shouldServeTheChartLibraryWithItsLicence() throws Exception {
        chromium.navigate("http://127.0.0.1:" + edge.port() + "/vendor/echarts/NOTICE.txt");
        assertThat(chromium.evaluate("document.body.innerText").asText()).contains("Apache ECharts");
        chromium.navigate("http://127.0.0.1:" + edge.port() + "/vendor/echarts/LICENSE.txt");
        assertThat(chromium.evaluate("document.body.innerText").asText()).contains("Apache License");
    }
}
