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
 * folded into L2 books (state stores backed by changelog topics) and handed to a
 * {@link MarketDataSink} as sequenced deltas and trades.
 */
public final class MarketDataTopology {
    /** Book levels: {@code market|B|price} or {@code market|S|price} to quantity (scaled). */
    public static final String LEVELS_STORE = "book-levels";
    /** Positions: {@code market|seq} (last event folded), {@code market|pub} (last seq published). */
    public static final String POSITIONS_STORE = "book-positions";

    private MarketDataTopology() {
    }

    public static Topology build(MarketCatalog catalog, MarketDataSink sink) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(LEVELS_STORE), Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(POSITIONS_STORE), Serdes.String(), Serdes.Long()));
        builder.stream(Topics.ENGINE_EVENTS.name(),
                        Consumed.with(Topics.ENGINE_EVENTS.keySerde(), Topics.ENGINE_EVENTS.valueSerde()))
                .process(() -> new BookFoldProcessor(catalog, sink), LEVELS_STORE, POSITIONS_STORE);
        return builder.build();
    }
}
