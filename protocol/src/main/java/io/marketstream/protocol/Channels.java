package io.marketstream.protocol;

import java.util.Optional;
import java.util.regex.Pattern;

import io.marketstream.protocol.marketdata.KlineInterval;

/**
 * Names of the market-data channels, built here and nowhere else. The same name is used on the
 * WebSocket wire and, prefixed, in Redis (see {@link RedisKeys}).
 *
 * <ul>
 *   <li>public, per market: {@code book.<market>}, {@code trades.<market>}, {@code ticker.<market>},
 *       {@code kline.<market>.<interval>} (interval {@code 1m 5m 15m 1h 4h 1d})</li>
 *   <li>private, per account: {@code orders.<account>}, {@code balances.<account>}; never parsed
 *       by {@link #parse}, which only knows public channels (a private channel is not for anyone
 *       who asks)</li>
 * </ul>
 */
public final class Channels {
    public static final String BOOK = "book";
    public static final String TRADES = "trades";
    public static final String TICKER = "ticker";
    public static final String KLINE = "kline";
    public static final String ORDERS = "orders";
    public static final String BALANCES = "balances";

    private static final Pattern MARKET = Pattern.compile("[A-Z0-9]{1,12}-[A-Z0-9]{1,12}");
    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{1,18}");

    private Channels() {
    }

    public static String book(String market) {
        return BOOK + "." + market;
    }

    public static String trades(String market) {
        return TRADES + "." + market;
    }

    public static String ticker(String market) {
        return TICKER + "." + market;
    }

    public static String kline(String market, KlineInterval interval) {
        return KLINE + "." + market + "." + interval.code();
    }

    /** An account's order updates. */
    public static String orders(long account) {
        return ORDERS + "." + account;
    }

    /** An account's balance changes. */
    public static String balances(long account) {
        return BALANCES + "." + account;
    }

    /** The account of a private channel ({@code orders.42}, {@code balances.42}), or -1 if it is not one. */
    public static long accountOf(String name) {
        if (name == null) {
            return -1;
        }
        String prefix = name.startsWith(ORDERS + ".") ? ORDERS + "." : name.startsWith(BALANCES + ".") ? BALANCES + "." : null;
        if (prefix == null || !ACCOUNT.matcher(name.substring(prefix.length())).matches()) {
            return -1;
        }
        return Long.parseLong(name.substring(prefix.length()));
    }

    /** A parsed public channel name; {@code interval} is set for klines only. */
    public record Channel(String kind, String market, KlineInterval interval) {
        public Channel(String kind, String market) {
            this(kind, market, null);
        }

        public String name() {
            return interval == null ? kind + "." + market : kind + "." + market + "." + interval.code();
        }
    }

    /**
     * Parses a public channel name ({@code book.BTC-USD}, {@code trades.BTC-USD},
     * {@code ticker.BTC-USD}, {@code kline.BTC-USD.1m}); empty for anything else.
     */
    public static Optional<Channel> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length < 2 || parts.length > 3 || !MARKET.matcher(parts[1]).matches()) {
            return Optional.empty();
        }
        String kind = parts[0];
        if (parts.length == 3) {
            if (!kind.equals(KLINE)) {
                return Optional.empty();
            }
            return KlineInterval.fromCode(parts[2]).map(i -> new Channel(kind, parts[1], i));
        }
        if (!(kind.equals(BOOK) || kind.equals(TRADES) || kind.equals(TICKER))) {
            return Optional.empty();
        }
        return Optional.of(new Channel(kind, parts[1]));
    }
}
