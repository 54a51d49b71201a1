package io.marketstream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.kafka.Topics;

/**
 * Two engine processes share the markets through the consumer group while 12,000 commands stream
 * in; at random points one of them is killed with SIGKILL (no shutdown hook, no flush, no commit) and
 * started again, so the other takes its partition over and then gives it back. Afterwards the event
 * log, with replayed {@code seq}s dropped, must equal the log of an uninterrupted in-memory run of
 * the same command log, every replayed event must equal the one it repeats, and the last snapshot
 * of each partition must carry the state hash of that uninterrupted run.
 */
class EngineCrashIT {
    private static final Logger log = LoggerFactory.getLogger(EngineCrashIT.class);
    private static final int COMMANDS = 12_000;
    private static final int CHUNK = 500;
    private static final String GROUP = "engine-crash-it";
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = EngineKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    /** An engine JVM of its own, so that killing it is a real crash. */
    private static final class EngineJvm {
        private final String name;
        private Process process;
        private int starts;

        EngineJvm(String name) {
            this.name = name;
        }

        void start() throws IOException {
            start(-1);
        }

        /** Starts the engine; with {@code crashAfterEvents} > 0 it halts itself after sending that many events. */
        void start(long crashAfterEvents) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            Path logFile = Path.of("target", "crash-it-" + name + "-" + ++starts + ".log");
            Files.createDirectories(logFile.getParent());
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path")));
            if (crashAfterEvents > 0) {
                cmd.add("-Dcrash.after.events=" + crashAfterEvents);
            }
            cmd.addAll(List.of(EngineProcess.class.getName(), kafka.bootstrapServers(), GROUP, name));
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        }

