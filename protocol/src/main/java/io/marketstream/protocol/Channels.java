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
 *   <li>replay, per replay session: {@code replay.<session>.<public channel>} carries what {@code app replay}
 *       recomputes from historical events for that channel, and {@code replay.<session>} the session's
 *       start and end notices (see {@link #parseReplay})</li>
 * </ul>
 */
public final class Channels {
    public static final String BOOK = "book";
    public static final String TRADES = "trades";
    public static final String TICKER = "ticker";
    public static final String KLINE = "kline";
    public static final String ORDERS = "orders";
    public static final String BALANCES = "balances";
    public static final String REPLAY = "replay";

    private static final Pattern MARKET = Pattern.compile("[A-Z0-9]{1,12}-[A-Z0-9]{1,12}");
    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{1,18}");
    /** A replay session's name: also part of Redis key names, so no glob or hash-tag characters. */
    private static final Pattern SESSION = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

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

    /** Book depths a client may ask for ({@code 0} is the full book). */
    public static final java.util.List<Integer> BOOK_DEPTHS = java.util.List.of(10, 25, 100, 500, 0);

    /** How often a book view is sent: every change ({@code raw}) or merged over a window. */
    public enum Cadence {
        RAW("raw", 0), MS100("100ms", 100), MS1000("1000ms", 1000);

        private final String code;
        private final long millis;

        Cadence(String code, long millis) {
            this.code = code;
            this.millis = millis;
        }

        public String code() {
            return code;
        }

        /** The window length; 0 for {@code raw}. */
        public long millis() {
            return millis;
        }

        public static Optional<Cadence> fromCode(String code) {
            for (Cadence c : values()) {
                if (c.code.equals(code)) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * A view of a market's book as a client subscribes to it: {@code book.<market>[.<depth>][@<cadence>]},
     * depth one of 10, 25, 100, 500 or {@code full} (the default, {@code 0} here), cadence {@code raw}
     * (the default), {@code 100ms} or {@code 1000ms}. {@link #name()} is the canonical spelling (defaults
     * left out), which is what the messages' {@code ch} carries; {@code book.<market>} is the upstream
     * channel itself.
     */
    public record BookView(String market, int depth, Cadence cadence) {
        public String name() {
            return BOOK + "." + market + (depth == 0 ? "" : "." + depth)
                    + (cadence == Cadence.RAW ? "" : "@" + cadence.code());
        }

        /** The upstream channel the view is computed from. */
        public String upstream() {
            return book(market);
        }

        /** Whether this view is the upstream channel as published (full depth, every change). */
        public boolean isUpstream() {
            return depth == 0 && cadence == Cadence.RAW;
        }
    }

    /**
     * Parses a book view name ({@code book.BTC-USD}, {@code book.BTC-USD.25}, {@code book.BTC-USD@100ms},
     * {@code book.BTC-USD.full@raw}, ...); empty for anything else.
     */
    public static Optional<BookView> parseBookView(String name) {
        if (name == null || !name.startsWith(BOOK + ".")) {
            return Optional.empty();
        }
        String rest = name.substring(BOOK.length() + 1);
        Cadence cadence = Cadence.RAW;
        int at = rest.indexOf('@');
        if (at >= 0) {
            Optional<Cadence> parsed = Cadence.fromCode(rest.substring(at + 1));
            if (parsed.isEmpty()) {
                return Optional.empty();
            }
            cadence = parsed.get();
            rest = rest.substring(0, at);
        }
        String[] parts = rest.split("\\.", -1);
        if (parts.length > 2 || !MARKET.matcher(parts[0]).matches()) {
            return Optional.empty();
        }
        int depth = 0;
        if (parts.length == 2) {
            if (parts[1].equals("full")) {
                depth = 0;
            } else {
                try {
                    depth = Integer.parseInt(parts[1]);
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
                if (depth == 0 || !BOOK_DEPTHS.contains(depth)) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(new BookView(parts[0], depth, cadence));
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

    /** Whether a name is usable as a replay session: 1 to 32 of {@code a-z 0-9 _ -}, starting with a letter or digit. */
    public static boolean isReplaySession(String session) {
        return session != null && SESSION.matcher(session).matches();
    }

    /** A replay session's channel for a public channel: {@code replay.<session>.trades.BTC-USD}. */
    public static String replay(String session, String channel) {
        return replayControl(session) + "." + channel;
    }

    /** A replay session's own channel, carrying its start and end notices: {@code replay.<session>}. */
    public static String replayControl(String session) {
        if (!isReplaySession(session)) {
            throw new IllegalArgumentException("not a replay session name: " + session
                    + " (1 to 32 of a-z 0-9 _ -, starting with a letter or digit)");
        }
        return REPLAY + "." + session;
    }

    /**
     * A parsed replay channel: the session and, unless it is the session's control channel, the public
     * channel it replays. Replayed books are the full book at every change ({@code book.<market>} only,
     * no depth or cadence views).
     */
    public record ReplayChannel(String session, Channel channel) {
        public String name() {
            return channel == null ? replayControl(session) : replay(session, channel.name());
        }
    }

    /**
     * Parses {@code replay.<session>} or {@code replay.<session>.<public channel>} (the public channel as
     * {@link #parse} reads it: {@code book.<market>}, {@code trades.<market>}, {@code ticker.<market>},
     * {@code kline.<market>.<interval>}); empty for anything else.
     */
    public static Optional<ReplayChannel> parseReplay(String name) {
        if (name == null || !name.startsWith(REPLAY + ".")) {
            return Optional.empty();
        }
        String rest = name.substring(REPLAY.length() + 1);
        int dot = rest.indexOf('.');
        String session = dot < 0 ? rest : rest.substring(0, dot);
        if (!isReplaySession(session)) {
            return Optional.empty();
        }
        if (dot < 0) {
            return Optional.of(new ReplayChannel(session, null));
        }
        return parse(rest.substring(dot + 1)).map(channel -> new ReplayChannel(session, channel));
    }
}
