package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderAccepted;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.OrderType;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;

/** Candles from explicit event times: boundaries, late events, flat candles for quiet intervals. */
class KlineTopologyTest {
    private static final long MIN = 60_000;
    private static final long DAY = KlineInterval.D1.openTime(1_700_000_000_000L);
    private static final long M10 = DAY + 10 * MIN;

    private final TopologyHarness harness = new TopologyHarness(MarketCatalog.defaults());

    @AfterEach
    void stop() {
        harness.close();
    }

    private void pipe(EngineEvent event) {
        harness.pipe(event);
    }

    private List<KlineMessage> klines(String market, KlineInterval interval) {
        return harness.klines().stream()
                .filter(k -> k.interval() == interval && k.channel().equals("kline." + market + "." + interval.code()))
                .toList();
    }

    /** A resting sell and a buy trade against it (two events) at {@code ts}. */
    private long seq;
    private long tradeId;

    private void trade(String market, long ts, String price, String qty, String quote) {
        pipe(new OrderRested(market, ++seq, "r" + seq, ts, seq, 1, Side.SELL, price, qty));
        pipe(new Trade(market, ++seq, "t" + seq, ts, ++tradeId, price, qty, quote, Side.BUY, seq - 1, seq, 1, 2,
                "0", "USD", "0", "BTC"));
    }

    private static String candle(KlineMessage k) {
        return (k.openTime() - DAY) / MIN + "m " + k.open() + "/" + k.high() + "/" + k.low() + "/" + k.close()
                + " v" + k.baseVolume() + " q" + k.quoteVolume() + " n" + k.trades() + " ids" + k.firstTradeId()
                + "-" + k.lastTradeId() + (k.closed() ? " closed" : " open");
    }

    @Test
    void shouldCloseACandleAtItsBoundaryAndPutLateTradesInTheCurrentOne() {
        trade("BTC-USD", M10 + 5_000, "100.00", "1.0000", "100.000000");
        trade("BTC-USD", M10 + 59_999, "102.00", "0.5000", "51.000000");
        trade("BTC-USD", M10 + 30_000, "99.00", "0.2500", "24.750000"); // late: minute 10 is still open
        trade("BTC-USD", M10 + MIN, "101.00", "1.0000", "101.000000");

        List<KlineMessage> m1 = klines("BTC-USD", KlineInterval.M1);
        assertThat(m1).extracting(KlineTopologyTest::candle).containsExactly(
                "10m 100.00/100.00/100.00/100.00 v1.0000 q100.000000 n1 ids1-1 open",
                "10m 100.00/102.00/100.00/102.00 v1.5000 q151.000000 n2 ids1-2 open",
                "10m 100.00/102.00/99.00/99.00 v1.7500 q175.750000 n3 ids1-3 open",
                "10m 100.00/102.00/99.00/99.00 v1.7500 q175.750000 n3 ids1-3 closed",
                "11m 99.00/99.00/99.00/99.00 v0.0000 q0.000000 n0 ids0-0 open",
                "11m 101.00/101.00/101.00/101.00 v1.0000 q101.000000 n1 ids4-4 open");
        assertThat(m1).extracting(KlineMessage::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(m1.get(3).closeTime()).isEqualTo(M10 + MIN - 1);
        assertThat(m1.get(3).engineSeq()).as("the first event of minute 11 closed it").isEqualTo(7);

        List<KlineMessage> m5 = klines("BTC-USD", KlineInterval.M5);
        assertThat(m5).as("minute 11 is still in the 5m candle of minute 10").noneMatch(KlineMessage::closed);
        assertThat(m5.get(m5.size() - 1).openTime()).isEqualTo(M10);
        assertThat(m5.get(m5.size() - 1).trades()).isEqualTo(4);
        for (KlineInterval interval : KlineInterval.values()) {
            assertThat(klines("BTC-USD", interval)).as(interval.code()).hasSizeGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void shouldFillAQuietStretchWithFlatCandles() {
        trade("BTC-USD", M10 + 1_000, "100.00", "1.0000", "100.000000");
        pipe(new OrderAccepted("BTC-USD", ++seq, "a", M10 + 4 * MIN + 1_000, 99, 1, "x", OrderType.LIMIT, Side.BUY,
                "1.00", "1.0000", null, null, false));

        assertThat(klines("BTC-USD", KlineInterval.M1)).extracting(KlineTopologyTest::candle).containsExactly(
                "10m 100.00/100.00/100.00/100.00 v1.0000 q100.000000 n1 ids1-1 open",
                "10m 100.00/100.00/100.00/100.00 v1.0000 q100.000000 n1 ids1-1 closed",
                "11m 100.00/100.00/100.00/100.00 v0.0000 q0.000000 n0 ids0-0 closed",
                "12m 100.00/100.00/100.00/100.00 v0.0000 q0.000000 n0 ids0-0 closed",
                "13m 100.00/100.00/100.00/100.00 v0.0000 q0.000000 n0 ids0-0 closed",
                "14m 100.00/100.00/100.00/100.00 v0.0000 q0.000000 n0 ids0-0 open");

        pipe(new OrderAccepted("BTC-USD", ++seq, "b", M10 + 5 * MIN, 100, 1, "x", OrderType.LIMIT, Side.BUY,
                "1.00", "1.0000", null, null, false));
        assertThat(klines("BTC-USD", KlineInterval.M5)).extracting(KlineTopologyTest::candle).containsExactly(
                "10m 100.00/100.00/100.00/100.00 v1.0000 q100.000000 n1 ids1-1 open",
                "10m 100.00/100.00/100.00/100.00 v1.0000 q100.000000 n1 ids1-1 closed",
                "15m 100.00/100.00/100.00/100.00 v0.0000 q0.000000 n0 ids0-0 open");
    }

    @Test
    void shouldCloseAQuietMarketsCandlesWithTheEventTimeOfItsPartition() {
        trade("BTC-USD", M10 + 1_000, "100.00", "1.0000", "100.000000");
        long btcSeq = seq;
        pipe(new OrderAccepted("ETH-USD", 1, "e1", M10 + 2 * MIN, 1, 1, "x", OrderType.LIMIT, Side.BUY,
                "1.00", "1.0000", null, null, false));

        List<KlineMessage> m1 = klines("BTC-USD", KlineInterval.M1);
        assertThat(m1).extracting(KlineTopologyTest::candle).containsExactly(
                "10m 100.00/100.00/100.00/100.00 v1.0000 q100.000000 n1 ids1-1 open",
                "10m 100.00/100.00/100.00/100.00 v1.0000 q100.000000 n1 ids1-1 closed",
                "11m 100.00/100.00/100.00/100.00 v0.0000 q0.000000 n0 ids0-0 closed",
                "12m 100.00/100.00/100.00/100.00 v0.0000 q0.000000 n0 ids0-0 open");
        assertThat(m1.get(3).engineSeq()).as("BTC's own last sequence").isEqualTo(btcSeq);
        assertThat(klines("ETH-USD", KlineInterval.M1)).as("no candles before a market's first trade").isEmpty();
    }

    @Test
    void shouldNotLetReplayedEventsMoveCandles() {
        trade("BTC-USD", M10 + 1_000, "100.00", "1.0000", "100.000000");
        int before = harness.klines().size();
        pipe(new OrderRested("BTC-USD", 1, "r1", M10 + 3 * MIN, 1, 1, Side.SELL, "100.00", "1.0000"));
        assertThat(harness.klines()).hasSize(before);
    }
}
