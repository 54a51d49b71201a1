package io.marketstream.redis;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * Everything stored for a market's public channels, read at one moment ({@link RedisMarketDataReader#state}).
 *
 * @param book    the whole book as a snapshot ({@code u} its seq, 0 if none yet)
 * @param ticker  the latest ticker, if any
 * @param tape    the trade tape, newest first
 * @param candles per interval, the kept candles, oldest first
 */
public record MarketState(BookMessage book, Optional<TickerMessage> ticker, List<TradeMessage> tape,
                          Map<KlineInterval, List<KlineMessage>> candles) {
}
