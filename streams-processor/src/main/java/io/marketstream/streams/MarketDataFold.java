package io.marketstream.streams;

import org.apache.kafka.streams.processor.api.Record;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.event.EngineEvent;

/**
 * Folds one partition's engine events into market data exactly as the streams job does, outside Kafka
 * Streams: the job's own processor ({@link MarketDataTopology}'s), with its state in memory instead of
 * changelogged stores, handing its output to a {@link MarketDataSink}. For replays ({@code app replay}):
 * the same events in the same order give the same books, trades, candles and tickers, message for message.
 *
 * <p>One fold per partition, fed the partition's events in offset order from its first one: event time
 * (which closes candles) is the partition's, and a market's book can only be built from its first event.
 * Not thread-safe. The sink is called on the caller's thread; {@link MarketDataSink#flush} is the caller's.
 */
public final class MarketDataFold {
    /** What the fold did with an event. */
    public enum Outcome {
        /** Folded: the market's sequence moved on to the event's. */
        FOLDED,
        /** Not newer than what the market has folded: a replay after an engine restart, dropped. */
        REPLAY,
        /**
         * Does not follow the market's last folded {@code seq}: events are missing before it (for a first
         * event, the topic no longer begins at {@code seq} 1). The market stops here, as the job's would.
         */
        GAP,
        /** Outside every market's sequence ({@code seq} 0), or unknown market, or malformed: nothing folded. */
        SKIPPED
    }

    private final MarketCatalog catalog;
    private final MarketDataProcessor processor;

    public MarketDataFold(MarketCatalog catalog, MarketDataSink sink) {
        this.catalog = catalog;
        this.processor = new MarketDataProcessor(catalog, sink);
        processor.restore(new SortedMapStore<>(MarketDataTopology.LEVELS_STORE),
                new SortedMapStore<>(MarketDataTopology.BOOK_STORE),
                new SortedMapStore<>(MarketDataTopology.POSITIONS_STORE),
                new SortedMapStore<>(MarketDataTopology.KLINES_STORE),
                new SortedMapStore<>(MarketDataTopology.MINUTES_STORE));
    }

    /** Folds the partition's next event (its record timestamp plays no part: time is the events' {@code ts}). */
    public Outcome fold(EngineEvent event) {
        if (event == null || event.seq() == 0 || catalog.find(event.market()).isEmpty()) {
            processor.process(new Record<>(event == null ? null : event.market(), event, 0L));
            return Outcome.SKIPPED;
        }
        String market = catalog.get(event.market()).symbol();
        long before = processor.foldedSeq(market);
        processor.process(new Record<>(market, event, event.ts()));
        if (processor.foldedSeq(market) > before) {
            return Outcome.FOLDED;
        }
        return event.seq() <= before ? Outcome.REPLAY : event.seq() == before + 1 ? Outcome.SKIPPED : Outcome.GAP;
    }

    /** The last {@code seq} folded for a market, 0 if none. */
    public long foldedSeq(String market) {
        return processor.foldedSeq(market);
    }
}
