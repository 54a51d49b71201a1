package io.marketstream.streams;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.state.Stores;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.kafka.Topics;

/**
 * The streams job's topology, built by this one side-effect-free method for both the running job
 * and the {@code TopologyTestDriver} tests: engine events, per market in {@code seq} order, are
 * folded into L2 books, candles, tickers, trade tapes and private account updates (state in
 * RocksDB stores backed by changelog topics) and handed to a {@link MarketDataSink}.
 *
 * <p>The stores are cached: nothing is forwarded downstream of them (the processor hands its output
 * to the sink as it goes), so the cache delays no message; it only merges the many writes to the
 * same keys between two commits (a market's {@code seq} position changes with every event) into one
 * changelog record each, which is what lets the job keep up with tens of thousands of events per
 * second on a small broker.
 *
 * <p>No repartitioning: everything of a market is computed in the task of the market's partition.
 * Private messages leave without an account sequence; the sink assigns one (see
 * {@link io.marketstream.protocol.marketdata.AccountMessage}).
 */
public final class MarketDataTopology {
    /** Book levels: {@code market|B|price} or {@code market|S|price} to quantity (scaled). */
    public static final String LEVELS_STORE = "book-levels";
    /**
     * Positions: {@code market|seq} (last event folded), {@code market|pub} (last seq in a book
     * delta), {@code market|ticker} (the ticker channel's last seq), {@code ~clock} (the partition's
     * event time).
     */
    public static final String POSITIONS_STORE = "book-positions";
    /** Open candles and kline channel sequences: {@code market} to an encoded {@link MarketKlines}. */
    public static final String KLINES_STORE = "klines";
    /** The ticker window's closed one-minute candles with trades: {@code market|openTime} to a candle. */
    public static final String MINUTES_STORE = "ticker-minutes";
    /**
     * Holds nothing; at the start of each commit it has the processor write its changed state and waits
     * for the sink (see {@link CommitHookStore}).
     */
    public static final String COMMIT_HOOK_STORE = "commit-hook";
    /** Kafka Streams metric ({@code -total} and {@code -rate}) counting engine events skipped as bad. */
    public static final String SKIPPED_EVENTS_METRIC = "skipped-events";

    private MarketDataTopology() {
    }

    public static Topology build(MarketCatalog catalog, MarketDataSink sink) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(LEVELS_STORE), Serdes.String(), Serdes.Long()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(POSITIONS_STORE), Serdes.String(), Serdes.Long()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(KLINES_STORE), Serdes.String(), Serdes.String()).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(MINUTES_STORE), Serdes.String(), Serdes.String()).withCachingEnabled());
        builder.addStateStore(CommitHookStore.builder(COMMIT_HOOK_STORE, sink));
        builder.stream(Topics.ENGINE_EVENTS.name(),
                        Consumed.with(Topics.ENGINE_EVENTS.keySerde(), Topics.ENGINE_EVENTS.valueSerde()))
                .process(() -> new MarketDataProcessor(catalog, sink),
                        LEVELS_STORE, POSITIONS_STORE, KLINES_STORE, MINUTES_STORE, COMMIT_HOOK_STORE);
        return builder.build();
    }
}
