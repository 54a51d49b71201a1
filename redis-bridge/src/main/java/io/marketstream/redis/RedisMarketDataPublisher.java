package io.marketstream.redis;

import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.RedisKeys;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * The writing side of the market-data bus. Each call is one atomic Lua step: update the stored
 * state, append the message to the channel's bounded history, and PUBLISH it; readers therefore
 * never see a snapshot without its message or the reverse.
 *
 * <p>Idempotent by sequence: a message whose last sequence is not newer than what Redis holds
 * changes nothing and is not published, so a writer that replays after a restart is harmless.
 * Thread-safe (one Lettuce connection, commands in call order).
 */
public final class RedisMarketDataPublisher implements AutoCloseable {
    /** Messages kept per channel for resume (approximate trimming, never fewer). */
    public static final int HISTORY_LENGTH = 10_000;
    /** Trades kept in each market's tape. */
    public static final int TAPE_LENGTH = 1_000;

    /** What Redis did with a book message. */
    public enum Outcome {
        /** Stored and published. */
        PUBLISHED,
        /** Not newer than what Redis has: a replay, nothing changed. */
        STALE,
        /** Does not follow the stored sequence: send the full book with {@link #publishBook(BookMessage, boolean)} and replace. */
        GAP
    }

    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final LuaScript publishBook;
    private final LuaScript publishTrade;

    public RedisMarketDataPublisher(RedisClient client) {
        this.connection = client.connect();
        this.redis = connection.sync();
        this.publishBook = LuaScript.load(redis, "publish_book.lua");
        this.publishTrade = LuaScript.load(redis, "publish_trade.lua");
    }

    /**
     * Applies a book message to the stored book and publishes it on its channel.
     *
     * @param message a delta (levels that changed) or, with {@code replace}, a snapshot (all levels)
     * @param replace whether the message's levels are the whole book
     */
    public Outcome publishBook(BookMessage message, boolean replace) {
        String market = Channels.parse(message.channel())
                .orElseThrow(() -> new IllegalArgumentException("not a book channel: " + message.channel()))
                .market();
        List<String> args = new ArrayList<>(8 + 2 * (message.bids().size() + message.asks().size()));
        args.add(Long.toString(message.firstSeq()));
        args.add(Long.toString(message.lastSeq()));
        args.add(Json.write(message));
        args.add(RedisKeys.pubsub(message.channel()));
        args.add(Integer.toString(HISTORY_LENGTH));
        args.add(Long.toString(message.ts()));
        args.add(replace ? "1" : "0");
        args.add(Integer.toString(message.bids().size()));
        for (PriceLevel level : message.bids()) {
            args.add(level.price());
            args.add(level.qty());
        }
        for (PriceLevel level : message.asks()) {
            args.add(level.price());
            args.add(level.qty());
        }
        String[] keys = {RedisKeys.bookSeq(market), RedisKeys.bookBids(market), RedisKeys.bookAsks(market),
                RedisKeys.history(market, message.channel()), RedisKeys.bookTs(market)};
        Long result = publishBook.run(redis, ScriptOutputType.INTEGER, keys, args.toArray(String[]::new));
        return result == 1 ? Outcome.PUBLISHED : result == 0 ? Outcome.STALE : Outcome.GAP;
    }

    /** Records a trade in the tape and history and publishes it; false if it was a replay. */
    public boolean publishTrade(TradeMessage trade) {
        String market = Channels.parse(trade.channel())
                .orElseThrow(() -> new IllegalArgumentException("not a trades channel: " + trade.channel()))
                .market();
        String[] keys = {RedisKeys.tradesSeq(market), RedisKeys.tradeTape(market),
                RedisKeys.history(market, trade.channel())};
        Long result = publishTrade.run(redis, ScriptOutputType.INTEGER, keys, Long.toString(trade.seq()),
                Json.write(trade), RedisKeys.pubsub(trade.channel()), Integer.toString(HISTORY_LENGTH),
                Integer.toString(TAPE_LENGTH));
        return result == 1;
    }

    @Override
    public void close() {
        connection.close();
    }
}
