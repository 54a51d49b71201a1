package io.marketstream.bench.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import io.marketstream.bench.BookChanges;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.kafka.Topics;

/**
 * Reads the engine's event topic from the start, on a thread of its own: tells the {@link TraderFleet}
 * which of its orders rest (their ids are the engine's, learned as a trading client learns them from its
 * acknowledgements), counts rejections by reason, records when each book change became readable
 * ({@link StageProbes#engineEvent}), and keeps the {@link EventLog} of everything the engine
 * published, which {@link EngineReference} checks its replay against and which says at what sequence each
 * market's book ends.
 */
final class EventFollower implements AutoCloseable {
    private final KafkaConsumer<String, EngineEvent> consumer;
    private final TraderFleet traders;
    private final EventLog log = new EventLog();
    private final Map<String, Long> rejections = new TreeMap<>();
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Map<TopicPartition, Long> positions = Map.of();

    private final StageProbes probes;

    private final io.marketstream.protocol.MarketCatalog catalog;

    EventFollower(String bootstrap, io.marketstream.protocol.MarketCatalog catalog, TraderFleet traders,
                  StageProbes probes) {
        this.catalog = catalog;
        this.traders = traders;
        this.probes = probes;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "loadgen-event-follower");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        consumer = new KafkaConsumer<>(c, Topics.ENGINE_EVENTS.keySerde().deserializer(),
                Topics.ENGINE_EVENTS.valueSerde().deserializer());
        consumer.partitionsFor(Topics.ENGINE_EVENTS.name())
                .forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::run, "event-follower");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, EngineEvent> r : consumer.poll(Duration.ofMillis(100))) {
                    EngineEvent event = r.value();
                    if (event == null) {
                        continue;
                    }
                    if (BookChanges.changesBook(event)) {
                        long now = io.marketstream.bench.EpochMicros.now();
                        StageProbes.recordMicros(probes.engineEvent, now - event.ts() * 1_000);
                        StageProbes.recordMicros(probes.engineIn, (r.timestamp() - event.ts()) * 1_000);
                        StageProbes.recordMicros(probes.engineOut, now - r.timestamp() * 1_000);
                    }
                    synchronized (this) {
                        if (event instanceof OrderRejected rejected) {
                            rejections.merge(String.valueOf(rejected.reason()), 1L, Long::sum);
                        }
                        if (!log.add(event)) {
                            continue;
                        }
                    }
                    if (event instanceof OrderRested rested) {
                        traders.rested(rested.market(), rested.account(), rested.orderId(),
                                catalog.get(rested.market()).parseQty(rested.qty()));
                    } else if (event instanceof Trade trade) {
                        traders.filled(trade.market(), trade.makerAccount(), trade.makerOrderId(),
                                catalog.get(trade.market()).parseQty(trade.qty()));
                    } else if (event instanceof OrderCancelled cancelled) {
                        traders.gone(cancelled.market(), cancelled.account(), cancelled.orderId());
                    }
                }
                Map<TopicPartition, Long> now = new java.util.HashMap<>();
                for (TopicPartition tp : partitions) {
                    now.put(tp, consumer.position(tp));
                }
                positions = now;
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    /** Whether everything up to {@code endOffsets} has been read. */
    boolean hasRead(Map<TopicPartition, Long> endOffsets) {
        Map<TopicPartition, Long> now = positions;
        return endOffsets.entrySet().stream().allMatch(e -> now.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    synchronized long lastBookSeq(String market) {
        return log.lastBookSeq(market);
    }

    synchronized Map<String, String> summary() {
        return log.summary();
    }

    synchronized long events() {
        return log.events();
    }

    synchronized Map<String, Long> rejections() {
        return new TreeMap<>(rejections);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        stopped.await(10, TimeUnit.SECONDS);
    }
}
