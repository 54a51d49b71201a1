package io.marketstream.app.replay;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.engine.EngineService;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.streams.MarketDataFold;
import io.marketstream.streams.MarketDataSink;

/**
 * The streams job's fold of each partition read ({@link MarketDataFold}, one per partition, as the job has
 * one task per partition), fed records in each partition's offset order. Every market of a partition is
 * folded, not only the chosen ones: they share the partition's event time, which closes candles.
 *
 * <p>A market's book can only be rebuilt from its first event: if a chosen market's first event in the
 * topic is not {@code seq} 1 (retention dropped the beginning), the replay stops with that reason. Another
 * market in that state is left out of the fold (it changes nothing the chosen markets show). A later gap
 * is treated as the job treats it: the market waits for the missing events.
 */
final class PartitionFolds {
    private static final Logger log = LoggerFactory.getLogger(PartitionFolds.class);

    private final MarketCatalog catalog;
    private final MarketDataSink sink;
    private final Set<String> chosen;
    private final int partitions;
    private final Map<Integer, MarketDataFold> folds = new HashMap<>();
    private final Set<String> unbuildable = new HashSet<>();
    private final Deserializer<EngineEvent> deserializer = Topics.ENGINE_EVENTS.valueSerde().deserializer();
    private long unreadable;

    PartitionFolds(MarketCatalog catalog, MarketDataSink sink, Set<String> chosen, int partitions) {
        this.catalog = catalog;
        this.sink = sink;
        this.chosen = chosen;
        this.partitions = partitions;
    }

    /** Reads a record's event, or null (logged and counted) if it is not one. */
    EngineEvent decode(ConsumerRecord<String, byte[]> record) {
        try {
            EngineEvent event = record.value() == null ? null : deserializer.deserialize(record.topic(), record.value());
            if (event == null) {
                unreadable++;
                log.warn("Skipping an empty record at {}-{}@{}", record.topic(), record.partition(), record.offset());
            }
            return event;
        } catch (SerializationException | IllegalArgumentException e) {
            unreadable++;
            log.warn("Skipping an unreadable record at {}-{}@{}", record.topic(), record.partition(), record.offset(), e);
            return null;
        }
    }

    /** Folds a decoded event of the record's partition. */
    MarketDataFold.Outcome fold(int partition, EngineEvent event) {
        if (unbuildable.contains(event.market())) {
            return MarketDataFold.Outcome.SKIPPED;
        }
        MarketDataFold fold = folds.computeIfAbsent(partition, p -> new MarketDataFold(catalog, sink));
        boolean first = event.seq() > 0 && catalog.find(event.market()).isPresent() && fold.foldedSeq(event.market()) == 0;
        MarketDataFold.Outcome outcome = fold.fold(event);
        if (outcome == MarketDataFold.Outcome.GAP && first) {
            String why = event.market() + ": its first event in partition " + partition + " is seq " + event.seq()
                    + ", not 1 (the topic's retention dropped the beginning?), so its book cannot be rebuilt";
            if (chosen.contains(event.market())) {
                throw new ReplayException(why);
            }
            log.warn("{}; leaving it out (it is not one of the markets replayed)", why);
            unbuildable.add(event.market());
        }
        return outcome;
    }

    /** The last seq folded for a market (0 if none). */
    long foldedSeq(String market) {
        MarketDataFold fold = folds.get(EngineService.partitionOf(market, partitions));
        return fold == null ? 0 : fold.foldedSeq(market);
    }

    /** Records that held no engine event. */
    long unreadable() {
        return unreadable;
    }
}
