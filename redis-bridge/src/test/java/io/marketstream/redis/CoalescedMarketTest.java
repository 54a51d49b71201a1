package io.marketstream.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

class CoalescedMarketTest {
    private static BookMessage delta(long first, long last, List<PriceLevel> bids, List<PriceLevel> asks, long cs) {
        return new BookMessage("book.BTC-USD", BookMessage.DELTA, first, last, bids, asks, cs, 1_000 + last);
    }

    private static PriceLevel level(String price, String qty) {
        return new PriceLevel(price, qty);
    }

    private static KlineMessage kline(KlineInterval interval, long version, long openTime, String close) {
        return new KlineMessage("kline.BTC-USD." + interval.code(), version, version, interval, openTime,
                openTime + interval.millis() - 1, "1.00", close, "1.00", close, "1.0000", "1.000000", 1, 1, 1, false,
                openTime);
    }

    private static TickerMessage ticker(long version) {
        return new TickerMessage("ticker.BTC-USD", version, version, "1.00", "1.00", "1.00", "1.00", "0.00", "0.00",
                "1.0000", "1.000000", 1, null, null, null, null, version);
    }

    private static TradeMessage trade(long seq) {
        return new TradeMessage("trades.BTC-USD", seq, seq, "1.00", "1.0000", Side.BUY, seq);
    }

    private static MarketPublication publication(BookMessage book, TradeMessage trade, List<KlineMessage> klines,
                                                 TickerMessage ticker) {
        return new MarketPublication("BTC-USD", book, false, trade, klines, ticker);
    }

    @Test
    void shouldLeaveASinglePublicationAsItIs() {
        BookMessage d = delta(1, 1, List.of(level("1.00", "1.0000")), List.of(), 7);
        List<KlineMessage> klines = List.of(kline(KlineInterval.M1, 1, 0, "1.00"), kline(KlineInterval.M5, 1, 0, "1.00"));
        CoalescedMarket market = new CoalescedMarket("BTC-USD");
        market.add(publication(d, trade(1), klines, ticker(1)));

        assertThat(market.books()).containsExactly(d);
        assertThat(market.trades()).containsExactly(trade(1));
        assertThat(market.klines()).containsExactlyElementsOf(klines);
        assertThat(market.ticker()).isEqualTo(ticker(1));
    }

    @Test
    void shouldMergeConsecutiveDeltasWithEachLevelAtItsLastQuantity() {
        CoalescedMarket market = new CoalescedMarket("BTC-USD");
        market.add(publication(delta(1, 2, List.of(level("1.00", "1.0000")), List.of(), 11), null, List.of(), null));
        market.add(publication(delta(3, 3, List.of(), List.of(level("2.00", "3.0000")), 12), null, List.of(), null));
        market.add(publication(delta(4, 6, List.of(level("0.90", "2.0000"), level("1.00", "0.0000")), List.of(), 13),
                null, List.of(), null));

        assertThat(market.books()).containsExactly(new BookMessage("book.BTC-USD", BookMessage.DELTA, 1, 6,
                List.of(level("1.00", "0.0000"), level("0.90", "2.0000")), List.of(level("2.00", "3.0000")), 13, 1_006));
    }

    @Test
    void shouldStartANewBookMessageWhereADeltaDoesNotFollowOrTheBookIsReplaced() {
        CoalescedMarket market = new CoalescedMarket("BTC-USD");
        BookMessage d1 = delta(1, 1, List.of(level("1.00", "1.0000")), List.of(), 1);
        BookMessage d2 = delta(2, 2, List.of(level("1.00", "2.0000")), List.of(), 2);
        BookMessage gap = delta(5, 5, List.of(level("1.00", "3.0000")), List.of(), 5);
        BookMessage snapshot = new BookMessage("book.BTC-USD", BookMessage.SNAPSHOT, 6, 6, List.of(), List.of(), 6, 6);
        BookMessage d7 = delta(7, 7, List.of(level("1.00", "4.0000")), List.of(), 7);
        market.add(publication(d1, null, List.of(), null));
        market.add(publication(d2, null, List.of(), null));
        market.add(publication(gap, null, List.of(), null));
        market.add(new MarketPublication("BTC-USD", snapshot, true, null, List.of(), null));
        market.add(publication(d7, null, List.of(), null));

        assertThat(market.books()).containsExactly(delta(1, 2, List.of(level("1.00", "2.0000")), List.of(), 2), gap,
                snapshot, d7);
        assertThat(market.replaces(2)).isTrue();
        assertThat(market.replaces(3)).isFalse();
    }

    @Test
    void shouldKeepEveryTradeTheLatestCandlePerOpenTimeAndTheLatestTicker() {
        CoalescedMarket market = new CoalescedMarket("BTC-USD");
        market.add(publication(null, trade(1), List.of(kline(KlineInterval.M1, 1, 0, "1.00"),
                kline(KlineInterval.M5, 1, 0, "1.00")), ticker(1)));
        market.add(publication(null, trade(2), List.of(kline(KlineInterval.M1, 2, 0, "2.00"),
                kline(KlineInterval.M5, 2, 0, "2.00")), ticker(2)));
        // the minute closes and the next opens, then a trade in it
        market.add(publication(null, null, List.of(kline(KlineInterval.M1, 3, 0, "2.00"),
                kline(KlineInterval.M1, 4, 60_000, "2.00")), ticker(3)));
        market.add(publication(null, trade(3), List.of(kline(KlineInterval.M1, 5, 60_000, "3.00"),
                kline(KlineInterval.M5, 3, 0, "3.00")), null));

        assertThat(market.books()).isEmpty();
        assertThat(market.trades()).containsExactly(trade(1), trade(2), trade(3));
        assertThat(market.klines()).containsExactly(kline(KlineInterval.M1, 3, 0, "2.00"),
                kline(KlineInterval.M1, 5, 60_000, "3.00"), kline(KlineInterval.M5, 3, 0, "3.00"));
        assertThat(market.ticker()).isEqualTo(ticker(3));
        assertThat(market.publications()).isEqualTo(4);
    }

    @Test
    void shouldRefuseAnotherMarketsPublication() {
        CoalescedMarket market = new CoalescedMarket("ETH-USD");
        assertThatThrownBy(() -> market.add(publication(null, trade(1), List.of(), null)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
