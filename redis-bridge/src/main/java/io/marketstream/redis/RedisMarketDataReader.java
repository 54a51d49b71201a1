package io.marketstream.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.RedisKeys;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineInterval;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * Reads the stored market data for REST and resume: book snapshots, candles, tickers, the trade
 * tape, the markets, and a channel's recent history. Thread-safe. A reader with a namespace reads what a
 * publisher with the same namespace wrote (see {@link RedisMarketDataPublisher}).
 */
public final class RedisMarketDataReader implements AutoCloseable {
    private final MarketCatalog catalog;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final LuaScript readBook;
    private final LuaScript readMarket;
    /** Put in front of every key read; empty for the live data. */
    private final String namespace;

    public RedisMarketDataReader(RedisClient client, MarketCatalog catalog) {
        this(client, catalog, "");
    }

    /** @param namespace put in front of every key read ({@code ""}: the live names) */
    public RedisMarketDataReader(RedisClient client, MarketCatalog catalog, String namespace) {
        this.catalog = catalog;
        this.namespace = java.util.Objects.requireNonNull(namespace, "namespace");
        this.connection = client.connect();
        this.redis = connection.sync();
        this.readBook = LuaScript.load(redis, "read_book.lua");
        this.readMarket = LuaScript.load(redis, "read_market.lua");
    }

    /**
     * The stored book as a snapshot message, read atomically: its {@code u} is the sequence it is at
     * (0 if nothing was published yet), {@code cs} its checksum over the full book's top levels, and
     * each side cut to {@code depth} levels.
     */
    public BookMessage book(String market, int depth) {
        MarketSpec spec = catalog.get(market);
        String[] keys = {namespace + RedisKeys.bookSeq(market), namespace + RedisKeys.bookTs(market),
                namespace + RedisKeys.bookBids(market), namespace + RedisKeys.bookAsks(market)};
        List<Object> reply = readBook.run(redis, ScriptOutputType.MULTI, keys);
        long seq = Long.parseLong((String) reply.get(0));
        long ts = Long.parseLong((String) reply.get(1));
        L2Book book = new L2Book(spec);
        fill(book, Side.BUY, spec, reply.get(2));
        fill(book, Side.SELL, spec, reply.get(3));
        return new BookMessage(Channels.book(market), BookMessage.SNAPSHOT, seq, seq,
                book.levels(Side.BUY, depth), book.levels(Side.SELL, depth), book.checksum(), ts);
    }

    /**
     * Everything stored for the market's public channels, read atomically (one script), so the parts are of
     * one moment: the whole book, the ticker, the trade tape and every interval's candles.
     */
    public MarketState state(String market) {
        MarketSpec spec = catalog.get(market);
        List<String> keys = new ArrayList<>(List.of(namespace + RedisKeys.bookSeq(market), namespace + RedisKeys.bookTs(market),
                namespace + RedisKeys.bookBids(market), namespace + RedisKeys.bookAsks(market),
                namespace + RedisKeys.ticker(market), namespace + RedisKeys.tradeTape(market)));
        for (KlineInterval interval : KlineInterval.values()) {
            keys.add(namespace + RedisKeys.klines(market, interval));
        }
        List<Object> reply = readMarket.run(redis, ScriptOutputType.MULTI, keys.toArray(String[]::new));
        long seq = Long.parseLong((String) reply.get(0));
        L2Book book = new L2Book(spec);
        fill(book, Side.BUY, spec, reply.get(2));
        fill(book, Side.SELL, spec, reply.get(3));
        BookMessage snapshot = new BookMessage(Channels.book(market), BookMessage.SNAPSHOT, seq, seq,
                book.levels(Side.BUY, Integer.MAX_VALUE), book.levels(Side.SELL, Integer.MAX_VALUE), book.checksum(),
                Long.parseLong((String) reply.get(1)));
        Optional<TickerMessage> ticker = reply.get(4) == null ? Optional.empty()
                : Optional.of(Json.read((String) reply.get(4), TickerMessage.class));
        List<TradeMessage> tape = new ArrayList<>();
        for (Object json : (List<?>) reply.get(5)) {
            tape.add(Json.read((String) json, TradeMessage.class));
        }
        java.util.Map<KlineInterval, List<KlineMessage>> candles = new java.util.EnumMap<>(KlineInterval.class);
        KlineInterval[] intervals = KlineInterval.values();
        for (int i = 0; i < intervals.length; i++) {
            List<KlineMessage> ofInterval = new ArrayList<>();
            for (Object json : (List<?>) reply.get(6 + i)) {
                ofInterval.add(Json.read((String) json, KlineMessage.class));
            }
            candles.put(intervals[i], ofInterval);
        }
        return new MarketState(snapshot, ticker, tape, candles);
    }

