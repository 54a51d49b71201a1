package io.marketstream.engine;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.OrderCommandReader;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.kafka.Topics;

/**
 * Runs a {@link MatchingEngine} between Kafka topics: commands in from {@link Topics#ORDER_COMMANDS}
 * (partitioned by market), events out to {@link Topics#ENGINE_EVENTS} keyed by market. Instances
 * with the same group id split the command partitions, and so the markets, between them; when one
 * stops, the others take its partitions over.
 *
 * <p><b>Effectively once, by deterministic replay.</b> Offsets are committed only after the batch's
 * events are acknowledged by the broker. The engine's state lives in memory; every
 * {@code snapshotEvery} commands (or after {@code snapshotInterval} with any change), right after a
 * commit, the state of each partition's markets is written to {@link Topics#ENGINE_SNAPSHOTS} with
 * the command offset it reflects and its state hash. When a partition is assigned, its markets are
 * restored from the latest snapshot (or reset when there is none) and the commands from the
 * snapshot's offset up to the committed offset are replayed silently; commands after that are
 * processed live. A crash between sending events and committing therefore re-sends a suffix of
 * events with the same {@code seq}s and payloads, which consumers drop; restart time is bounded by
 * the snapshot period, not by history.
 *
 * <p>A record that is not a readable command (not JSON, no known type, larger than
 * {@value #MAX_RECORD_BYTES} bytes) goes to {@link Topics#ORDER_COMMANDS_DEAD_LETTER} with the reason,
 * is logged and counted ({@code marketstream.engine.dead.letters}), and is skipped: the engine never
 * stops on bad input.
 */
