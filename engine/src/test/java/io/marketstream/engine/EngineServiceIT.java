package io.marketstream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.protocol.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.kafka.Topics;

/** The engine between real Kafka topics, stopped and started again in the middle of the stream. */
class EngineServiceIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static EmbeddedKafka kafka;

    @BeforeEach
    void start() throws Exception {
        kafka = EngineKafka.start();
    }

    @AfterEach
    void stop() {
        kafka.close();
    }

    private static List<OrderCommand> randomCommands(int count, long seed) {
        Random random = new Random(seed);
        List<OrderCommand> out = new ArrayList<>();
        for (String market : List.of("BTC-USD", "ETH-USD")) {
            for (long account = 1; account <= 3; account++) {
                out.add(new Deposit("d" + seed + market + account + "b", market, account, market.substring(0, 3), "1000", 1));
                out.add(new Deposit("d" + seed + market + account + "q", market, account, "USD", "1000000", 1));
            }
        }
        for (int i = 0; i < count; i++) {
            String market = random.nextBoolean() ? "BTC-USD" : "ETH-USD";
            if (random.nextInt(4) == 0) {
                out.add(new CancelOrder("k" + seed + "-" + i, market, 1 + random.nextInt(3), 1 + random.nextInt(i + 1), 1));
            } else {
                out.add(new PlaceLimitOrder("p" + seed + "-" + i, market, 1 + random.nextInt(3), "o" + i,
                        random.nextBoolean() ? Side.BUY : Side.SELL, (95 + random.nextInt(10)) + ".00", "1.0000", 1));
            }
        }
        return out;
    }

    private static void send(List<OrderCommand> commands) throws Exception {
        send(commands, List.of());
    }

    private static void send(List<OrderCommand> commands, List<ProducerRecord<String, byte[]>> extra) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (OrderCommand c : commands) {
                producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), c.market(), Json.writeBytes(c)));
            }
            producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), "BTC-USD",
                    "garbage".getBytes(StandardCharsets.UTF_8)));
            extra.forEach(producer::send);
            producer.flush();
        }
    }

    /** Every event on the topic, read to its end offsets (and at least {@code expected} of them). */
    private static List<EngineEvent> readAllEvents(int expected) {
        Properties c = new Properties();
        c.put("bootstrap.servers", kafka.bootstrapServers());
        List<EngineEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, EngineEvent> consumer = new KafkaConsumer<>(c,
                Topics.ENGINE_EVENTS.keySerde().deserializer(), Topics.ENGINE_EVENTS.valueSerde().deserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(Topics.ENGINE_EVENTS.name(), 0),
                    new TopicPartition(Topics.ENGINE_EVENTS.name(), 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, EngineEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    events.add(r.value());
                }
                return events.size() >= expected
                        && partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return events;
    }

    @Test
    void restartedEngineContinuesTheSameSequenceWithoutLosingOrChangingEvents() throws Exception {
        List<OrderCommand> first = randomCommands(2_000, 1);
        List<OrderCommand> second = randomCommands(2_000, 2);

        MatchingEngine reference = new MatchingEngine(CATALOG);
        Map<String, List<EngineEvent>> expected = new TreeMap<>();
        for (OrderCommand c : first) {
            reference.process(c, 1).forEach(e -> expected.computeIfAbsent(e.market(), m -> new ArrayList<>()).add(e));
        }
        int expectedAfterFirst = expected.values().stream().mapToInt(List::size).sum();
        for (OrderCommand c : second) {
            reference.process(c, 1).forEach(e -> expected.computeIfAbsent(e.market(), m -> new ArrayList<>()).add(e));
        }
        int expectedTotal = expected.values().stream().mapToInt(List::size).sum();

        EngineService engine = new EngineService(new MatchingEngine(CATALOG), kafka.bootstrapServers(), "engine-it",
                500, Duration.ofSeconds(30), new SimpleMeterRegistry());
        Thread thread = new Thread(engine, "engine-1");
        thread.start();
        send(first);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                engine.commandsProcessed() == first.size() && engine.deadLettered() == 1);
        engine.close();
        thread.join(10_000);

        // a fresh engine (empty state) restores the latest snapshot, replays the commands after it, then carries on
        EngineService restarted = new EngineService(new MatchingEngine(CATALOG), kafka.bootstrapServers(), "engine-it",
                500, Duration.ofSeconds(30), new SimpleMeterRegistry());
        Thread thread2 = new Thread(restarted, "engine-2");
        thread2.start();
        // besides the commands: JSON null (dead-lettered), and a BTC-USD command on ETH-USD's partition
        // (answered with a rejection outside the market's sequence, the market's state untouched)
        int btcPartition = EngineService.partitionOf("BTC-USD", 2);
        OrderCommand misrouted = new PlaceLimitOrder("misrouted", "BTC-USD", 1, "m", Side.BUY, "1.00", "1.0000", 1);
        send(second, List.of(
                new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), 1 - btcPartition, "BTC-USD", Json.writeBytes(misrouted)),
                new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), "BTC-USD", "null".getBytes(StandardCharsets.UTF_8)),
                new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), "BTC-USD",
                        ("{\"type\":\"deposit\",\"pad\":\"" + "x".repeat(100_000) + "\"}").getBytes(StandardCharsets.UTF_8))));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                restarted.commandsProcessed() == second.size() + 1 && restarted.deadLettered() == 3);
        // replayed commands are not counted or dead-lettered again; the new garbage, the null and the
        // oversized record are dead-lettered
        restarted.close();
        thread2.join(10_000);

        List<EngineEvent> actual = readAllEvents(expectedTotal + 1);
        Map<String, List<EngineEvent>> byMarket = new TreeMap<>();
        List<EngineEvent> outsideSequence = new ArrayList<>();
        for (EngineEvent e : actual) {
            if (e.seq() == 0) {
                outsideSequence.add(e);
            } else {
                byMarket.computeIfAbsent(e.market(), m -> new ArrayList<>()).add(e);
            }
        }
        assertThat(actual).hasSize(expectedTotal + 1);
        assertThat(outsideSequence).singleElement().satisfies(e -> {
            assertThat(e.commandId()).isEqualTo("misrouted");
            assertThat(((OrderRejected) e).reason()).isEqualTo(RejectReason.WRONG_PARTITION);
        });
        assertThat(expectedAfterFirst).isLessThan(expectedTotal);
        assertThat(byMarket).isEqualTo(expected);
    }

    @Test
    void twoInstancesSplitTheMarketsAndTheSurvivorTakesOverWhenOneStops() throws Exception {
        String group = "engine-split-it";
        List<OrderCommand> before = randomCommands(1_000, 3);
        List<OrderCommand> after = randomCommands(1_000, 4).stream().filter(c -> !(c instanceof Deposit)).toList();
        MatchingEngine reference = new MatchingEngine(CATALOG);
        Map<String, List<EngineEvent>> expected = new TreeMap<>();
        for (OrderCommand c : before) {
            reference.process(c, 1).forEach(e -> expected.computeIfAbsent(e.market(), m -> new ArrayList<>()).add(e));
        }
        for (OrderCommand c : after) {
            reference.process(c, 1).forEach(e -> expected.computeIfAbsent(e.market(), m -> new ArrayList<>()).add(e));
        }

        EngineService a = new EngineService(new MatchingEngine(CATALOG), kafka.bootstrapServers(), group,
                300, Duration.ofSeconds(30), new SimpleMeterRegistry());
        EngineService b = new EngineService(new MatchingEngine(CATALOG), kafka.bootstrapServers(), group,
                300, Duration.ofSeconds(30), new SimpleMeterRegistry());
        Thread ta = new Thread(a, "engine-a");
        Thread tb = new Thread(b, "engine-b");
        ta.start();
        tb.start();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                a.assignedMarkets().size() == 1 && b.assignedMarkets().size() == 1);
        assertThat(a.assignedMarkets()).doesNotContainAnyElementsOf(b.assignedMarkets());
        send(before);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                a.commandsProcessed() + b.commandsProcessed() == before.size());
        assertThat(a.commandsProcessed()).as("a ran one market").isPositive();
        assertThat(b.commandsProcessed()).as("b ran the other").isPositive();

        b.close();
        tb.join(10_000);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.assignedMarkets().size() == 2);
        send(after);
        int total = expected.values().stream().mapToInt(List::size).sum();
        Map<String, List<EngineEvent>> actual = new TreeMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Map<String, Map<Long, EngineEvent>> deduplicated = new TreeMap<>();
            for (EngineEvent e : readAllEvents(0)) {
                deduplicated.computeIfAbsent(e.market(), m -> new LinkedHashMap<>()).putIfAbsent(e.seq(), e);
            }
            actual.clear();
            deduplicated.forEach((m, events) -> actual.put(m, new ArrayList<>(events.values())));
            return actual.values().stream().mapToInt(List::size).sum() >= total;
        });
        a.close();
        ta.join(10_000);
        assertThat(actual).isEqualTo(expected);
    }
}
