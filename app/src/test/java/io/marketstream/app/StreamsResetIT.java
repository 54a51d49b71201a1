package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.tools.StreamsResetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.RedisKeys;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.redis.RedisClients;
import io.marketstream.redis.RedisMarketDataReader;

/**
 * The full recompute of the streams job's state that docs/replay-and-analytics.md describes, done for real:
 * run the job over events, record what it left in Redis, stop it, reset the application with Kafka's own
 * StreamsResetter (input offsets to the beginning, changelogs deleted), empty Redis, start the job again with
 * empty local state, and find the same market data.
 */
class StreamsResetIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static final String APPLICATION_ID = "marketstream-streams";

    @Test
    void shouldRecomputeTheSameMarketDataAfterAnApplicationReset(@TempDir Path dir) throws Exception {
        long t0 = (System.currentTimeMillis() - 20 * 60_000) / 60_000 * 60_000;
        HistoricalEvents history = new HistoricalEvents(CATALOG, 21).fund(t0).trade(200, t0 + 1_000, 400)
                .trade(1, t0 + 200_000, 1_000);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedRedis redis = EmbeddedRedis.start()) {
            RedisClient client = RedisClients.create(redis.uri());
            try (var connection = client.connect()) {
                RedisCommands<String, String> commands = connection.sync();
                Map<String, Object> recorded;
                try (Roles first = new Roles(kafka.bootstrapServers(), redis.uri(), CATALOG)) {
                    first.streams(dir.resolve("state-1"));
                    history.produce(kafka.bootstrapServers(), 0);
                    awaitFolded(client, history);
                    recorded = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                            .until(() -> marketData(commands), state -> state.equals(marketData(commands)));
                }
                assertThat(recorded).containsKeys(RedisKeys.bookBids("BTC-USD"), RedisKeys.ticker("ETH-USD"),
                        RedisKeys.klines("BTC-USD", io.marketstream.protocol.marketdata.KlineInterval.M1),
                        RedisKeys.accountBalances(1));

                int exit = new StreamsResetter().execute(new String[] {"--bootstrap-server", kafka.bootstrapServers(),
                        "--application-id", APPLICATION_ID, "--input-topics", Topics.ENGINE_EVENTS.name(), "--force"});
                assertThat(exit).isZero();
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                    Set<String> topics = admin.listTopics().names().get();
                    assertThat(topics).as("changelogs deleted").noneMatch(t -> t.startsWith(APPLICATION_ID + "-"));
                    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(APPLICATION_ID)
                            .partitionsToOffsetAndMetadata().get();
                    assertThat(offsets).as("input offsets back at the beginning").isNotEmpty()
                            .allSatisfy((tp, offset) -> assertThat(offset.offset()).isZero());
                }
                commands.flushall();

                try (Roles second = new Roles(kafka.bootstrapServers(), redis.uri(), CATALOG)) {
                    second.streams(dir.resolve("state-2"));
                    awaitFolded(client, history);
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                            .untilAsserted(() -> assertThat(marketData(commands)).isEqualTo(recorded));
                }
            } finally {
                client.shutdown();
            }
        }
    }

    private static void awaitFolded(RedisClient client, HistoricalEvents history) {
        try (RedisMarketDataReader live = new RedisMarketDataReader(client, CATALOG)) {
            await().atMost(Duration.ofSeconds(90)).until(() -> CATALOG.all().stream().allMatch(m ->
                    live.book(m.symbol(), 1).lastSeq() == history.lastBookSeq(m.symbol())));
        }
    }

    /**
     * Everything the streams job keeps in Redis that is a function of the events: books, trade tapes and sequences,
     * tickers, candles, balances, per-account positions. Left out: the channels' histories and the counters Redis
     * numbers candle, ticker and private messages with (how many messages a state took depends on how much the
     * writer merged under load), and so the {@code seq} inside those messages.
     */
    private static Map<String, Object> marketData(RedisCommands<String, String> redis) {
        Map<String, Object> out = new TreeMap<>();
        for (String key : redis.keys(RedisKeys.PREFIX + "*")) {
            if (key.contains(":hist:") || key.endsWith(":ver") || key.contains(":seq:")
                    || (key.endsWith(":seq") && (key.contains(":ticker") || key.contains(":kline:")))) {
                continue;
            }
            switch (redis.type(key)) {
                case "string" -> out.put(key, key.endsWith(":ticker") ? withoutSeq(redis.get(key)) : redis.get(key));
                case "hash" -> {
                    Map<String, String> hash = new TreeMap<>(redis.hgetall(key));
                    if (key.endsWith(":balances")) {
                        hash.replaceAll((field, json) -> withoutSeq(json));
                    }
                    out.put(key, hash);
                }
                case "list" -> out.put(key, redis.lrange(key, 0, -1));
                case "zset" -> {
                    Map<String, Double> members = new LinkedHashMap<>();
                    redis.zrangeWithScores(key, 0, -1).forEach(v -> members.put(withoutSeq(v.getValue()), v.getScore()));
                    out.put(key, members);
                }
                default -> out.put(key, "unexpected type " + redis.type(key));
            }
        }
        return out;
    }

    private static String withoutSeq(String json) {
        ObjectNode node = Json.read(json, ObjectNode.class);
        node.remove("seq");
        return node.toString();
    }
}
