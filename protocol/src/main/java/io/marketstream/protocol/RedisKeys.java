package io.marketstream.protocol;

/**
 * Every Redis key and pub/sub channel name, built here and nowhere else. Keys of one market share
 * the hash tag {@code {market}}, so they live in one Redis Cluster slot and one Lua script may touch
 * them all.
 *
 * <ul>
 *   <li>{@code ms:{BTC-USD}:book:bids}, {@code ...:book:asks}: hashes, price string to quantity string</li>
 *   <li>{@code ms:{BTC-USD}:book:seq}: the engine sequence the stored book is at</li>
 *   <li>{@code ms:{BTC-USD}:book:ts}: the command timestamp of that sequence</li>
 *   <li>{@code ms:{BTC-USD}:trades:seq}: the engine sequence of the last trade published</li>
 *   <li>{@code ms:{BTC-USD}:trades:tape}: list of the latest trade messages, newest first</li>
 *   <li>{@code ms:{BTC-USD}:hist:<channel>}: stream of the channel's recent messages (for resume)</li>
 *   <li>{@code ms:pub:<channel>}: the pub/sub channel carrying the channel's messages</li>
 * </ul>
 */
public final class RedisKeys {
    public static final String PREFIX = "ms:";

    private RedisKeys() {
    }

    private static String market(String market) {
        return PREFIX + "{" + market + "}:";
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

    public static String history(String market, String channel) {
        return market(market) + "hist:" + channel;
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
