package io.marketstream.app.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.marketstream.engine.EngineService;
import io.marketstream.protocol.kafka.Topics;

/**
 * The engine-event records of some markets' partitions between two times, read without a consumer group.
 *
 * <p>Per partition: the range begins at the first record whose timestamp is at or after {@code from}
 * and ends before the first whose timestamp is at or after {@code to} ({@code KafkaConsumer.offsetsForTimes};
 * the record timestamp is when the engine wrote the event), or at the partition's end as it was when
 * the range was opened. Reading may begin earlier, at the partition's first offset, for a fold that
 * needs the state the range starts from: such records come with {@code inRange} false. A market's
 * partition is the one its events are keyed to ({@link EngineService#partitionOf}, Kafka's default
 * partitioning of the market symbol).
 *
 * <p>Records are read {@code read_committed} and handed over in record-timestamp order across partitions
 * (ties by partition), each partition's in offset order. At most {@value #BUFFERED} records of a partition
 * wait in memory while another partition is behind.
 */
public final class EventRange implements AutoCloseable {
    /** Records buffered per partition before it is paused. */
    static final int BUFFERED = 5_000;
    /** A partition that yields nothing this long while records remain fails the read. */
    static final Duration STALL = Duration.ofSeconds(60);

    /**
     * One partition's part: reading starts at {@code first}, the range proper at {@code start}, and both
     * end before {@code end}.
     */
    public record Span(TopicPartition partition, long first, long start, long end) {
        public long records() {
            return Math.max(0, end - first);
        }
    }

    /** Takes each record; returns false to stop reading its partition. */
    @FunctionalInterface
    public interface Handler {
        boolean accept(ConsumerRecord<String, byte[]> record, boolean inRange);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Span> spans;
    private final int partitionCount;

    private EventRange(KafkaConsumer<String, byte[]> consumer, List<Span> spans, int partitionCount) {
        this.consumer = consumer;
        this.spans = spans;
        this.partitionCount = partitionCount;
    }

    /**
     * @param from          null: from each partition's first record
     * @param to            null: to each partition's end now
     * @param fromBeginning read from each partition's first record, flagging those before the range
     */
    public static EventRange open(String bootstrap, Collection<String> markets, Instant from, Instant to,
                                  boolean fromBeginning) {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("the start " + from + " is not before the end " + to);
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            String topic = Topics.ENGINE_EVENTS.name();
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist on " + bootstrap);
            }
            int count = infos.size();
            Set<TopicPartition> partitions = new LinkedHashSet<>();
            for (String market : new TreeSet<>(markets)) {
                partitions.add(new TopicPartition(topic, EngineService.partitionOf(market, count)));
            }
            // assigned before the offset look-ups, which read_committed also uses to note each partition's
            // last stable offset (for partitions not assigned it logs a warning instead)
            consumer.assign(partitions);
            consumer.pause(partitions);
            Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndTimestamp> starts = from == null ? Map.of() : atOrAfter(consumer, partitions, from);
            Map<TopicPartition, OffsetAndTimestamp> stops = to == null ? Map.of() : atOrAfter(consumer, partitions, to);
            List<Span> spans = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                long end = ends.get(tp);
                if (stops.get(tp) != null) {
                    end = Math.min(end, stops.get(tp).offset());
                }
                long start = from == null ? beginning.get(tp) : starts.get(tp) == null ? end : Math.min(end, starts.get(tp).offset());
                spans.add(new Span(tp, fromBeginning ? beginning.get(tp) : start, start, end));
            }
            spans.sort(Comparator.comparingInt(s -> s.partition().partition()));
            return new EventRange(consumer, List.copyOf(spans), count);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    private static Map<TopicPartition, OffsetAndTimestamp> atOrAfter(KafkaConsumer<?, ?> consumer,
                                                                     Set<TopicPartition> partitions, Instant time) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, time.toEpochMilli()));
        return consumer.offsetsForTimes(query);
    }

    public List<Span> spans() {
        return spans;
    }

    /** The topic's partition count (markets map to partitions by it). */
    public int partitionCount() {
        return partitionCount;
    }

    /** Records that {@link #read} will read at most. */
    public long records() {
        return spans.stream().mapToLong(Span::records).sum();
    }

    /** Reads every span to its end (or until the handler stops its partition), merged by record timestamp. */
    public void read(Handler handler) {
        Map<TopicPartition, Span> active = new HashMap<>();
        Map<TopicPartition, ArrayDeque<ConsumerRecord<String, byte[]>>> buffers = new HashMap<>();
        for (Span span : spans) {
            if (span.first() < span.end()) {
                active.put(span.partition(), span);
                buffers.put(span.partition(), new ArrayDeque<>());
            }
        }
        consumer.assign(active.keySet());
        active.values().forEach(s -> consumer.seek(s.partition(), s.first()));
        long lastProgress = System.nanoTime();
        while (!active.isEmpty()) {
            boolean starving = active.keySet().stream().anyMatch(tp -> buffers.get(tp).isEmpty());
            if (starving) {
                List<TopicPartition> pause = new ArrayList<>();
                List<TopicPartition> resume = new ArrayList<>();
                for (TopicPartition tp : active.keySet()) {
                    (buffers.get(tp).size() >= BUFFERED ? pause : resume).add(tp);
                }
                consumer.pause(pause);
                consumer.resume(resume);
                boolean got = false;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    Span span = active.get(tp);
                    if (span != null && record.offset() >= span.first() && record.offset() < span.end()) {
                        buffers.get(tp).add(record);
                        got = true;
                    }
                }
                for (TopicPartition tp : List.copyOf(active.keySet())) {
                    if (buffers.get(tp).isEmpty() && consumer.position(tp) >= active.get(tp).end()) {
                        active.remove(tp);
                        consumer.pause(List.of(tp));
                        got = true;
                    }
                }
                if (got) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                    throw new IllegalStateException("no records from " + active.keySet() + " for " + STALL.toSeconds()
                            + " s although the range has more (positions " + positions(active.keySet()) + ")");
                }
                continue;
            }
            TopicPartition next = null;
            ConsumerRecord<String, byte[]> head = null;
            for (TopicPartition tp : active.keySet()) {
                ConsumerRecord<String, byte[]> candidate = buffers.get(tp).peek();
                if (head == null || candidate.timestamp() < head.timestamp()
                        || (candidate.timestamp() == head.timestamp() && tp.partition() < next.partition())) {
                    head = candidate;
                    next = tp;
                }
            }
            buffers.get(next).poll();
            Span span = active.get(next);
            if (!handler.accept(head, head.offset() >= span.start())) {
                active.remove(next);
                buffers.get(next).clear();
                consumer.pause(List.of(next));
            }
        }
    }

    private Map<TopicPartition, Long> positions(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> out = new HashMap<>();
        partitions.forEach(tp -> out.put(tp, consumer.position(tp)));
        return out;
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
