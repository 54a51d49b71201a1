package io.marketstream.streams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * The production topology ({@link MarketDataTopology#build}) in a {@code TopologyTestDriver}, with
 * a sink that records what it is given. Shared with other modules' tests through the test jar.
 */
public final class TopologyHarness implements MarketDataSink, AutoCloseable {
    private final List<BookMessage> deltas = new ArrayList<>();
    private final List<TradeMessage> trades = new ArrayList<>();
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, EngineEvent> events;

    public TopologyHarness(MarketCatalog catalog) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(MarketDataTopology.build(catalog, this), props);
        events = driver.createInputTopic(Topics.ENGINE_EVENTS.name(),
                Topics.ENGINE_EVENTS.keySerde().serializer(), Topics.ENGINE_EVENTS.valueSerde().serializer());
    }

    /** Feeds an event keyed by its market, timestamped with its {@code ts}. */
    public void pipe(EngineEvent event) {
        events.pipeInput(event.market(), event, Instant.ofEpochMilli(event.ts()));
    }

    /** Book deltas the topology emitted, in order. */
    public List<BookMessage> deltas() {
        return deltas;
    }

    /** Trades the topology emitted, in order. */
    public List<TradeMessage> trades() {
        return trades;
    }

    public KeyValueStore<String, Long> store(String name) {
        return driver.getKeyValueStore(name);
    }

    @Override
    public void book(BookMessage delta, L2Book bookAfter) {
        deltas.add(delta);
    }

    @Override
    public void trade(TradeMessage trade) {
        trades.add(trade);
    }

    @Override
    public void close() {
        driver.close();
    }
}
