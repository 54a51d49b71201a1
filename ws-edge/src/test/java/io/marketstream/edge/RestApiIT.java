package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.marketstream.redis.RedisClients;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
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
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.redis.RedisMarketDataSubscriber;

/** Every REST endpoint and every 400, over real HTTP, against data published into a real Redis. */
class RestApiIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final long MINUTE = 60_000;
    /** Candles at 10:00 … 10:09 (epoch-aligned), one per minute. */
    private static final long FIRST_CANDLE = 1_700_000_000_000L / MINUTE * MINUTE;

    private static EmbeddedRedis redis;
    private static RedisClient redisClient;
    private static RedisMarketDataPublisher publisher;
    private static EdgeNode edge;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final List<PriceLevel> BIDS = List.of(new PriceLevel("100.00", "1.5000"),
            new PriceLevel("99.50", "0.2500"), new PriceLevel("99.00", "3.0000"));
    private static final List<PriceLevel> ASKS = List.of(new PriceLevel("101.00", "2.0000"),
            new PriceLevel("101.50", "0.1000"));

    @BeforeAll
    static void start() {
        redis = EmbeddedRedis.start();
        redisClient = RedisClients.create(redis.uri());
        publisher = new RedisMarketDataPublisher(redisClient);
        edge = new EdgeNode(EdgeConfig.defaults(0), CATALOG, redis.uri()).start();

        publisher.publishBook(new BookMessage(Channels.book("BTC-USD"), BookMessage.SNAPSHOT, 20, 20, BIDS, ASKS,
                BookChecksum.of(BIDS, ASKS), 1_700_000_000_000L), true);
        for (int id = 1; id <= 5; id++) {
            publisher.publishTrade(new TradeMessage(Channels.trades("BTC-USD"), 20 + id, id, "100.0" + id,
                    "0.1000", id % 2 == 0 ? Side.BUY : Side.SELL, FIRST_CANDLE + id));
        }
        List<KlineMessage> klines = new ArrayList<>();
        for (int n = 0; n < 10; n++) {
            long t = FIRST_CANDLE + n * MINUTE;
            klines.add(new KlineMessage(Channels.kline("BTC-USD", KlineInterval.M1), n + 1, 30 + n, KlineInterval.M1,
                    t, t + MINUTE - 1, "100.00", "101.00", "99.00", "100.50", "1.0000", "100.500000", 2, 2 * n + 1,
                    2 * n + 2, n < 9, t + MINUTE - 1));
        }
        TickerMessage ticker = new TickerMessage(Channels.ticker("BTC-USD"), 1, 40, "100.50", "100.00", "101.00",
                "99.00", "0.50", "0.50", "10.0000", "1005.000000", 20, "100.00", "1.5000", "101.00", "2.0000",
                FIRST_CANDLE + 10 * MINUTE);
        publisher.publish(new MarketPublication("BTC-USD", null, false, null, klines, ticker));
    }

    @AfterAll
    static void stop() {
        edge.close();
        publisher.close();
        redisClient.shutdown();
        redis.close();
    }

    private static HttpResponse<String> get(int port, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return get(edge.port(), pathAndQuery);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        return Json.mapper().readTree(response.body());
    }

    @Test
    void shouldListTheMarketsTheNodeServes() throws Exception {
        HttpResponse<String> response = get("/api/v1/markets");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode markets = json(response);
        assertThat(markets.findValuesAsText("symbol")).containsExactly("BTC-USD", "ETH-USD");
    }

    @Test
    void shouldServeTheStoredBookCutToTheLimitWithTheFullBooksChecksum() throws Exception {
        HttpResponse<String> response = get("/api/v1/depth?market=BTC-USD&limit=2");
        assertThat(response.statusCode()).isEqualTo(200);
        BookMessage book = Json.read(response.body(), BookMessage.class);
        assertThat(book.type()).isEqualTo(BookMessage.SNAPSHOT);
        assertThat(book.lastSeq()).isEqualTo(20);
        assertThat(book.bids()).containsExactly(BIDS.get(0), BIDS.get(1));
        assertThat(book.asks()).containsExactlyElementsOf(ASKS);
        assertThat(book.checksum()).isEqualTo(BookChecksum.of(BIDS, ASKS));

        BookMessage empty = Json.read(get("/api/v1/depth?market=ETH-USD").body(), BookMessage.class);
        assertThat(empty.lastSeq()).isZero();
        assertThat(empty.bids()).isEmpty();
    }

    @Test
    void shouldServeTheLatestTradesNewestFirst() throws Exception {
        HttpResponse<String> response = get("/api/v1/trades?market=BTC-USD&limit=3");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode trades = json(response);
        assertThat(trades).hasSize(3);
        assertThat(trades.findValuesAsText("id")).containsExactly("5", "4", "3");
        assertThat(trades.get(0).get("px").asText()).isEqualTo("100.05");
        assertThat(trades.get(0).get("side").asText()).isEqualTo("SELL");
        assertThat(json(get("/api/v1/trades?market=BTC-USD"))).hasSize(5);
    }

    @Test
    void shouldServeCandlesInTheWindowOldestFirstKeepingTheLatest() throws Exception {
        JsonNode all = json(get("/api/v1/klines?market=BTC-USD&interval=1m"));
        assertThat(all).hasSize(10);
        assertThat(all.get(0).get("t").asLong()).isEqualTo(FIRST_CANDLE);
        assertThat(all.get(9).get("x").asBoolean()).isFalse();

        long start = FIRST_CANDLE + 2 * MINUTE;
        long end = FIRST_CANDLE + 6 * MINUTE;
        HttpResponse<String> window = get("/api/v1/klines?market=BTC-USD&interval=1m&start=" + start + "&end=" + end
                + "&limit=3");
        assertThat(window.statusCode()).isEqualTo(200);
        assertThat(json(window).findValuesAsText("t")).containsExactly(String.valueOf(FIRST_CANDLE + 4 * MINUTE),
                String.valueOf(FIRST_CANDLE + 5 * MINUTE), String.valueOf(FIRST_CANDLE + 6 * MINUTE));

        assertThat(json(get("/api/v1/klines?market=BTC-USD&interval=5m"))).isEmpty();
        assertThat(json(get("/api/v1/klines?market=BTC-USD&interval=1m&start=" + start + "&end=" + start)))
                .hasSize(1);
    }

    @Test
    void shouldServeTheTickerAnd404BeforeTheFirstOne() throws Exception {
        HttpResponse<String> response = get("/api/v1/ticker?market=BTC-USD");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode ticker = json(response);
        assertThat(ticker.get("last").asText()).isEqualTo("100.50");
        assertThat(ticker.get("chgPct").asText()).isEqualTo("0.50");

        HttpResponse<String> none = get("/api/v1/ticker?market=ETH-USD");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(json(none).get("error").asText()).contains("ETH-USD");
    }

    @ParameterizedTest(name = "{0} -> 400 naming {1}")
    @CsvSource(delimiter = '|', value = {
            "/api/v1/depth                                   | parameter 'market' is required, one of [BTC-USD, ETH-USD]",
            "/api/v1/depth?market=                           | parameter 'market' is required",
            "/api/v1/depth?market=DOGE-USD                   | unknown market 'DOGE-USD', expected one of [BTC-USD, ETH-USD]",
            "/api/v1/depth?market=BTC-USD&limit=abc          | parameter 'limit' must be a whole number 1..5000",
            "/api/v1/depth?market=BTC-USD&limit=0            | parameter 'limit' must be 1..5000, was 0",
            "/api/v1/depth?market=BTC-USD&limit=5001         | parameter 'limit' must be 1..5000, was 5001",
            "/api/v1/depth?market=BTC-USD&depth=5            | unknown parameter 'depth'; allowed: market, limit",
            "/api/v1/trades                                  | parameter 'market' is required",
            "/api/v1/trades?market=btc-usd                   | unknown market 'btc-usd'",
            "/api/v1/trades?market=BTC-USD&limit=1001        | parameter 'limit' must be 1..1000, was 1001",
            "/api/v1/trades?market=BTC-USD&limit=-1          | parameter 'limit' must be 1..1000, was -1",
            "/api/v1/klines?interval=1m                      | parameter 'market' is required",
            "/api/v1/klines?market=BTC-USD                   | parameter 'interval' is required, one of 1m, 5m, 15m, 1h, 4h, 1d",
            "/api/v1/klines?market=BTC-USD&interval=2m       | unknown interval '2m', expected one of 1m, 5m, 15m, 1h, 4h, 1d",
            "/api/v1/klines?market=BTC-USD&interval=1m&start=yesterday | parameter 'start' must be epoch milliseconds (a whole number ≥ 0), was 'yesterday'",
            "/api/v1/klines?market=BTC-USD&interval=1m&start=-5 | parameter 'start' must be epoch milliseconds ≥ 0, was -5",
            "/api/v1/klines?market=BTC-USD&interval=1m&end=1.5 | parameter 'end' must be epoch milliseconds (a whole number ≥ 0), was '1.5'",
            "/api/v1/klines?market=BTC-USD&interval=1m&start=2000&end=1000 | parameter 'start' (2000) must not be after 'end' (1000)",
            "/api/v1/klines?market=BTC-USD&interval=1m&limit=1501 | parameter 'limit' must be 1..1500, was 1501",
            "/api/v1/klines?market=BTC-USD&interval=1m&from=1 | unknown parameter 'from'; allowed: market, interval, start, end, limit",
            "/api/v1/ticker                                  | parameter 'market' is required",
            "/api/v1/ticker?market=NOPE                      | unknown market 'NOPE'",
            "/api/v1/ticker?market=BTC-USD&limit=1           | unknown parameter 'limit'; allowed: market",
            "/api/v1/markets?market=BTC-USD                  | unknown parameter 'market'; this endpoint takes none",
    })
    void shouldAnswerEveryBadParameterWith400AndTheReason(String pathAndQuery, String reason) throws Exception {
        HttpResponse<String> response = get(pathAndQuery);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).contains(reason);
    }

    @Test
    void shouldAnswer404ForAnUnknownEndpointAnd405ForAnotherMethod() throws Exception {
        HttpResponse<String> unknown = get("/api/v1/orderbook?market=BTC-USD");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").asText()).contains("/api/v1/orderbook");

        HttpResponse<String> post = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + edge.port() + "/api/v1/markets"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    void shouldBeLiveAndReadyWhileRedisAnswers() throws Exception {
        HttpResponse<String> health = get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).get("status").asText()).isEqualTo("ok");

        HttpResponse<String> ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("ready").asBoolean()).isTrue();
    }

    @Test
    void shouldNotBeReadyWhileDraining() throws Exception {
        AtomicBoolean accepting = new AtomicBoolean(true);
        try (RedisMarketDataReader reader = new RedisMarketDataReader(redisClient, CATALOG);
             RedisMarketDataSubscriber subscriber = new RedisMarketDataSubscriber(redisClient)) {
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            server.setHandler(new HttpApi(CATALOG, reader, subscriber, accepting::get));
            server.start();
            try {
                assertThat(get(connector.getLocalPort(), "/readyz").statusCode()).isEqualTo(200);
                accepting.set(false);
                HttpResponse<String> draining = get(connector.getLocalPort(), "/readyz");
                assertThat(draining.statusCode()).isEqualTo(503);
                assertThat(json(draining).get("error").asText()).startsWith("draining");
                assertThat(get(connector.getLocalPort(), "/healthz").statusCode()).isEqualTo(200);
            } finally {
                server.stop();
            }
        }
    }
}
