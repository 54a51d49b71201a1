package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderRested;

/** The fold outside Kafka Streams against the job's topology in a test driver: the same events, the same output. */
class MarketDataFoldTest {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();

    /** Two markets interleaved, as in one partition, over several minutes (candles close, the ticker rolls), with replays. */
    private static List<EngineEvent> partition() {
        EngineEventModel btc = new EngineEventModel(CATALOG.get("BTC-USD"), 11, 1_700_000_000_000L, 1_700);
        EngineEventModel eth = new EngineEventModel(CATALOG.get("ETH-USD"), 12, 1_700_000_000_500L, 2_300);
        List<EngineEvent> events = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            events.add(btc.next());
            if (i % 3 == 0) {
                events.add(eth.next());
            }
            if (i % 59 == 5) {
                events.add(events.get(events.size() - 4)); // an engine restart re-sends an event
            }
        }
        return events;
    }

    /** Records what the fold hands over, as the harness records the topology's output. */
    private static final class Recorder implements MarketDataSink {
        final List<MarketUpdate> updates = new ArrayList<>();
        final List<io.marketstream.protocol.marketdata.AccountMessage> accountMessages = new ArrayList<>();

        @Override
        public void publish(MarketUpdate update) {
            updates.add(update);
        }

        @Override
        public void account(io.marketstream.protocol.marketdata.AccountMessage message) {
            accountMessages.add(message);
        }

        List<Object> deltas() {
            return updates.stream().map(MarketUpdate::delta).filter(java.util.Objects::nonNull).map(Object.class::cast).toList();
        }

        List<Object> trades() {
            return updates.stream().map(MarketUpdate::trade).filter(java.util.Objects::nonNull).map(Object.class::cast).toList();
        }

        List<Object> klines() {
            return updates.stream().flatMap(u -> u.klines().stream()).map(Object.class::cast).toList();
        }

        List<Object> tickers() {
            return updates.stream().map(MarketUpdate::ticker).filter(java.util.Objects::nonNull).map(Object.class::cast).toList();
        }
    }

    @Test
    void shouldHandTheSinkExactlyWhatTheStreamsJobsTopologyHandsIt() {
        List<EngineEvent> events = partition();
        Recorder recorder = new Recorder();
        try (TopologyHarness job = new TopologyHarness(CATALOG)) {
            MarketDataFold fold = new MarketDataFold(CATALOG, recorder);
            List<MarketDataFold.Outcome> outcomes = new ArrayList<>();
            for (EngineEvent event : events) {
                job.pipe(event);
                outcomes.add(fold.fold(event));
            }
            assertThat(recorder.deltas()).isNotEmpty().isEqualTo(job.deltas());
            assertThat(recorder.trades()).isNotEmpty().isEqualTo(job.trades());
            assertThat(job.klines()).as("candles closed by event time").anyMatch(k -> k.closed());
            assertThat(recorder.klines()).isEqualTo(job.klines());
            assertThat(recorder.tickers()).isNotEmpty().isEqualTo(job.tickers());
            assertThat(recorder.accountMessages).isNotEmpty().isEqualTo(job.accountMessages());
            assertThat(recorder.updates).extracting(MarketUpdate::market)
                    .isEqualTo(job.updates().stream().map(MarketUpdate::market).toList());
            assertThat(outcomes).filteredOn(o -> o == MarketDataFold.Outcome.REPLAY).as("one re-sent event at i = 5, 64, 123, 182").hasSize(4);
            assertThat(outcomes).filteredOn(o -> o == MarketDataFold.Outcome.FOLDED).hasSize(events.size() - 4);
            assertThat(fold.foldedSeq("BTC-USD")).isEqualTo(240);
        }
    }

    @Test
    void shouldSayWhenAMarketsEventsDoNotBeginAtItsFirstSeq() {
        Recorder recorder = new Recorder();
        MarketDataFold fold = new MarketDataFold(CATALOG, recorder);
        assertThat(fold.fold(new OrderRested("BTC-USD", 5, "c5", 1, 1, 1, Side.BUY, "100.00", "1.0000")))
                .isEqualTo(MarketDataFold.Outcome.GAP);
        assertThat(fold.fold(new OrderRested("DOGE-USD", 1, "c1", 1, 1, 1, Side.BUY, "100.00", "1.0000")))
                .isEqualTo(MarketDataFold.Outcome.SKIPPED);
        assertThat(fold.fold(new OrderRested("BTC-USD", 1, "c1", 1, 1, 1, Side.BUY, "100.00", "1.0000")))
                .isEqualTo(MarketDataFold.Outcome.FOLDED);
        assertThat(fold.fold(new OrderRested("BTC-USD", 2, "c2", 1, 2, 1, Side.BUY, "bad", "1.0000")))
                .as("malformed: nothing folded").isEqualTo(MarketDataFold.Outcome.SKIPPED);
        assertThat(fold.foldedSeq("BTC-USD")).isEqualTo(1);
        assertThat(recorder.deltas()).hasSize(1);
    }
}
