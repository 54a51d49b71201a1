package io.marketstream.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * The production topology ({@link MarketDataTopology#build}) in a {@code TopologyTestDriver}, with
 * a sink that records what it is given. Shared with other modules' tests through the test jar.
 */
public final class TopologyHarness implements MarketDataSink, AutoCloseable {
    private final List<MarketUpdate> updates = new ArrayList<>();
    private final List<BookMessage> deltas = new ArrayList<>();
    private final List<TradeMessage> trades = new ArrayList<>();
    private final List<KlineMessage> klines = new ArrayList<>();
    private final List<TickerMessage> tickers = new ArrayList<>();
    private final List<AccountMessage> accountMessages = new ArrayList<>();
    private final TopologyTestDriver driver;
    /** This harness's own state directory: drivers in concurrent builds on one machine must not share one. */
    private final Path stateDir;
    private final TestInputTopic<String, EngineEvent> events;
    private final TestInputTopic<String, byte[]> rawEvents;
    private int flushes;

    public TopologyHarness(MarketCatalog catalog) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try {
            stateDir = Files.createTempDirectory("topology-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class);
        driver = new TopologyTestDriver(MarketDataTopology.build(catalog, this), props);
        events = driver.createInputTopic(Topics.ENGINE_EVENTS.name(),
                Topics.ENGINE_EVENTS.keySerde().serializer(), Topics.ENGINE_EVENTS.valueSerde().serializer());
        rawEvents = driver.createInputTopic(Topics.ENGINE_EVENTS.name(),
                Topics.ENGINE_EVENTS.keySerde().serializer(), (topic, bytes) -> bytes);
    }

    /** Feeds an event keyed by its market, timestamped with its {@code ts}. */
    public void pipe(EngineEvent event) {
        events.pipeInput(event.market(), event, Instant.ofEpochMilli(event.ts()));
    }

    /** Feeds a record's raw bytes (e.g. something that is not an engine event). */
    public void pipeRaw(String key, byte[] value) {
        rawEvents.pipeInput(key, value);
    }

    /** Everything published for markets, one entry per sink call, in order. */
    public List<MarketUpdate> updates() {
        return updates;
    }

    /** Book deltas the topology emitted, in order. */
    public List<BookMessage> deltas() {
        return deltas;
    }

    /** Trades the topology emitted, in order. */
    public List<TradeMessage> trades() {
        return trades;
    }

    /** Candle updates, in order. */
    public List<KlineMessage> klines() {
        return klines;
    }

    /** Tickers, in order. */
    public List<TickerMessage> tickers() {
        return tickers;
    }

    /** Private messages, in order. */
    public List<AccountMessage> accountMessages() {
        return accountMessages;
    }

    /** How often the topology flushed the sink (before commits). */
    public int flushes() {
        return flushes;
    }

    public <V> KeyValueStore<String, V> store(String name) {
        return driver.getKeyValueStore(name);
    }

    /** The value of a Kafka Streams metric with this name, summed over its tags (0 if absent). */
    public double metric(String name) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : driver.metrics().entrySet()) {
            if (e.getKey().name().equals(name) && e.getValue().metricValue() instanceof Number n) {
                sum += n.doubleValue();
            }
        }
        return sum;
    }

    @Override
    public void publish(MarketUpdate update) {
        updates.add(update);
        if (update.delta() != null) {
            deltas.add(update.delta());
        }
        if (update.trade() != null) {
            trades.add(update.trade());
        }
        klines.addAll(update.klines());
        if (update.ticker() != null) {
            tickers.add(update.ticker());
        }
    }

    @Override
    public void account(AccountMessage message) {
        accountMessages.add(message);
    }

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            try {
                Utils.delete(stateDir.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