    private static void fill(L2Book book, Side side, MarketSpec spec, Object flatPairs) {
        @SuppressWarnings("unchecked")
        List<Object> pairs = (List<Object>) flatPairs;
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            book.set(side, spec.parsePrice((String) pairs.get(i)), spec.parseQty((String) pairs.get(i + 1)));
        }
    }

    /** The latest trades of a market, newest first. */
    public List<TradeMessage> recentTrades(String market, int limit) {
        catalog.get(market);
        List<TradeMessage> out = new ArrayList<>();
        for (String json : redis.lrange(namespace + RedisKeys.tradeTape(market), 0, Math.max(0, limit - 1))) {
            out.add(Json.read(json, TradeMessage.class));
        }
        return out;
    }

    /**
     * The candles of a market and interval whose open time is within {@code [from, to]} (epoch ms),
     * at most the {@code limit} latest of them, oldest first. Each is the candle's latest state.
     */
    public List<KlineMessage> klines(String market, KlineInterval interval, long from, long to, int limit) {
        catalog.get(market);
        List<String> newestFirst = redis.zrevrangebyscore(namespace + RedisKeys.klines(market, interval),
                Range.create(from, to), Limit.create(0, Math.max(0, limit)));
        List<KlineMessage> out = new ArrayList<>(newestFirst.size());
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            out.add(Json.read(newestFirst.get(i), KlineMessage.class));
        }
        return out;
    }

    /** The market's latest ticker, or empty before the first one. */
    public Optional<TickerMessage> ticker(String market) {
        catalog.get(market);
        String json = redis.get(namespace + RedisKeys.ticker(market));
        return json == null ? Optional.empty() : Optional.of(Json.read(json, TickerMessage.class));
    }

    /** The markets the streams job serves (as it recorded them in Redis), by symbol. */
    public List<MarketSpec> markets() {
        List<MarketSpec> out = new ArrayList<>();
        redis.hgetall(namespace + RedisKeys.markets()).values().forEach(json -> out.add(Json.read(json, MarketSpec.class)));
        out.sort(Comparator.comparing(MarketSpec::symbol));
        return out;
    }

    /**
     * {@link #historyAfter(String, String, long)} for any channel, public ({@code book.BTC-USD},
     * {@code kline.BTC-USD.1m} …) or private ({@code orders.42}, {@code balances.42}).
     *
     * @throws IllegalArgumentException for a name that is no channel
     */
    public Optional<List<String>> historyAfter(String channel, long afterSeq) {
        long account = Channels.accountOf(channel);
        if (account >= 0) {
            return historyAfterKey(RedisKeys.accountHistory(account, channel), afterSeq);
        }
        String market = Channels.parse(channel)
                .orElseThrow(() -> new IllegalArgumentException("no channel " + channel)).market();
        return historyAfterKey(RedisKeys.history(market, channel), afterSeq);
    }

    /**
     * The channel's messages whose (last) sequence is greater than {@code afterSeq}, oldest first,
     * or empty if the history no longer reaches back that far (the caller sends a snapshot instead).
     * Each history entry is stored under its last sequence and records the first sequence it
     * accounts for ({@code U}), so "reaches back" is exact. Sequences are {@code u} for books, the
     * engine {@code seq} for trades, and the channel's own {@code seq} for candles, tickers and
     * private channels.
     */
    public Optional<List<String>> historyAfter(String market, String channel, long afterSeq) {
        return historyAfterKey(RedisKeys.history(market, channel), afterSeq);
    }

    /**
     * The channel's latest message as published (from its history), or empty if it has none: the current
     * state of a ticker or candle channel, for a subscriber that just arrived.
     *
     * @throws IllegalArgumentException for a name that is no channel
     */
    public Optional<String> lastMessage(String channel) {
        long account = Channels.accountOf(channel);
        String key = account >= 0 ? RedisKeys.accountHistory(account, channel) : RedisKeys.history(Channels.parse(channel)
                .orElseThrow(() -> new IllegalArgumentException("no channel " + channel)).market(), channel);
        List<StreamMessage<String, String>> newest = redis.xrevrange(namespace + key, Range.create("-", "+"), Limit.create(0, 1));
        return newest.isEmpty() ? Optional.empty() : Optional.of(newest.get(0).getBody().get("m"));
    }

    private Optional<List<String>> historyAfterKey(String liveKey, long afterSeq) {
        String key = namespace + liveKey;
        List<StreamMessage<String, String>> messages = redis.xrange(key, Range.create((afterSeq + 1) + "-0", "+"));
        if (messages.isEmpty()) {
            // nothing newer: fine if the history ends exactly there; if it ends before (Redis lost
            // data the caller has seen) the caller cannot continue from its position
            List<StreamMessage<String, String>> newest = redis.xrevrange(key, Range.create("-", "+"), Limit.create(0, 1));
            long last = newest.isEmpty() ? 0 : sequenceOf(newest.get(0));
            return last == afterSeq ? Optional.of(List.of()) : Optional.empty();
        }
        // the first entry must account for everything just after afterSeq (checked on what was read,
        // so trimming in between cannot shorten the answer unnoticed)
        if (Long.parseLong(messages.get(0).getBody().get("U")) > afterSeq + 1) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>(messages.size());
        messages.stream().sorted(Comparator.comparingLong(RedisMarketDataReader::sequenceOf))
                .forEach(m -> out.add(m.getBody().get("m")));
        return Optional.of(out);
    }

    private static long sequenceOf(StreamMessage<String, String> message) {
        String id = message.getId();
        return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    /**
     * Whether this reader's connection is up. False while Lettuce reconnects after losing Redis:
     * a read then would wait for the reconnection (up to the command timeout), so a caller that
     * must answer quickly checks this first.
     */
    public boolean isConnected() {
        return connection.isOpen();
    }

    /**
     * Whether Redis answers a {@code PING} on this reader's connection within {@code timeout}
     * (readiness probes). Never throws; a late answer counts as no answer.
     */
    public boolean ping(Duration timeout) {
        if (!connection.isOpen()) {
            return false;
        }
        try {
            return "PONG".equals(connection.async().ping().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
