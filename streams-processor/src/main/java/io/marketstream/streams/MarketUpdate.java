package io.marketstream.streams;

import java.util.List;

import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * What one engine event changed on one market's public channels. Each part may be absent (null or
 * empty): an event of another market in the same partition may only close candles here.
 *
 * @param delta     the book delta, or null if the book did not change
 * @param bookAfter the market's whole book after the delta; read it only during the sink call
 * @param trade     the trade, or null
 * @param klines    candle updates, in order
 * @param ticker    the ticker, or null if it did not change
 */
public record MarketUpdate(String market, BookMessage delta, L2Book bookAfter, TradeMessage trade,
                           List<KlineMessage> klines, TickerMessage ticker) {
    public boolean isEmpty() {
        return delta == null && trade == null && klines.isEmpty() && ticker == null;
    }
}
