package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.streams.MarketDataSink;
import io.marketstream.streams.MarketDataTopology;

/**
 * The engine's real events through the real topology: a client applying the deltas in order ends
 * with the engine's book, and every delta's checksum matches the client's book after it. (Lives in
 * app because no other module may depend on the engine.)
 */
class EngineEventsToClientBookTest {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private final List<BookMessage> deltas = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, EngineEvent> events;

    @BeforeEach
    void start() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "engine-to-book-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(MarketDataTopology.build(CATALOG, new MarketDataSink() {
            @Override
            public void book(BookMessage delta, L2Book bookAfter) {
                deltas.add(delta);
            }

            @Override
            public void trade(TradeMessage trade) {
            }
        }), props);
        events = driver.createInputTopic(Topics.ENGINE_EVENTS.name(),
                Topics.ENGINE_EVENTS.keySerde().serializer(), Topics.ENGINE_EVENTS.valueSerde().serializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void pipe(EngineEvent event) {
        events.pipeInput(event.market(), event, Instant.ofEpochMilli(event.ts()));
    }

    @Test
    void deltasFromRealEngineEventsRebuildTheEnginesBookWithMatchingChecksums() {
        MatchingEngine engine = new MatchingEngine(CATALOG);
        Random random = new Random(11);
        long ts = 1_000;
        for (int i = 0; i < 3_000; i++) {
            Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
            int choice = random.nextInt(10);
            List<EngineEvent> out;
            if (choice < 6) {
                out = engine.process(new PlaceLimitOrder("c" + i, "BTC-USD", random.nextInt(5), "o" + i, side,
                        (9_900 + random.nextInt(200)) / 100 + "." + String.format("%02d", random.nextInt(100)),
                        (1 + random.nextInt(30)) + ".0000", 0), ts++);
            } else if (choice < 9) {
                out = engine.process(new CancelOrder("c" + i, "BTC-USD", random.nextInt(5),
                        1 + random.nextInt(i + 1), 0), ts++);
            } else {
                out = engine.process(new PlaceMarketOrder("c" + i, "BTC-USD", random.nextInt(5), "m" + i, side,
                        (1 + random.nextInt(10)) + ".0000", 0), ts++);
            }
            out.forEach(this::pipe);
        }
        L2Book client = new L2Book(CATALOG.get("BTC-USD"));
        long expectedFirst = 1;
        for (BookMessage delta : deltas) {
            assertThat(delta.firstSeq()).isEqualTo(expectedFirst);
            client.apply(delta.bids(), delta.asks());
            assertThat(client.checksum()).isEqualTo(delta.checksum());
            expectedFirst = delta.lastSeq() + 1;
        }
        assertThat(client.copyOf(Side.BUY)).isEqualTo(engine.levels("BTC-USD", Side.BUY));
        assertThat(client.copyOf(Side.SELL)).isEqualTo(engine.levels("BTC-USD", Side.SELL));
    }
}
