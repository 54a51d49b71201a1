package io.marketstream.app.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.marketstream.app.replay.StateComparison.Verdict;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

class StateComparisonTest {
    private static BookMessage book(long seq, List<PriceLevel> bids, List<PriceLevel> asks) {
        return new BookMessage("book.BTC-USD", BookMessage.SNAPSHOT, seq, seq, bids, asks, 0, 0);
    }

    private static PriceLevel level(String px, String qty) {
        return new PriceLevel(px, qty);
    }

    private static KlineMessage candle(long seq, long u, long t, String close, boolean closed, long ts) {
        return new KlineMessage("kline.BTC-USD.1m", seq, u, KlineInterval.M1, t, t + 59_999, "100.00", "101.00", "99.00",
                close, "1.0000", "100.000000", 1, 1, 1, closed, ts);
    }

    private static TickerMessage ticker(long seq, long u, String last, long ts) {
        return new TickerMessage("ticker.BTC-USD", seq, u, last, "100.00", "101.00", "99.00", "0.00", "0.00", "1.0000",
                "100.000000", 1, null, null, null, null, ts);
    }

    @Test
    void shouldListEachLevelThatDiffersAtTheSameSequence() {
        StateComparison.Part same = StateComparison.book(book(7, List.of(level("100.00", "1.0000")), List.of()),
                book(7, List.of(level("100.00", "1.0000")), List.of()), 7);
        assertThat(same.verdict()).isEqualTo(Verdict.EQUAL);

        StateComparison.Part different = StateComparison.book(
                book(7, List.of(level("100.00", "1.0000"), level("99.00", "2.0000")), List.of(level("101.00", "1.0000"))),
                book(7, List.of(level("100.00", "0.5000")), List.of(level("101.00", "1.0000"), level("102.00", "3.0000"))), 7);
        assertThat(different.verdict()).isEqualTo(Verdict.DIFFERENT);
        assertThat(different.details()).containsExactly("bid 100.00: live 1.0000, rebuilt 0.5000",
                "bid 99.00: live 2.0000, rebuilt (none)", "ask 102.00: live (none), rebuilt 3.0000");
    }

    @Test
    void shouldTellALiveStateThatMovedOnFromADifference() {
        assertThat(StateComparison.book(book(9, List.of(), List.of()), book(7, List.of(), List.of()), 7).verdict())
                .isEqualTo(Verdict.LIVE_AHEAD);
        assertThat(StateComparison.book(book(0, List.of(), List.of()), book(7, List.of(), List.of()), 7).verdict())
                .isEqualTo(Verdict.LIVE_BEHIND);
        assertThat(StateComparison.ticker(Optional.of(ticker(40, 9, "101.00", 5)), Optional.of(ticker(3, 7, "100.00", 4)))
                .verdict()).as("later u").isEqualTo(Verdict.LIVE_AHEAD);
        assertThat(StateComparison.ticker(Optional.of(ticker(40, 7, "101.00", 4)), Optional.of(ticker(3, 7, "100.00", 4)))
                .verdict()).as("same u and ts, other content").isEqualTo(Verdict.DIFFERENT);
        assertThat(StateComparison.ticker(Optional.of(ticker(40, 7, "100.00", 4)), Optional.of(ticker(3, 7, "100.00", 4)))
                .verdict()).as("seq is Redis's numbering").isEqualTo(Verdict.EQUAL);
        // live closed the candle by a later event time and opened the next: ahead, not different
        assertThat(StateComparison.klines("kline 1m",
                List.of(candle(8, 7, 0, "100.00", true, 60_000), candle(9, 7, 60_000, "100.00", false, 60_000)),
                List.of(candle(2, 7, 0, "100.00", false, 30_000))).verdict()).isEqualTo(Verdict.LIVE_AHEAD);
        assertThat(StateComparison.klines("kline 1m", List.of(candle(8, 7, 0, "100.00", false, 30_000)),
                List.of(candle(2, 7, 0, "99.50", false, 30_000))).details()).singleElement().asString()
                .contains("c: live \"100.00\", rebuilt \"99.50\"");
    }

    @Test
    void shouldCompareTheTradesBothTapesHoldUpToTheRebuiltSeq() {
        TradeMessage t4 = new TradeMessage("trades.BTC-USD", 4, 1, "100.00", "1.0000", Side.BUY, 1);
        TradeMessage t6 = new TradeMessage("trades.BTC-USD", 6, 2, "100.00", "1.0000", Side.BUY, 2);
        TradeMessage t9 = new TradeMessage("trades.BTC-USD", 9, 3, "100.00", "1.0000", Side.BUY, 3);
        assertThat(StateComparison.tape(List.of(t9, t6, t4), List.of(t6, t4), 7).verdict()).isEqualTo(Verdict.LIVE_AHEAD);
        assertThat(StateComparison.tape(List.of(t6, t4), List.of(t6, t4), 7).verdict()).isEqualTo(Verdict.EQUAL);
        TradeMessage other6 = new TradeMessage("trades.BTC-USD", 6, 2, "100.01", "1.0000", Side.BUY, 2);
        assertThat(StateComparison.tape(List.of(other6, t4), List.of(t6, t4), 7).verdict()).isEqualTo(Verdict.DIFFERENT);
        assertThat(StateComparison.tape(List.of(t4), List.of(t6, t4), 7).verdict()).as("a trade live lacks")
                .isEqualTo(Verdict.DIFFERENT);
    }
}
