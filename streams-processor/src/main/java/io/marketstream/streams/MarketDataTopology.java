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
 * <p>Writes to the stores are merged between two commits, so that a commit's changelog records are
 * one per key changed, not one per write: the processor writes its book buckets, positions and
 * candles behind, at the start of each commit (see {@link MarketDataProcessor} and
 * {@link CommitHookStore}), into stores without a cache; the ticker's minutes (a write a minute) and
 * the legacy level store (deletes only) keep Kafka Streams' cache. Nothing is forwarded downstream of
 * the stores (the processor hands its output to the sink as it goes), so neither delays a message.
 *
 * <p>No repartitioning: everything of a market is computed in the task of the market's partition.
 * Private messages leave without an account sequence; the sink assigns one (see
 * {@link io.marketstream.protocol.marketdata.AccountMessage}).
 */
public final class MarketDataTopology {
    /**
     * Book levels as earlier versions stored them, one per key ({@code market|B|price} or
     * {@code market|S|price} to quantity, scaled): read when a task starts, carried over into
     * {@link #BOOK_STORE} and emptied at its first commit; written no more.
     */
    public static final String LEVELS_STORE = "book-levels";
    /**
     * Books in buckets of price levels: {@code market|B|bucket} or {@code market|S|bucket} (the bucket
     * is the price divided by 64 ticks, rounded down) to the bucket's levels, {@code price:qty,...}
     * (scaled, ascending). Written behind, at each commit (see {@link MarketDataProcessor}).
     */
    public static final String BOOK_STORE = "book-buckets";
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
        // written behind by the processor, once per key and commit: a cache would only add its cost
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(BOOK_STORE), Serdes.String(), Serdes.String()).withCachingDisabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(POSITIONS_STORE), Serdes.String(), Serdes.Long()).withCachingDisabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(KLINES_STORE), Serdes.String(), Serdes.String()).withCachingDisabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(MINUTES_STORE), Serdes.String(), Serdes.String()).withCachingEnabled());
        builder.addStateStore(CommitHookStore.builder(COMMIT_HOOK_STORE, sink));
        builder.stream(Topics.ENGINE_EVENTS.name(),
                        Consumed.with(Topics.ENGINE_EVENTS.keySerde(), Topics.ENGINE_EVENTS.valueSerde()))
                .process(() -> new MarketDataProcessor(catalog, sink),
                        LEVELS_STORE, BOOK_STORE, POSITIONS_STORE, KLINES_STORE, MINUTES_STORE, COMMIT_HOOK_STORE);
        return builder.build();
    }
}
