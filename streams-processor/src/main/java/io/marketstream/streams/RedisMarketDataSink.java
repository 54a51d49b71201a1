package io.marketstream.streams;

import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.TradeMessage;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.redis.RedisMarketDataPublisher.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the topology's output through the Redis bus. When Redis does not hold the book a delta
 * follows (it lost its data, or this is the first run against it), the whole book is sent as a
 * snapshot that replaces it.
 */
public final class RedisMarketDataSink implements MarketDataSink {
    private static final Logger log = LoggerFactory.getLogger(RedisMarketDataSink.class);

    private final RedisMarketDataPublisher publisher;

    public RedisMarketDataSink(RedisMarketDataPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void book(BookMessage delta, L2Book bookAfter) {
        if (publisher.publishBook(delta, false) == Outcome.GAP) {
            BookMessage snapshot = new BookMessage(delta.channel(), BookMessage.SNAPSHOT, delta.lastSeq(),
                    delta.lastSeq(), bookAfter.levels(Side.BUY, Integer.MAX_VALUE),
                    bookAfter.levels(Side.SELL, Integer.MAX_VALUE), bookAfter.checksum(), delta.ts());
            Outcome outcome = publisher.publishBook(snapshot, true);
            log.info("{}: Redis did not hold the book before seq {}; replaced it with a snapshot ({})",
                    delta.channel(), delta.firstSeq(), outcome);
        }
    }

    @Override
    public void trade(TradeMessage trade) {
        publisher.publishTrade(trade);
    }
}
