package io.marketstream.redis;

import java.util.List;

import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * Messages for one market's channels that Redis applies in one atomic step, in this order: book,
 * trade, candles, ticker. Any part may be absent (null or empty).
 *
 * @param book    a delta, or with {@code replace} a snapshot holding the whole book
 * @param replace whether {@code book}'s levels are the whole book
 */
public record MarketPublication(String market, BookMessage book, boolean replace, TradeMessage trade,
                                List<KlineMessage> klines, TickerMessage ticker) {
    public MarketPublication {
        klines = klines == null ? List.of() : klines;
    }

    /** What Redis did: {@code book} is null if there was no book message; {@code published} counts messages published. */
    public record Result(RedisMarketDataPublisher.Outcome book, int published) {
    }
}
