package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import io.marketstream.edge.EdgeConfig;
import io.marketstream.edge.EdgeNode;
import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.RedisKeys;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderReduced;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.redis.RedisClients;
import io.marketstream.redis.RedisMarketDataReader;

/**
 * {@code app replay} against a real broker, redis-server, streams job and edge, over a minute of history
 * produced with known times: the rebuild equals the live state (and says which level differs when one does),
 * JSON lines are the topic's records in the range, and a replay shown at 10x reaches a real WebSocket client
 * through the edge, paced, with a book that checks out.
 */
class ReplayIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final String BTC = "BTC-USD";
    private static final String ETH = "ETH-USD";
    /** Event time of the history: a whole minute, half an hour ago. */
    private static final long T0 = (System.currentTimeMillis() - 30 * 60_000) / 60_000 * 60_000;
    private static final long T1 = T0 + 20_000;
    private static final long T2 = T0 + 40_000;

    private static EmbeddedKafka kafka;
    private static EmbeddedRedis redis;
    private static RedisClient client;
    private static Roles roles;
    private static EdgeNode edge;
    private static HistoricalEvents history;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        redis = EmbeddedRedis.start();
        client = RedisClients.create(redis.uri());
        roles = new Roles(kafka.bootstrapServers(), redis.uri(), CATALOG);
        roles.streams();
        edge = roles.edge(EdgeConfig.defaults(0).toBuilder().host("127.0.0.1").build());
        // a minute of trading on both markets, one command every 100 ms per market, then a quiet spell
        history = new HistoricalEvents(CATALOG, 7).fund(T0).trade(300, T0 + 1_000, 100).trade(2, T0 + 130_000, 1_000);
        history.produce(kafka.bootstrapServers(), 0);
        try (RedisMarketDataReader live = new RedisMarketDataReader(client, CATALOG)) {
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    live.book(BTC, Integer.MAX_VALUE).lastSeq() == history.lastBookSeq(BTC)
                            && live.book(ETH, Integer.MAX_VALUE).lastSeq() == history.lastBookSeq(ETH));
        }
    }

    @AfterAll
    static void stop() {
        roles.close();
        client.shutdown();
        redis.close();
        kafka.close();
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run replay(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("replay", "--bootstrap", kafka.bootstrapServers(), "--redis", redis.uri()));
        all.addAll(List.of(args));
        int exit = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private static List<String> keys(String pattern) {
        try (var connection = client.connect()) {
            return connection.sync().keys(pattern);
        }
    }

    @Test
    void shouldRebuildStateEqualToTheLiveOneAtTheSameSequence() {
        Run run = replay("--compare", "--session", "it-equal", "--keep", "--no-progress");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("Result: EQUAL")
                .containsPattern("BTC-USD: live book at seq " + history.lastBookSeq(BTC) + ", events folded to seq \\d+: equal")
                .containsPattern("ETH-USD: live book at seq " + history.lastBookSeq(ETH) + ", events folded to seq \\d+: equal");
        assertThat(run.out().lines().filter(l -> l.contains("kline 1m")).toList()).hasSize(2)
                .allSatisfy(line -> assertThat(line).containsPattern("equal +[0-9]+ candles"));
        assertThat(run.out()).doesNotContain("DIFFERENT");
        assertThat(keys("replay:it-equal:ms:{BTC-USD}:book:*")).as("kept").isNotEmpty();
        // the rebuilt book in Redis is the engine's
        try (RedisMarketDataReader rebuilt = new RedisMarketDataReader(client, CATALOG, RedisKeys.replayNamespace("it-equal"))) {
            assertThat(levels(rebuilt.book(BTC, Integer.MAX_VALUE).bids(), CATALOG.get(BTC))).isEqualTo(history.engine().levels(BTC, Side.BUY));
            assertThat(levels(rebuilt.book(BTC, Integer.MAX_VALUE).asks(), CATALOG.get(BTC))).isEqualTo(history.engine().levels(BTC, Side.SELL));
        }

        Run again = replay("--compare", "--session", "it-equal", "--market", ETH, "--no-progress");
        assertThat(again.exit()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("ETH-USD:").doesNotContain("BTC-USD:");
        assertThat(keys("replay:it-equal:*")).as("deleted when not kept").isEmpty();
    }

    @Test
    void shouldNameTheLevelThatDiffersFromTheRebuild() {
        PriceLevel level;
        try (RedisMarketDataReader live = new RedisMarketDataReader(client, CATALOG)) {
            level = live.book(ETH, Integer.MAX_VALUE).bids().get(0);
        }
        try (var connection = client.connect()) {
            connection.sync().hset(RedisKeys.bookBids(ETH), level.price(), "9.9999");
            Run run = replay("--compare", "--market", ETH, "--session", "it-diff", "--no-progress");

            assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(ReplayCommand.DIFFERENT);
            assertThat(run.out()).contains("Result: DIFFERENT").contains("1 level differ")
                    .contains("bid " + level.price() + ": live 9.9999, rebuilt " + level.qty());
        } finally {
            try (var connection = client.connect()) {
                connection.sync().hset(RedisKeys.bookBids(ETH), level.price(), level.qty());
            }
        }
    }

    @Test
    void shouldSayWhenTheLiveStateIsPastTheEndOfTheRebuild() {
        Run run = replay("--compare", "--market", BTC, "--to", String.valueOf(T1), "--session", "it-ahead", "--no-progress");

        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(ReplayCommand.NOT_COMPARABLE);
        assertThat(run.out()).contains("Result: NOT AT THE SAME SEQUENCE").contains("live ahead")
                .contains("live is at seq " + history.lastBookSeq(BTC));
    }

    @Test
    void shouldWriteTheRangesEventsAsJsonLinesExactlyAsOnTheTopic(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.jsonl");
        Run run = replay("--jsonl", file.toString(), "--market", ETH, "--from", String.valueOf(T1),
                "--to", java.time.Instant.ofEpochMilli(T2).toString());

        assertThat(run.exit()).as(run.err()).isZero();
        List<String> expected = history.events().stream()
                .filter(e -> e.market().equals(ETH) && e.ts() >= T1 && e.ts() < T2)
                .map(e -> new String(Topics.ENGINE_EVENTS.valueSerde().serializer().serialize(Topics.ENGINE_EVENTS.name(), e),
                        StandardCharsets.UTF_8))
                .toList();
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(run.err()).contains("Wrote " + String.format("%,d", expected.size()) + " events")
                .as("progress as plain lines when not on a terminal").contains("export");
    }

    @Test
    void shouldRefuseBadArgumentsWithAClearMessage() {
        Run unknown = replay("--jsonl", "-", "--market", "DOGE-USD");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no market 'DOGE-USD'");
        Run from = replay("--compare", "--from", "-1h");
        assertThat(from.exit()).isEqualTo(2);
        assertThat(from.err()).contains("--from does not apply to --compare");
        Run time = replay("--publish", "--from", "yesterday");
        assertThat(time.exit()).isEqualTo(2);
        assertThat(time.err()).contains("--from: 'yesterday' is not a time");
        Run speed = replay("--publish", "--speed", "fast");
        assertThat(speed.exit()).isEqualTo(2);
        assertThat(speed.err()).contains("is not a speed");
        Run two = replay("--publish", "--compare");
        assertThat(two.exit()).isEqualTo(2);
        assertThat(two.err()).contains("mutually exclusive");
    }

    @Test
    void shouldShowTheRangeToAWebSocketClientThroughTheEdgeAtTenTimesSpeed() throws Exception {
        String session = "it-show";
        try (TextWebSocket ws = new TextWebSocket(edge.port())) {
            ws.send("{\"op\":\"subscribe\",\"id\":1,\"ch\":[\"replay.it-show\",\"replay.it-show.book.BTC-USD\","
                    + "\"replay.it-show.trades.BTC-USD\"]}");
            JsonNode ok = ws.next(Duration.ofSeconds(10)).json();
            assertThat(ok.get("op").asText()).as(ok.toString()).isEqualTo("ok");

            try (var connection = client.connect()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> connection.sync().pubsubNumsub(
                        RedisKeys.pubsub("replay.it-show"), RedisKeys.pubsub("replay.it-show.book.BTC-USD"),
                        RedisKeys.pubsub("replay.it-show.trades.BTC-USD")).values().stream().allMatch(n -> n == 1));
            }
            CompletableFuture<Run> show = CompletableFuture.supplyAsync(() -> replay("--publish", "--session", session,
                    "--market", BTC, "--from", String.valueOf(T1), "--to", String.valueOf(T2), "--speed", "10x",
                    "--wait-for-subscriber", "20", "--no-progress"));

            List<TextWebSocket.Received> messages = new ArrayList<>();
            while (true) {
                TextWebSocket.Received m = ws.next(Duration.ofSeconds(30));
                messages.add(m);
                if (m.json().path("ch").asText().equals("replay.it-show") && m.json().path("type").asText().equals("end")) {
                    break;
                }
            }
            Run run = show.get();
            assertThat(run.exit()).as(run.out() + run.err()).isZero();

            List<EngineEvent> shown = history.events().stream().filter(e -> e.market().equals(BTC) && e.ts() >= T1 && e.ts() < T2)
                    .toList();
            JsonNode start = messages.get(0).json();
            assertThat(start.get("type").asText()).isEqualTo("start");
            assertThat(start.get("speed").asText()).isEqualTo("10x");
            assertThat(start.get("markets")).extracting(JsonNode::asText).containsExactly(BTC);

            // the book: a snapshot of the state at the start, then deltas that chain and check out
            MarketSpec spec = CATALOG.get(BTC);
            L2Book client = new L2Book(spec);
            long u = -1;
            for (TextWebSocket.Received m : messages) {
                JsonNode json = m.json();
                if (!json.path("ch").asText().equals("replay.it-show.book.BTC-USD")) {
                    continue;
                }
                if (u < 0) {
                    assertThat(json.get("type").asText()).isEqualTo("snapshot");
                    client.replace(priceLevels(json.get("bids")), priceLevels(json.get("asks")));
                    assertThat(client.copyOf(Side.BUY)).as("the book as it was at --from").isNotEmpty()
                            .isEqualTo(bookBefore(T1).copyOf(Side.BUY));
                    assertThat(client.copyOf(Side.SELL)).isEqualTo(bookBefore(T1).copyOf(Side.SELL));
                } else {
                    assertThat(json.get("type").asText()).isEqualTo("delta");
                    assertThat(json.get("U").asLong()).isEqualTo(u + 1);
                    client.apply(priceLevels(json.get("bids")), priceLevels(json.get("asks")));
                }
                assertThat(client.checksum()).isEqualTo(json.get("cs").asLong());
                u = json.get("u").asLong();
            }
            assertThat(u).as("the last book change of the range").isEqualTo(shown.stream().filter(e -> e instanceof OrderRested
                    || e instanceof Trade || e instanceof OrderReduced || (e instanceof OrderCancelled c && c.wasResting()))
                    .mapToLong(EngineEvent::seq).max().orElseThrow());
            assertThat(client.copyOf(Side.BUY)).isEqualTo(bookBefore(T2).copyOf(Side.BUY));
            assertThat(client.copyOf(Side.SELL)).isEqualTo(bookBefore(T2).copyOf(Side.SELL));

            // every trade of the range, once, in order
            List<Long> tradeIds = messages.stream().map(TextWebSocket.Received::json)
                    .filter(j -> j.path("ch").asText().equals("replay.it-show.trades.BTC-USD"))
                    .map(j -> j.get("id").asLong()).toList();
            assertThat(tradeIds).isNotEmpty().isEqualTo(shown.stream().filter(e -> e instanceof Trade)
                    .map(e -> ((Trade) e).tradeId()).toList());

            // paced: the range's event time over ten, at least
            long eventSpan = shown.get(shown.size() - 1).ts() - shown.get(0).ts();
            long wallMillis = (messages.get(messages.size() - 1).nanos() - messages.get(0).nanos()) / 1_000_000;
            assertThat(eventSpan).isGreaterThan(15_000);
            assertThat(wallMillis).isGreaterThanOrEqualTo(eventSpan / 10 * 9 / 10).isLessThan(eventSpan / 10 + 15_000);
            assertThat(messages.get(messages.size() - 1).json().get("events").asLong()).isEqualTo(shown.size());
        }
    }

    /** The BTC book from the events with {@code ts} before {@code time}, folded here by the rules in docs/topics.md. */
    private static L2Book bookBefore(long time) {
        MarketSpec spec = CATALOG.get(BTC);
        L2Book book = new L2Book(spec);
        for (EngineEvent e : history.events()) {
            if (!e.market().equals(BTC) || e.ts() >= time) {
                continue;
            }
            if (e instanceof OrderRested r) {
                book.add(r.side(), spec.parsePrice(r.price()), spec.parseQty(r.qty()));
            } else if (e instanceof Trade t) {
                book.add(t.takerSide().opposite(), spec.parsePrice(t.price()), -spec.parseQty(t.qty()));
            } else if (e instanceof OrderCancelled c && c.wasResting()) {
                book.add(c.side(), spec.parsePrice(c.price()), -spec.parseQty(c.remainingQty()));
            } else if (e instanceof OrderReduced r) {
                book.add(r.side(), spec.parsePrice(r.price()), -spec.parseQty(r.reducedBy()));
            }
        }
        return book;
    }

    private static List<PriceLevel> priceLevels(JsonNode levels) {
        List<PriceLevel> out = new ArrayList<>();
        levels.forEach(l -> out.add(new PriceLevel(l.get(0).asText(), l.get(1).asText())));
        return out;
    }

    private static Map<Long, Long> levels(List<PriceLevel> levels, MarketSpec spec) {
        Map<Long, Long> out = new java.util.TreeMap<>();
        levels.forEach(l -> out.put(spec.parsePrice(l.price()), spec.parseQty(l.qty())));
        return out;
    }
}
