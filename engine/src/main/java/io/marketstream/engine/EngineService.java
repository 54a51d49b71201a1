package io.marketstream.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.kafka.Topics;

/**
 * Runs a {@link MatchingEngine} between Kafka topics: commands in from
 * {@link Topics#ORDER_COMMANDS}, events out to {@link Topics#ENGINE_EVENTS} keyed by market.
 *
 * <p>Durability (the foundation's scheme): offsets are committed only after the batch's events are
 * acknowledged by the broker. The engine's state lives in memory and is rebuilt from the command
 * log: when a partition is assigned, its markets are reset and every command from the start of the
 * partition up to the committed offset is replayed silently (the engine is deterministic, so this
 * yields the same state); commands after it are processed live. A crash between sending events and
 * committing therefore re-sends a suffix of events with the same {@code seq}s, which consumers drop.
 *
 * <p>A record that is not a readable command goes to {@link Topics#ORDER_COMMANDS_DEAD_LETTER} with
 * the reason, is logged and counted, and is skipped: the engine never stops on bad input.
 */
public final class EngineService implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineService.class);

    private final MatchingEngine engine;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, EngineEvent> producer;
    private final KafkaProducer<String, byte[]> deadLetters;
    private final Map<TopicPartition, Long> replayUntil = new HashMap<>();
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    private final AtomicLong commandsProcessed = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    public EngineService(MatchingEngine engine, String bootstrapServers, String groupId) {
        this.engine = engine;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-events");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), Topics.ENGINE_EVENTS.valueSerde().serializer());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-dead-letters");
        this.deadLetters = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topics.ORDER_COMMANDS.name()), new Rebalance());
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    caughtUp = replayUntil.isEmpty() || allReplayed();
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, byte[]> record : records) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    boolean replay = record.offset() < replayUntil.getOrDefault(tp, 0L);
                    handle(record, replay);
                    if (!replay) {
                        offsets.put(tp, new OffsetAndMetadata(record.offset() + 1));
                    }
                }
                if (!offsets.isEmpty()) {
                    producer.flush();
                    deadLetters.flush();
                    consumer.commitSync(offsets);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("Engine stopped on an unexpected error", e);
            throw e;
        } finally {
            closeClients();
            stopped.countDown();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record, boolean replay) {
        OrderCommand command;
        try {
            command = Json.read(record.value() == null ? new byte[0] : record.value(), OrderCommand.class);
        } catch (RuntimeException e) {
            if (!replay) {
                deadLetter(record, e.getMessage());
            }
            return;
        }
        if (command == null) {
            if (!replay) {
                deadLetter(record, "not a command: JSON null");
            }
            return;
        }
        long ts = command.ts() > 0 ? command.ts() : record.timestamp();
        List<EngineEvent> events;
        int expected = engine.catalog().find(command.market())
                .map(spec -> partitionOf(spec.symbol(), partitionCount(record.topic()))).orElse(record.partition());
        if (expected != record.partition()) {
            // A market's commands must all be in its partition, or a replay of that partition would
            // not see this one and the rebuilt state would differ from what was published.
            events = List.of(MatchingEngine.rejectOutsideSequence(command, ts, RejectReason.WRONG_PARTITION,
                    "commands for " + command.market() + " must be keyed by the market (partition " + expected
                            + "), this one was on partition " + record.partition()));
        } else {
            events = engine.process(command, ts);
        }
        commandsProcessed.incrementAndGet();
        if (replay) {
            return;
        }
        for (EngineEvent event : events) {
            producer.send(new ProducerRecord<>(Topics.ENGINE_EVENTS.name(), event.market(), event), (md, ex) -> {
                if (ex != null) {
                    log.error("Could not write event {} of {}; stopping so that a restart replays it",
                            event.seq(), event.market(), ex);
                    running = false;
                    consumer.wakeup();
                }
            });
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        deadLettered.incrementAndGet();
        log.warn("Unreadable command at {}-{}@{} sent to {}: {}", record.topic(), record.partition(),
                record.offset(), Topics.ORDER_COMMANDS_DEAD_LETTER.name(), reason);
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(Topics.ORDER_COMMANDS_DEAD_LETTER.name(),
                record.key(), record.value());
        out.headers().add(Topics.ERROR_HEADER, String.valueOf(reason).getBytes(StandardCharsets.UTF_8));
        deadLetters.send(out, (md, ex) -> {
            if (ex != null) {
                log.error("Could not dead-letter {}-{}@{}; stopping so that a restart retries it",
                        record.topic(), record.partition(), record.offset(), ex);
                running = false;
                consumer.wakeup();
            }
        });
    }

    private boolean allReplayed() {
        for (Map.Entry<TopicPartition, Long> e : replayUntil.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Rebuilds the state of newly assigned partitions' markets from the command log. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            caughtUp = false;
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
            for (TopicPartition tp : partitions) {
                int count = partitionCount(tp.topic());
                for (MarketSpec spec : engine.catalog().all()) {
                    if (partitionOf(spec.symbol(), count) == tp.partition()) {
                        engine.reset(spec.symbol());
                    }
                }
                OffsetAndMetadata offset = committed.get(tp);
                replayUntil.put(tp, offset == null ? 0L : offset.offset());
            }
            consumer.seekToBeginning(partitions);
            log.info("Assigned {}; replaying commands up to {}", partitions, replayUntil);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(replayUntil::remove);
        }
    }

    private int partitionCount(String topic) {
        return partitionCounts.computeIfAbsent(topic, t -> consumer.partitionsFor(t).size());
    }

    /** The partition Kafka's default partitioner gives a market's key. */
    static int partitionOf(String market, int partitions) {
        return Utils.toPositive(Utils.murmur2(market.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** True once the assigned partitions' histories have been replayed (state rebuilt). */
    public boolean isCaughtUp() {
        return caughtUp;
    }

    public long commandsProcessed() {
        return commandsProcessed.get();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    private void closeClients() {
        try {
            producer.close(Duration.ofSeconds(5));
            deadLetters.close(Duration.ofSeconds(5));
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Stops the loop after the batch in hand and closes the clients; waits up to 10 s. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            stopped.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
