package io.marketstream.bench.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.marketstream.engine.EngineService;
import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.command.OrderCommandReader;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.RejectReason;
import io.marketstream.protocol.kafka.Topics;

/**
 * The engine's books, for checking the clients' against: a {@link MatchingEngine} of our own replays the
 * command topic, record by record as {@code EngineService} takes them (the same reader, the same choice of
 * {@code ts}, the same wrong-partition rule), and its {@link MatchingEngine#levels} are the engine's L2 book.
 * The engine is deterministic (design guarantee 1: replaying the command log reproduces its state bit for
 * bit), and {@link #matches} proves it for this run: the replay's events must equal, payload for payload, the
 * events the running engine published ({@link EventFollower}). No fold of ours stands between the engine and
 * the reference, so the check covers the streams job's fold, Redis, the edge and the client alike.
 *
 * <p>Incremental: {@link #catchUp} replays only the commands added since the previous call.
 */
final class EngineReference implements AutoCloseable {
    private final MarketCatalog catalog;
    private final MatchingEngine engine;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final EventLog log = new EventLog();
    private long commands;

    EngineReference(String bootstrap, MarketCatalog catalog) {
        this.catalog = catalog;
        this.engine = new MatchingEngine(catalog);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "loadgen-engine-reference");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.partitionsFor(Topics.ORDER_COMMANDS.name())
                .forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Replays the commands up to {@code endOffsets} (the command topic's end once the engine has taken everything). */
    void catchUp(Map<TopicPartition, Long> endOffsets, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < endOffsets.getOrDefault(tp, 0L))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read the command topic up to " + endOffsets + " within "
                        + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                replay(record);
            }
        }
    }

    /** One record, as {@code EngineService.handle} takes it (no dead letters: they yield no events). */
    private void replay(ConsumerRecord<String, byte[]> record) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        if (value.length > EngineService.MAX_RECORD_BYTES) {
            return;
        }
        OrderCommand command;
        try {
            command = OrderCommandReader.read(value);
        } catch (RuntimeException e) {
            return;
        }
        if (command == null) {
            return;
        }
        commands++;
        long ts = command.ts() > 0 ? command.ts() : record.timestamp();
        int expected = catalog.find(command.market())
                .map(spec -> EngineService.partitionOf(spec.symbol(), partitions.size())).orElse(record.partition());
        List<EngineEvent> events = expected != record.partition()
                ? List.of(MatchingEngine.rejectOutsideSequence(command, ts, RejectReason.WRONG_PARTITION, ""))
                : engine.process(command, ts);
        events.forEach(log::add);
    }

    long commands() {
        return commands;
    }

    /** Null if the replay's events equal the published ones (per {@link EventLog#summary}), else how they differ. */
    String matches(Map<String, String> published) {
        Map<String, String> replayed = log.summary();
        return replayed.equals(published) ? null : "replayed " + replayed + " but the engine published " + published;
    }

    /** The last book-changing sequence of each market. */
    Map<String, Long> bookSeqs() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (MarketSpec spec : catalog.all()) {
            out.put(spec.symbol(), log.lastBookSeq(spec.symbol()));
        }
        return out;
    }

    /**
     * The reference as the clients JVM's {@code check} takes it: per market the sequence a client's book must be
     * verified at and both sides, best first, as {@code [price, qty]} scaled longs.
     */
    String referenceJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (MarketSpec spec : catalog.all()) {
            String market = spec.symbol();
            out.put(market, Map.of("u", log.lastBookSeq(market), "bids", pairs(engine.levels(market, Side.BUY)),
                    "asks", pairs(engine.levels(market, Side.SELL))));
        }
        return Json.write(out);
    }

    /** Levels per side of each market (for the summary). */
    Map<String, String> depth() {
        Map<String, String> out = new LinkedHashMap<>();
        for (MarketSpec spec : catalog.all()) {
            out.put(spec.symbol(), engine.levels(spec.symbol(), Side.BUY).size() + " bids, "
                    + engine.levels(spec.symbol(), Side.SELL).size() + " asks");
        }
        return out;
    }

    private static List<long[]> pairs(NavigableMap<Long, Long> levels) {
        List<long[]> out = new ArrayList<>(levels.size());
        levels.forEach((price, qty) -> out.add(new long[] {price, qty}));
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(TimeUnit.SECONDS.toSeconds(5)));
    }
}
