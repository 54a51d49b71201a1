package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.CancelReason;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderCancelled;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.event.Trade;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.TickerMessage;

/** The rolling 24-hour ticker, with explicit event times. */
class TickerTopologyTest {
    private static final long MIN = 60_000;
    private static final long T0 = KlineInterval.D1.openTime(1_700_000_000_000L) + 10 * MIN;

    private final TopologyHarness harness = new TopologyHarness(MarketCatalog.defaults());
    private long seq;
    private long tradeId;

    @AfterEach
    void stop() {
        harness.close();
    }

    private void pipe(EngineEvent event) {
        harness.pipe(event);
    }

    private void rest(long ts, String price, String qty) {
        pipe(new OrderRested("BTC-USD", ++seq, "r" + seq, ts, seq, 1, Side.SELL, price, qty));
    }

    private void buy(long ts, String price, String qty, String quote) {
        pipe(new Trade("BTC-USD", ++seq, "t" + seq, ts, ++tradeId, price, qty, quote, Side.BUY, 1, 100 + seq, 1, 2,
                "0", "USD", "0", "BTC"));
    }

    private TickerMessage last() {
        return harness.tickers().get(harness.tickers().size() - 1);
    }

    private static String figures(TickerMessage t) {
        return "last " + t.last() + " open " + t.open() + " high " + t.high() + " low " + t.low() + " chg " + t.change()
                + " " + t.changePercent() + "% v " + t.baseVolume() + " q " + t.quoteVolume() + " n " + t.trades()
                + " ask " + t.ask() + "@" + t.askQty() + " bid " + t.bid();
    }

    @Test
    void shouldRollA24HourWindowNotACalendarDay() {
        rest(T0, "100.00", "10.0000");
        assertThat(figures(last())).isEqualTo(
                "last null open null high null low null chg null null% v 0.0000 q 0.000000 n 0 ask 100.00@10.0000 bid null");
        buy(T0, "100.00", "1.0000", "100.000000");
        assertThat(figures(last())).isEqualTo(
                "last 100.00 open 100.00 high 100.00 low 100.00 chg 0.00 0.00% v 1.0000 q 100.000000 n 1 ask 100.00@9.0000 bid null");

        pipe(new OrderCancelled("BTC-USD", ++seq, "c", T0 + 60 * MIN, 1, 1, Side.SELL, "100.00", "9.0000", true,
                CancelReason.USER));
        rest(T0 + 60 * MIN, "110.00", "10.0000");
        buy(T0 + 60 * MIN, "110.00", "2.0000", "220.000000");
        assertThat(figures(last())).isEqualTo(
                "last 110.00 open 100.00 high 110.00 low 100.00 chg 10.00 10.00% v 3.0000 q 320.000000 n 2 ask 110.00@8.0000 bid null");

        // a day and a minute later the first trade has left the window, though it is the same calendar day's
        rest(T0 + 24 * 60 * MIN + MIN, "120.00", "1.0000");
        assertThat(figures(last())).isEqualTo(
                "last 110.00 open 110.00 high 110.00 low 110.00 chg 0.00 0.00% v 2.0000 q 220.000000 n 1 ask 110.00@8.0000 bid null");
        buy(T0 + 24 * 60 * MIN + MIN, "110.00", "8.0000", "880.000000");
        buy(T0 + 24 * 60 * MIN + MIN, "120.00", "1.0000", "120.000000");
        assertThat(figures(last())).isEqualTo(
                "last 120.00 open 110.00 high 120.00 low 110.00 chg 10.00 9.09% v 11.0000 q 1220.000000 n 3 ask null@null bid null");

        assertThat(harness.tickers()).extracting(TickerMessage::seq)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, harness.tickers().size()).boxed().toList());
        assertThat(last().engineSeq()).isEqualTo(seq);
    }
}
