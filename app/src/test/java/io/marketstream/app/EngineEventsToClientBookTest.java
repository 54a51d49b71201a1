package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.marketstream.engine.MatchingEngine;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.CancelOrder;
import io.marketstream.protocol.command.Deposit;
import io.marketstream.protocol.command.PlaceLimitOrder;
import io.marketstream.protocol.command.PlaceMarketOrder;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.streams.TopologyHarness;

/**
 * The engine's real events through the real topology: a client applying the deltas in order ends
 * with the engine's book, and every delta's checksum matches the client's book after it. (Lives in
 * app because no other module may depend on the engine.)
 */
class EngineEventsToClientBookTest {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private final TopologyHarness harness = new TopologyHarness(CATALOG);
    private final List<BookMessage> deltas = harness.deltas();

    @AfterEach
    void stop() {
        harness.close();
    }

    private void pipe(EngineEvent event) {
        harness.pipe(event);
    }

    @Test
    void deltasFromRealEngineEventsRebuildTheEnginesBookWithMatchingChecksums() {
        MatchingEngine engine = new MatchingEngine(CATALOG);
        Random random = new Random(11);
        long ts = 1_000;
        for (long account = 0; account < 5; account++) {
            for (String asset : List.of("BTC", "USD")) {
                engine.process(new Deposit("d" + account + asset, "BTC-USD", account, asset, "100000000", 0), ts++)
                        .forEach(this::pipe);
            }
        }
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