public final class EngineService implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineService.class);
    /** Largest command record read; anything larger is dead-lettered unread. */
    public static final int MAX_RECORD_BYTES = 64 * 1024;

    private final MatchingEngine engine;
    private final String groupId;
    private final String bootstrapServers;
    private final long snapshotEvery;
    private final long snapshotIntervalNanos;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, EngineEvent> producer;
    private final KafkaProducer<String, byte[]> deadLetters;
    private final KafkaProducer<String, byte[]> snapshots;
    /** The command consumer's and the event producer's own metrics (lag, request latencies) in the registry. */
    private final List<KafkaClientMetrics> clientMetrics;
    private final Map<TopicPartition, Long> replayUntil = new HashMap<>();
    private final Map<TopicPartition, Long> sinceSnapshot = new HashMap<>();
    private final Map<TopicPartition, Long> lastSnapshotNanos = new HashMap<>();
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    /**
     * The command-topic partition of each catalog market, found on its first command (hashing the
     * key on every command cost more than a map lookup); the one topic subscribed is the command topic.
     */
    private final Map<String, Integer> commandPartitions = new HashMap<>();
    private final AtomicLong commands = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong snapshotsWritten = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile List<String> assignedMarkets = List.of();

    /** An engine with the default snapshot policy (every 50,000 commands or 30 s) and the global registry. */
    public EngineService(MatchingEngine engine, String bootstrapServers, String groupId) {
        this(engine, bootstrapServers, groupId, 50_000, Duration.ofSeconds(30), Metrics.globalRegistry);
    }

    /**
     * @param snapshotEvery    commands of a partition after which it is snapshotted
     * @param snapshotInterval time after which a partition with any new command is snapshotted
     */
    public EngineService(MatchingEngine engine, String bootstrapServers, String groupId, long snapshotEvery,
                         Duration snapshotInterval, MeterRegistry registry) {
        this(engine, bootstrapServers, groupId, snapshotEvery, snapshotInterval, registry, Map.of(), Map.of());
    }

    /**
     * @param consumerOverrides extra Kafka consumer settings (security, timeouts), applied last
     * @param producerOverrides extra Kafka producer settings for every producer, applied last
     */
    public EngineService(MatchingEngine engine, String bootstrapServers, String groupId, long snapshotEvery,
                         Duration snapshotInterval, MeterRegistry registry, Map<String, ?> consumerOverrides,
                         Map<String, ?> producerOverrides) {
        this.engine = engine;
        this.groupId = groupId;
        this.bootstrapServers = bootstrapServers;
        this.snapshotEvery = snapshotEvery;
        this.snapshotIntervalNanos = snapshotInterval.toNanos();
        FunctionCounter.builder("marketstream.engine.commands", commands, AtomicLong::get).tag("group", groupId)
                .description("command records processed live").register(registry);
        FunctionCounter.builder("marketstream.engine.dead.letters", deadLettered, AtomicLong::get).tag("group", groupId)
                .description("unreadable command records sent to the dead-letter topic").register(registry);
        FunctionCounter.builder("marketstream.engine.snapshots", snapshotsWritten, AtomicLong::get).tag("group", groupId)
                .description("state snapshots written").register(registry);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        // a dead instance's markets move to the others after this long without heartbeats
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        c.putAll(consumerOverrides);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Every poll's events are flushed before its offsets are committed, which sends what is
        // lingering at once: linger.ms delays no event past the end of its poll. Within a poll it
        // turns a stream of small produce requests into a few large ones, which costs the broker
        // and the producer's network thread far less CPU per event.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        // below the broker's default message.max.bytes (1 MiB)
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        // no compression by default: it costs the engine thread more CPU than it saves on a LAN
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.putAll(producerOverrides);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-events");
        this.producer = new KafkaProducer<>(p, new MarketKeySerializer(engine.catalog()),
                Topics.ENGINE_EVENTS.valueSerde().serializer());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-dead-letters");
        this.deadLetters = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, groupId + "-snapshots");
        // a snapshot is not flushed: send it at once
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 * 1024 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        this.snapshots = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.clientMetrics = List.of(new KafkaClientMetrics(consumer), new KafkaClientMetrics(producer));
        clientMetrics.forEach(binder -> binder.bindTo(registry));
    }

    @Override
    public void run() {
        try {
            ensureSnapshotTopic();
            consumer.subscribe(List.of(Topics.ORDER_COMMANDS.name()), new Rebalance());
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    caughtUp = replayUntil.isEmpty() || allReplayed();
                    snapshotDue();
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                // partition by partition, in the order the records came (the order of a partition's
                // records, which is all that determinism needs, is the log's)
                for (TopicPartition tp : records.partitions()) {
                    List<ConsumerRecord<String, byte[]>> batch = records.records(tp);
                    long replayEnd = replayUntil.getOrDefault(tp, 0L);
                    for (ConsumerRecord<String, byte[]> record : batch) {
                        handle(record, record.offset() < replayEnd);
                    }
                    sinceSnapshot.merge(tp, (long) batch.size(), Long::sum);
                    long last = batch.get(batch.size() - 1).offset();
                    if (last >= replayEnd) {
                        offsets.put(tp, new OffsetAndMetadata(last + 1));
                    }
                }
                if (!offsets.isEmpty()) {
                    producer.flush();
                    deadLetters.flush();
                    // the events are acknowledged: committing need not hold up the next batch (a
                    // failed commit is covered by the next one, or by a replay the consumers drop)
                    consumer.commitAsync(offsets, (committed, e) -> {
                        if (e != null) {
                            log.warn("Offset commit failed; the next commit covers it", e);
                        }
                    });
                }
                snapshotDue();
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
        byte[] value = record.value() == null ? new byte[0] : record.value();
        if (value.length > MAX_RECORD_BYTES) {
            if (!replay) {
                deadLetter(record, "record of " + value.length + " bytes is larger than " + MAX_RECORD_BYTES);
            }
            return;
        }
        OrderCommand command;
        try {
            // the same command, or the same refusal, as Json.read gives
            command = OrderCommandReader.read(value);
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
        int expected = commandPartition(command.market(), record);
        if (expected != record.partition()) {
            // A market's commands must all be in its partition, or a replay of that partition would
            // not see this one and the rebuilt state would differ from what was published.
            events = List.of(MatchingEngine.rejectOutsideSequence(command, ts, RejectReason.WRONG_PARTITION,
                    "commands for " + command.market() + " must be keyed by the market (partition " + expected
                            + "), this one was on partition " + record.partition()));
        } else {
            events = engine.process(command, ts);
        }
        if (replay) {
            return;
        }
        commands.incrementAndGet();
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

    // ------------------------------------------------------------------------------- snapshots

    /**
     * Snapshots each partition whose snapshot is due. Called right after a commit (or an empty poll),
     * so the consumer's position is the committed offset and every event before it is acknowledged:
     * a snapshot never claims commands whose events might be lost.
     */
    private void snapshotDue() {
        long now = System.nanoTime();
        for (Map.Entry<TopicPartition, Long> e : sinceSnapshot.entrySet()) {
            TopicPartition tp = e.getKey();
            long count = e.getValue();
            if (count == 0) {
                continue;
            }
            long position = consumer.position(tp);
            if (position < replayUntil.getOrDefault(tp, 0L)) {
                continue;
            }
            if (count >= snapshotEvery || now - lastSnapshotNanos.getOrDefault(tp, 0L) >= snapshotIntervalNanos) {
                writeSnapshot(tp, position);
                e.setValue(0L);
                lastSnapshotNanos.put(tp, now);
            }
        }
    }

    private void writeSnapshot(TopicPartition tp, long offset) {
        List<String> symbols = marketsOf(tp);
        List<MarketSnapshot> markets = new ArrayList<>(symbols.size());
        symbols.forEach(s -> markets.add(engine.snapshot(s)));
        PartitionSnapshot snapshot = new PartitionSnapshot(groupId, tp.topic(), tp.partition(), offset,
                engine.stateHash(symbols), markets);
        byte[] bytes = Json.writeBytes(snapshot);
        snapshots.send(new ProducerRecord<>(Topics.ENGINE_SNAPSHOTS.name(), PartitionSnapshot.key(groupId,
                tp.topic(), tp.partition()), bytes), (md, ex) -> {
            if (ex != null) {
                log.warn("Could not write the snapshot of {} at offset {}; the previous one stays in use", tp, offset, ex);
            } else {
                snapshotsWritten.incrementAndGet();
            }
        });
        log.info("Snapshot of {} ({}) at command offset {}: state hash {} ({} bytes)", tp, symbols, offset,
                snapshot.stateHash(), bytes.length);
    }

    /**
     * Creates the snapshot topic if it is missing: it is the engine's own, like a Kafka Streams
     * changelog. One partition, compacted to the latest snapshot per command partition, and large
     * enough messages for a deep book.
     */
    private void ensureSnapshotTopic() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(Topics.ENGINE_SNAPSHOTS.name())) {
                return;
            }
            NewTopic topic = new NewTopic(Topics.ENGINE_SNAPSHOTS.name(), Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024)));
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            log.info("Created {}", Topics.ENGINE_SNAPSHOTS.name());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create " + Topics.ENGINE_SNAPSHOTS.name(), e.getCause());
            }
        } catch (InterruptedException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not create " + Topics.ENGINE_SNAPSHOTS.name(), e);
        }
    }

    /** The latest snapshot of each partition, read from the compacted snapshot topic. */
    private Map<Integer, PartitionSnapshot> latestSnapshots(String commandTopic) {
        Map<Integer, PartitionSnapshot> latest = new HashMap<>();
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-snapshot-reader");
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            reader.partitionsFor(Topics.ENGINE_SNAPSHOTS.name())
                    .forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
            reader.assign(parts);
            reader.seekToBeginning(parts);
            Map<TopicPartition, Long> end = reader.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (parts.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.ENGINE_SNAPSHOTS.name() + " within 60 s");
                }
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        PartitionSnapshot s = Json.read(r.value(), PartitionSnapshot.class);
                        if (groupId.equals(s.group()) && s.topic().equals(commandTopic)) {
                            latest.put(s.partition(), s);
                        }
                    } catch (IllegalArgumentException e) {
                        log.warn("Skipping an unreadable snapshot at {}-{}@{}", r.topic(), r.partition(), r.offset(), e);
                    }
                }
            }
        }
        return latest;
    }

    private boolean allReplayed() {
        for (Map.Entry<TopicPartition, Long> e : replayUntil.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Rebuilds the state of newly assigned partitions' markets from their snapshot and the command log. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            caughtUp = false;
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
            Map<Integer, PartitionSnapshot> latest = latestSnapshots(Topics.ORDER_COMMANDS.name());
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata offset = committed.get(tp);
                long committedOffset = offset == null ? 0L : offset.offset();
                PartitionSnapshot snapshot = latest.get(tp.partition());
                List<String> symbols = marketsOf(tp);
                symbols.forEach(engine::reset);
                long from = 0;
                if (snapshot != null && restore(snapshot, symbols)) {
                    from = snapshot.offset();
                }
                if (from > 0) {
                    consumer.seek(tp, from);
                } else {
                    consumer.seekToBeginning(List.of(tp));
                }
                replayUntil.put(tp, Math.max(committedOffset, from));
                sinceSnapshot.put(tp, 0L);
                lastSnapshotNanos.put(tp, System.nanoTime());
                List<String> now = new ArrayList<>(assignedMarkets);
                now.addAll(symbols);
                assignedMarkets = List.copyOf(now);
                log.info("Assigned {} ({}): restored from {}, replaying commands up to offset {}", tp, symbols,
                        from > 0 ? "the snapshot at offset " + from + " (state hash " + snapshot.stateHash() + ")"
                                : "nothing (start of the log)", replayUntil.get(tp));
            }
        }

        /** Restores a snapshot if it is sound; on any inconsistency, leaves the markets reset. */
        private boolean restore(PartitionSnapshot snapshot, List<String> symbols) {
            try {
                for (MarketSnapshot market : snapshot.markets()) {
                    engine.restore(market);
                }
                String hash = engine.stateHash(symbols);
                if (!hash.equals(snapshot.stateHash())) {
                    throw new IllegalArgumentException("state hash " + hash + " differs from the recorded "
                            + snapshot.stateHash());
                }
                return true;
            } catch (IllegalArgumentException e) {
                log.error("Snapshot of partition {} at offset {} is unusable; replaying from the start",
                        snapshot.partition(), snapshot.offset(), e);
                symbols.forEach(engine::reset);
                return false;
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            producer.flush();
            deadLetters.flush();
            List<String> now = new ArrayList<>(assignedMarkets);
            partitions.forEach(tp -> now.removeAll(marketsOf(tp)));
            assignedMarkets = List.copyOf(now);
            partitions.forEach(tp -> {
                replayUntil.remove(tp);
                sinceSnapshot.remove(tp);
                lastSnapshotNanos.remove(tp);
            });
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }

    /** The markets whose commands go to a partition of the command topic, in catalog order. */
    private List<String> marketsOf(TopicPartition tp) {
        int count = partitionCount(tp.topic());
        List<String> symbols = new ArrayList<>();
        for (MarketSpec spec : engine.catalog().all()) {
            if (partitionOf(spec.symbol(), count) == tp.partition()) {
                symbols.add(spec.symbol());
            }
        }
        return symbols;
    }

    /** The partition a command for {@code market} belongs to; for an unknown market, the one it came on. */
    private int commandPartition(String market, ConsumerRecord<String, byte[]> record) {
        Integer known = market == null ? null : commandPartitions.get(market);
        if (known != null) {
            return known;
        }
        Optional<MarketSpec> spec = engine.catalog().find(market);
        if (spec.isEmpty()) {
            // not cached: the map holds catalog markets only, whatever names commands make up
            return record.partition();
        }
        int partition = partitionOf(spec.get().symbol(), partitionCount(record.topic()));
        commandPartitions.put(spec.get().symbol(), partition);
        return partition;
    }

    private int partitionCount(String topic) {
        return partitionCounts.computeIfAbsent(topic, t -> consumer.partitionsFor(t).size());
    }

    /** The partition Kafka's default partitioner gives a market's key. */
    public static int partitionOf(String market, int partitions) {
        return Utils.toPositive(Utils.murmur2(market.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The markets this instance runs now (its share of the group's partitions). */
    public List<String> assignedMarkets() {
        return assignedMarkets;
    }

    /** True once the assigned partitions' histories have been replayed (state rebuilt). */
    public boolean isCaughtUp() {
        return caughtUp;
    }

    public long commandsProcessed() {
        return commands.get();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    private void closeClients() {
        clientMetrics.forEach(KafkaClientMetrics::close);
        try {
            producer.close(Duration.ofSeconds(5));
            deadLetters.close(Duration.ofSeconds(5));
            snapshots.close(Duration.ofSeconds(5));
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
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The event key (the market symbol) as {@link StringSerializer} writes it, the catalog's symbols
     * encoded once: about three events per command each encoded their key afresh. The producer
     * only reads key bytes (partitioner, batch), so one array per market serves every event; any
     * other key (a rejection for a market not in the catalog) is encoded as usual.
     */
    static final class MarketKeySerializer implements Serializer<String> {
        private final Map<String, byte[]> encoded = new HashMap<>();
        private final StringSerializer others = new StringSerializer();

        MarketKeySerializer(MarketCatalog catalog) {
            for (MarketSpec spec : catalog.all()) {
                encoded.put(spec.symbol(), spec.symbol().getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public byte[] serialize(String topic, String key) {
            byte[] bytes = key == null ? null : encoded.get(key);
            return bytes != null ? bytes : others.serialize(topic, key);
        }
    }
}
