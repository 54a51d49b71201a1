package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.CancelReason;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderReduced;
import io.marketstream.protocol.event.OrderAccepted;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;
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

        KeyValueStore<String, String> book = harness.store(MarketDataTopology.BOOK_STORE);
        long bucket = Math.floorDiv(10000L, MarketCatalog.defaults().get("BTC-USD").tickSize() * MarketDataProcessor.BUCKET_TICKS);
        assertThat(book.get("BTC-USD|S|" + bucket)).as("the ask level, in its bucket").isEqualTo("10000:15000");
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
    void shouldIgnoreReplayedEventsAndCountUnknownMarketsAndUnreadableRecords() {
        OrderRested rested = new OrderRested("BTC-USD", 1, "c1", 10, 1, 1, Side.BUY, "99.00", "1.0000");
        pipe(rested);
        pipe(rested);
        pipe(new OrderRested("XYZ-USD", 1, "c9", 10, 1, 1, Side.BUY, "1.00", "1.0000"));
        harness.pipeRaw("BTC-USD", "{not json".getBytes(StandardCharsets.UTF_8));
        harness.pipeRaw("BTC-USD", "{\"type\":\"teleported\"}".getBytes(StandardCharsets.UTF_8));
        pipe(new OrderRested("BTC-USD", 2, "c2", 11, 2, 1, Side.BUY, "98.00", "1.0000"));

        assertThat(deltas).extracting(BookMessage::lastSeq).containsExactly(1L, 2L);
        assertThat(harness.metric(MarketDataTopology.SKIPPED_EVENTS_METRIC + "-total")).as("unknown market").isEqualTo(1.0);
        assertThat(harness.metric("dropped-records-total")).as("unreadable records").isEqualTo(2.0);
    }

    @Test
    void shouldFoldReductionsAndCancelsWithChecksumsAClientCanVerify() {
        pipe(new OrderRested("BTC-USD", 1, "c1", 10, 1, 1, Side.SELL, "101.00", "2.0000"));
        pipe(new OrderRested("BTC-USD", 2, "c2", 10, 2, 1, Side.BUY, "99.50", "1.2500"));
        pipe(new OrderReduced("BTC-USD", 3, "c3", 10, 1, 1, Side.SELL, "101.00", "0.5000", "1.5000"));
        pipe(new OrderCancelled("BTC-USD", 4, "c4", 10, 2, 1, Side.BUY, "99.50", "1.2500", true, CancelReason.USER));

        assertThat(deltas).extracting(d -> d.firstSeq() + ".." + d.lastSeq()).containsExactly("1..1", "2..2", "3..3", "4..4");
        assertThat(deltas.get(2).asks()).containsExactly(new PriceLevel("101.00", "1.5000"));
        assertThat(deltas.get(3).bids()).containsExactly(new PriceLevel("99.50", "0.0000"));
        // the checksum string of the book after seq 2, written out by hand
        CRC32 crc = new CRC32();
        crc.update("99.50:1.2500:101.00:2.0000".getBytes(StandardCharsets.UTF_8));
        assertThat(deltas.get(1).checksum()).isEqualTo(crc.getValue());
        crc.reset();
        crc.update("101.00:1.5000".getBytes(StandardCharsets.UTF_8));
        assertThat(deltas.get(3).checksum()).isEqualTo(crc.getValue());
    }

    @Test
    void shouldGiveAClientApplyingTheDeltasTheEnginesBookAtEveryStep() {
        MarketSpec btc = MarketCatalog.defaults().get("BTC-USD");
        EngineEventModel model = new EngineEventModel(btc, 11, 1_000, 7);
        L2Book client = new L2Book(btc);
        long expectedFirst = 1;
        for (int i = 0; i < 3_000; i++) {
            int before = deltas.size();
            pipe(model.next());
            for (BookMessage delta : deltas.subList(before, deltas.size())) {
                assertThat(delta.firstSeq()).isEqualTo(expectedFirst);
                expectedFirst = delta.lastSeq() + 1;
                client.apply(delta.bids(), delta.asks());
                assertThat(delta.checksum()).isEqualTo(client.checksum());
            }
        }
        assertThat(client.copyOf(Side.BUY)).isEqualTo(model.book().copyOf(Side.BUY));
        assertThat(client.copyOf(Side.SELL)).isEqualTo(model.book().copyOf(Side.SELL));
        assertThat(harness.flushes()).as("the sink is flushed before commits").isPositive();
    }
}