        String logs() throws IOException {
            StringBuilder all = new StringBuilder();
            for (int i = 1; i <= starts; i++) {
                all.append(Files.readString(Path.of("target", "crash-it-" + name + "-" + i + ".log")));
            }
            return all.toString();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void killedAndRestartedEnginesProduceTheLogOfAnUninterruptedRun() throws Exception {
        assertThat(EngineService.partitionOf("BTC-USD", 2)).as("the two markets are on different partitions")
                .isNotEqualTo(EngineService.partitionOf("ETH-USD", 2));
        Random random = new Random(20261121);
        List<OrderCommand> commands = new ArrayList<>(COMMANDS);
        for (int i = 0; i < COMMANDS; i++) {
            String market = i % 2 == 0 ? "BTC-USD" : "ETH-USD";
            commands.add(MatchingEnginePropertyTest.decode(i / 2, random.nextInt(Integer.MAX_VALUE), market, 1 + i));
        }

        EngineJvm a = new EngineJvm("a");
        EngineJvm b = new EngineJvm("b");
        a.start();
        b.start();
        int kills = 0;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int from = 0; from < COMMANDS; from += CHUNK) {
                for (OrderCommand c : commands.subList(from, Math.min(COMMANDS, from + CHUNK))) {
                    producer.send(new ProducerRecord<>(Topics.ORDER_COMMANDS.name(), c.market(), Json.writeBytes(c)));
                }
                producer.flush();
                if (random.nextInt(3) == 0) {
                    EngineJvm victim = random.nextBoolean() ? a : b;
                    log.info("Killing engine {} after {} commands", victim.name, from + CHUNK);
                    victim.kill();
                    kills++;
                    Thread.sleep(random.nextInt(1_000));
                    // every other restart crashes by itself in the middle of a batch, between
                    // sending events and committing the offsets of their commands
                    victim.start(kills % 2 == 1 ? 1 + random.nextInt(3_000) : -1);
                } else {
                    // paced so that the engines work while the stream arrives and kills land mid-stream
                    Thread.sleep(300 + random.nextInt(500));
                }
            }
        }
        assertThat(kills).as("engines killed mid-stream").isGreaterThanOrEqualTo(3);
        // once both partitions have snapshots, kill both engines once more: each restart must
        // restore a snapshot and replay only the commands after it
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                readAll(Topics.ENGINE_SNAPSHOTS.name(), 0).stream()
                        .map(r -> Json.read(r.value(), PartitionSnapshot.class))
                        .filter(s -> s.offset() > 0).map(PartitionSnapshot::partition).distinct().count() == 2);
        a.kill();
        b.kill();
        a.start();
        b.start();

        // the uninterrupted run: the command log as stored, in partition order, into one fresh engine
        MatchingEngine reference = new MatchingEngine(CrashTestMarkets.CATALOG);
        Map<String, List<EngineEvent>> expected = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(Topics.ORDER_COMMANDS.name(), COMMANDS)) {
            OrderCommand c = Json.read(r.value(), OrderCommand.class);
            for (EngineEvent e : reference.process(c, c.ts())) {
                expected.computeIfAbsent(e.market(), m -> new ArrayList<>()).add(e);
            }
        }
        int expectedEvents = expected.values().stream().mapToInt(List::size).sum();

        Map<String, Map<Long, EngineEvent>> deduplicated = new TreeMap<>();
        int[] replayed = {0};
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            deduplicated.clear();
            replayed[0] = 0;
            for (ConsumerRecord<String, byte[]> r : readAll(Topics.ENGINE_EVENTS.name(), 0)) {
                EngineEvent e = Json.read(r.value(), EngineEvent.class);
                EngineEvent first = deduplicated.computeIfAbsent(e.market(), m -> new LinkedHashMap<>())
                        .putIfAbsent(e.seq(), e);
                if (first != null) {
                    assertThat(e).as("a replayed event repeats the first exactly").isEqualTo(first);
                    replayed[0]++;
                }
            }
            return deduplicated.values().stream().mapToInt(Map::size).sum() >= expectedEvents;
        });
        for (Map.Entry<String, List<EngineEvent>> market : expected.entrySet()) {
            List<EngineEvent> actual = new ArrayList<>(deduplicated.get(market.getKey()).values());
            actual.sort((x, y) -> Long.compare(x.seq(), y.seq()));
            assertThat(actual).as("deduplicated log of " + market.getKey()).isEqualTo(market.getValue());
        }
        log.info("{} events expected, {} replayed duplicates dropped, {} kills", expectedEvents, replayed[0], kills);

        // each partition's last snapshot covers the whole log and carries the uninterrupted run's hash
        Map<Integer, PartitionSnapshot> latest = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            for (ConsumerRecord<String, byte[]> r : readAll(Topics.ENGINE_SNAPSHOTS.name(), 0)) {
                PartitionSnapshot s = Json.read(r.value(), PartitionSnapshot.class);
                latest.put(s.partition(), s);
            }
            return latest.size() == 2 && latest.values().stream().allMatch(s -> s.offset() == COMMANDS / 2);
        });
        for (PartitionSnapshot s : latest.values()) {
            List<String> markets = s.markets().stream().map(MarketSnapshot::market).toList();
            assertThat(s.stateHash()).as("hash of " + markets).isEqualTo(reference.stateHash(markets));
        }
        a.stop();
        b.stop();
        assertThat(replayed[0]).as("some events were sent again after a crash").isPositive();
        String logs = a.logs() + b.logs();
        assertThat(logs).as("restarts restored snapshots").contains("restored from the snapshot at offset");
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic, int atLeast) {
        Properties c = new Properties();
        c.put("bootstrap.servers", kafka.bootstrapServers());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            if (partitions.isEmpty()) {
                return out; // not created yet (the engine creates the snapshot topic when it starts)
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp)) && out.size() >= atLeast;
            });
        }
        out.sort((x, y) -> x.partition() != y.partition() ? Integer.compare(x.partition(), y.partition())
                : Long.compare(x.offset(), y.offset()));
        return out;
    }
}
