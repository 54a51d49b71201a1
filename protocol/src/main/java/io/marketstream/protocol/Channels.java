package io.marketstream.protocol;

import java.util.Optional;

/**
 * Names of the public market-data channels, built here and nowhere else: {@code book.<market>} and
 * {@code trades.<market>}. The same name is used on the WebSocket wire and, prefixed, in Redis
 * (see {@link RedisKeys}).
 */
public final class Channels {
    public static final String BOOK = "book";
    public static final String TRADES = "trades";

    private Channels() {
    }

    public static String book(String market) {
        return BOOK + "." + market;
    }

    public static String trades(String market) {
        return TRADES + "." + market;
    }

    /** A parsed channel name. */
    public record Channel(String kind, String market) {
        public String name() {
            return kind + "." + market;
        }
    }

    /** Parses {@code book.BTC-USD} or {@code trades.BTC-USD}; empty for anything else. */
    public static Optional<Channel> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        int dot = name.indexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            return Optional.empty();
        }
        String kind = name.substring(0, dot);
        String market = name.substring(dot + 1);
        if (!(kind.equals(BOOK) || kind.equals(TRADES)) || !market.matches("[A-Z0-9]{1,12}-[A-Z0-9]{1,12}")) {
            return Optional.empty();
        }
        return Optional.of(new Channel(kind, market));
    }
}
