package io.marketstream.app.analytics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.kafka.Topics;

/**
 * An analytics consumer group on the engine's trades: per market and one-minute window (event time), the trade
 * count, base and quote volume and VWAP, and the same per account ({@link WindowRow}); each window is emitted
 * once it has closed ({@link PartitionWindows}).
 *
 * <p>Guarantee: rows are written (and flushed) before the offsets that cover them are committed, and a partition
 * commits the offset of its oldest open window's first trade, with what it needs to resume exactly there
 * (see {@link PartitionWindows}). So after a rebalance or a restart, an instance that takes a partition over
 * emits every window of it that was not emitted yet, counting each trade once, and none that was. On a
 * rebalance the partitions given up are committed first ({@link ConsumerRebalanceListener#onPartitionsRevoked});
 * on {@link #close} everything is committed. Only if the process dies between writing a window's rows and the
 * commit that follows at once may those rows be written again by whoever resumes the partition, identical (same
 * {@link WindowRow#key()}): exactly once for a reader that keeps one row per key.
 *
 * <p>One thread runs {@link #run}; {@link #close} may be called from any other.
 */
public final class TradeAnalytics implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TradeAnalytics.class);
    /** Offsets are committed at least this often while nothing closes (a closed window commits at once). */
    static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);

    private final MarketCatalog catalog;
    private final long graceMillis;
    private final Consumer<List<WindowRow>> output;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<TopicPartition, PartitionWindows> partitions = new HashMap<>();
    private final org.apache.kafka.common.serialization.Deserializer<EngineEvent> events =
            Topics.ENGINE_EVENTS.valueSerde().deserializer();
    private volatile boolean stopping;
    private volatile Set<TopicPartition> assignment = Set.of();
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private long unreadable;
    private long lastLateReported;

    /**
     * @param output takes each batch of closed windows' rows and has them durably written when it returns
     *               (called on the consumer's thread, before the offsets covering them are committed)
     */
    public TradeAnalytics(MarketCatalog catalog, String bootstrap, String groupId, Duration grace,
                          Consumer<List<WindowRow>> output) {
        this.catalog = catalog;
        this.graceMillis = grace.toMillis();
        this.output = output;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The partitions this instance has now. */
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topics.ENGINE_EVENTS.name()), new Rebalance());
            long lastCommit = System.nanoTime();
            while (!stopping) {
                List<WindowRow> rows = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    PartitionWindows windows = partitions.get(new TopicPartition(record.topic(), record.partition()));
                    EngineEvent event = decode(record);
                    if (windows != null && event != null) {
                        windows.add(record.offset(), event, rows);
                    }
                }
                if (!rows.isEmpty()) {
                    output.accept(rows);
                }
                if (!rows.isEmpty() || System.nanoTime() - lastCommit > COMMIT_INTERVAL.toNanos()) {
                    commit(partitions.keySet());
                    reportLate();
                    lastCommit = System.nanoTime();
                }
            }
            commit(partitions.keySet());
        } catch (WakeupException e) {
            if (!stopping) {
                throw e;
            }
            commit(partitions.keySet());
        } finally {
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(10)));
            assignment = Set.of();
            stopped.countDown();
        }
    }

    private EngineEvent decode(ConsumerRecord<String, byte[]> record) {
        try {
            EngineEvent event = record.value() == null ? null : events.deserialize(record.topic(), record.value());
            if (event == null) {
                unreadable++;
            }
            return event;
        } catch (RuntimeException e) {
            unreadable++;
            log.warn("Skipping an unreadable record at {}-{}@{} ({} so far)", record.topic(), record.partition(),
                    record.offset(), unreadable, e);
            return null;
        }
    }

    private void commit(Collection<TopicPartition> which) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : which) {
            PartitionWindows.Commit commit = partitions.get(tp).commit();
            if (commit != null) {
                offsets.put(tp, new OffsetAndMetadata(commit.offset(), commit.metadata()));
            }
        }
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets);
            } catch (org.apache.kafka.clients.consumer.CommitFailedException
                     | org.apache.kafka.common.errors.RebalanceInProgressException e) {
                // the group is rebalancing: whoever gets these partitions resumes from the previous commit, and
                // writes again the rows written since (identical rows, see the class comment)
                log.warn("Could not commit {} during a rebalance; their latest rows may be written again", offsets.keySet(), e);
            }
        }
    }

    private void reportLate() {
        long late = partitions.values().stream().mapToLong(PartitionWindows::late).sum();
        if (late > lastLateReported) {
            Trade example = partitions.values().stream().map(PartitionWindows::lastLate).filter(java.util.Objects::nonNull)
                    .findFirst().orElse(null);
            log.warn("{} trades came after their window had closed and are in no row (grace {} ms), e.g. {}", late - lastLateReported,
                    graceMillis, example);
            lastLateReported = late;
        }
    }

    /** Commits what was emitted for partitions leaving, and loads where partitions arriving resume. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            List<TopicPartition> ours = revoked.stream().filter(partitions::containsKey).toList();
            try {
                commit(ours);
            } finally {
                ours.forEach(partitions::remove);
                assignment = Set.copyOf(partitions.keySet());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            // another instance has them already: committing now would fail or overwrite its progress
            lost.forEach(partitions::remove);
            assignment = Set.copyOf(partitions.keySet());
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(assigned));
            for (TopicPartition tp : assigned) {
                OffsetAndMetadata at = committed.get(tp);
                PartitionWindows.Resume resume = PartitionWindows.Resume.decode(at == null ? null : at.metadata());
                partitions.put(tp, new PartitionWindows(catalog, graceMillis, resume));
                log.info("Analytics takes {} from offset {}", tp, at == null ? "the beginning" : at.offset());
            }
            assignment = Set.copyOf(partitions.keySet());
        }
    }

    /** Stops after the records in hand, commits, leaves the group; waits up to 15 s for that. */
    @Override
    public void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        stopping = true;
        consumer.wakeup();
        try {
            stopped.await(15, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
