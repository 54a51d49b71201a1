package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderAccepted;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

class MarketDataTopologyTest {
    private final TopologyHarness harness = new TopologyHarness(MarketCatalog.defaults());
    private final List<BookMessage> deltas = harness.deltas();
    private final List<TradeMessage> trades = harness.trades();

    @AfterEach
    void stop() {
        harness.close();
    }

    private void pipe(EngineEvent event) {
        harness.pipe(event);
    }

    @Test
    void shouldFoldRestedAndTradedQuantitiesIntoLevelsWithSequenceRanges() {
        pipe(new OrderAccepted("BTC-USD", 1, "c1", 10, 1, 1, "a", null, Side.SELL, "100.00", "2.0000", null, null, false));
        pipe(new OrderRested("BTC-USD", 2, "c1", 10, 1, 1, Side.SELL, "100.00", "2.0000"));
        pipe(new OrderAccepted("BTC-USD", 3, "c2", 11, 2, 2, "b", null, Side.BUY, "100.00", "0.5000", null, null, false));
        pipe(new Trade("BTC-USD", 4, "c2", 11, 1, "100.00", "0.5000", "50.000000", Side.BUY, 1, 2, 1, 2,
                "0.000000", "USD", "0.0000", "BTC"));

        assertThat(deltas).hasSize(2);
        BookMessage first = deltas.get(0);
        assertThat(first.firstSeq()).isEqualTo(1);
        assertThat(first.lastSeq()).isEqualTo(2);
        assertThat(first.asks()).extracting(l -> l.price() + "@" + l.qty()).containsExactly("100.00@2.0000");
        BookMessage second = deltas.get(1);
        assertThat(second.firstSeq()).as("covers the accepted event that changed nothing").isEqualTo(3);
        assertThat(second.lastSeq()).isEqualTo(4);
        assertThat(second.asks()).extracting(l -> l.price() + "@" + l.qty()).containsExactly("100.00@1.5000");
        assertThat(second.ts()).isEqualTo(11);
        assertThat(trades).containsExactly(new TradeMessage("trades.BTC-USD", 4, 1, "100.00", "0.5000", Side.BUY, 11));

        KeyValueStore<String, Long> levels = harness.store(MarketDataTopology.LEVELS_STORE);
        assertThat(levels.get("BTC-USD|S|10000")).isEqualTo(15000L);
    }

    @Test
    void shouldNeverFoldPastAGapOrAMalformedEvent() {
        pipe(new OrderRested("BTC-USD", 1, "c1", 10, 1, 1, Side.BUY, "99.00", "1.0000"));
        pipe(new OrderRested("BTC-USD", 3, "c3", 10, 3, 1, Side.BUY, "98.00", "1.0000"));
        assertThat(deltas).hasSize(1);
        pipe(new OrderRested("BTC-USD", 2, "c2", 10, 2, 1, Side.BUY, "97.00", "1.0000"));
        pipe(new OrderRested("BTC-USD", 3, "c3", 10, 3, 1, Side.BUY, "98.00", "1.0000"));
        assertThat(deltas).extracting(BookMessage::firstSeq).containsExactly(1L, 2L, 3L);

        pipe(new OrderRested("BTC-USD", 4, "c4", 10, 4, 1, Side.BUY, "not-a-price", "1.0000"));
        pipe(new OrderRested("BTC-USD", 5, "c5", 10, 5, 1, Side.BUY, "96.00", "1.0000"));
        assertThat(deltas).as("the market waits at the malformed event").hasSize(3);
        KeyValueStore<String, Long> positions = harness.store(MarketDataTopology.POSITIONS_STORE);
        assertThat(positions.get("BTC-USD|seq")).isEqualTo(3L);
    }

    @Test
    void shouldIgnoreReplayedEventsAndUnknownMarkets() {
        OrderRested rested = new OrderRested("BTC-USD", 1, "c1", 10, 1, 1, Side.BUY, "99.00", "1.0000");
        pipe(rested);
        pipe(rested);
        pipe(new OrderRested("XYZ-USD", 1, "c9", 10, 1, 1, Side.BUY, "1.00", "1.0000"));
        assertThat(deltas).hasSize(1);
    }
}
