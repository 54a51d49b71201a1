package io.marketstream.protocol;

import io.marketstream.protocol.marketdata.KlineInterval;

/**
 * Every Redis key and pub/sub channel name, built here and nowhere else. Keys of one market share
 * the hash tag {@code {market}}, keys of one account the hash tag {@code {acct:<id>}}, so each group
 * lives in one Redis Cluster slot and one Lua script may touch all of it.
 *
 * <p>Per market:
 * <ul>
 *   <li>{@code ms:{BTC-USD}:book:bids}, {@code ...:book:asks}: hashes, price string to quantity string</li>
 *   <li>{@code ms:{BTC-USD}:book:seq}: the engine sequence the stored book is at</li>
 *   <li>{@code ms:{BTC-USD}:book:ts}: the command timestamp of that sequence</li>
 *   <li>{@code ms:{BTC-USD}:trades:seq}: the engine sequence of the last trade published</li>
 *   <li>{@code ms:{BTC-USD}:trades:tape}: list of the latest trade messages, newest first</li>
 *   <li>{@code ms:{BTC-USD}:ticker}: the latest ticker message; {@code ...:ticker:seq} its channel seq
 *       (a counter: Redis numbers the ticker messages), {@code ...:ticker:ver} the writer's version of
 *       it (idempotence)</li>
 *   <li>{@code ms:{BTC-USD}:kline:1m} …: sorted set of candle messages scored by open time;
 *       {@code ...:kline:1m:seq} the channel seq of the last one (a counter, as for the ticker),
 *       {@code ...:kline:1m:ver} the writer's version of it</li>
 *   <li>{@code ms:{BTC-USD}:hist:<channel>}: stream of the channel's recent messages (for resume)</li>
 * </ul>
 * Per account:
 * <ul>
 *   <li>{@code ms:{acct:42}:seq:<channel>}: the channel's last message seq (a counter)</li>
 *   <li>{@code ms:{acct:42}:pos:<channel>}: hash, market to the last engine seq stored (idempotence)</li>
 *   <li>{@code ms:{acct:42}:balances}: hash, {@code market|asset} to the latest balance message</li>
 *   <li>{@code ms:{acct:42}:hist:<channel>}: stream of the channel's recent messages</li>
 * </ul>
 * Global: {@code ms:markets} (hash, symbol to the market's rules as JSON) and {@code ms:pub:<channel>},
 * the pub/sub channel carrying a channel's messages.
 */
public final class RedisKeys {
    public static final String PREFIX = "ms:";

    private RedisKeys() {
    }

    private static String market(String market) {
        return PREFIX + "{" + market + "}:";
    }

    private static String account(long account) {
        return PREFIX + "{acct:" + account + "}:";
    }

    public static String bookBids(String market) {
        return market(market) + "book:bids";
    }

    public static String bookAsks(String market) {
        return market(market) + "book:asks";
    }

    public static String bookSeq(String market) {
        return market(market) + "book:seq";
    }

    public static String bookTs(String market) {
        return market(market) + "book:ts";
    }

    public static String tradesSeq(String market) {
        return market(market) + "trades:seq";
    }

    public static String tradeTape(String market) {
        return market(market) + "trades:tape";
    }

    public static String ticker(String market) {
        return market(market) + "ticker";
    }

    public static String tickerSeq(String market) {
        return market(market) + "ticker:seq";
    }

    /** The writer's version of the stored ticker: a ticker message not newer is a replay. */
    public static String tickerVersion(String market) {
        return market(market) + "ticker:ver";
    }

    public static String klines(String market, KlineInterval interval) {
        return market(market) + "kline:" + interval.code();
    }

    public static String klinesSeq(String market, KlineInterval interval) {
        return market(market) + "kline:" + interval.code() + ":seq";
    }

    /** The writer's version of the channel's last candle message: one not newer is a replay. */
    public static String klinesVersion(String market, KlineInterval interval) {
        return market(market) + "kline:" + interval.code() + ":ver";
    }

    public static String history(String market, String channel) {
        return market(market) + "hist:" + channel;
    }

    public static String accountSeq(long account, String channel) {
        return account(account) + "seq:" + channel;
    }

    public static String accountPositions(long account, String channel) {
        return account(account) + "pos:" + channel;
    }

    public static String accountBalances(long account) {
        return account(account) + "balances";
    }

    public static String accountHistory(long account, String channel) {
        return account(account) + "hist:" + channel;
    }

    /** Hash of the markets served: symbol to the market's rules (JSON). */
    public static String markets() {
        return PREFIX + "markets";
    }

    /**
     * The namespace of a replay session's rebuilt state ({@code app replay}): put in front of the live
     * names, e.g. {@code replay:check-1:ms:{BTC-USD}:book:bids}, so the hash tags stay those of the
     * live keys. Never starts with {@link #PREFIX}, so nothing live matches {@code replay:<session>:*}.
     */
    public static String replayNamespace(String session) {
        if (!Channels.isReplaySession(session)) {
            throw new IllegalArgumentException("not a replay session name: " + session
                    + " (1 to 32 of a-z 0-9 _ -, starting with a letter or digit)");
        }
        return "replay:" + session + ":";
    }

    /** The Redis pub/sub channel for a market-data channel such as {@code book.BTC-USD}. */
    public static String pubsub(String channel) {
        return PREFIX + "pub:" + channel;
    }

    /** The market-data channel behind a Redis pub/sub channel name, or null if it is not ours. */
    public static String channelOf(String pubsubChannel) {
        String prefix = PREFIX + "pub:";
        return pubsubChannel.startsWith(prefix) ? pubsubChannel.substring(prefix.length()) : null;
    }
}
