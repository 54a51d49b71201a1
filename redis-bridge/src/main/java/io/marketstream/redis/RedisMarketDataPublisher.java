package io.marketstream.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.AsyncCommand;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.RedisKeys;
import io.marketstream.protocol.event.BalanceChanged;
import io.marketstream.protocol.event.EngineEventWriter;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.KlineMessage;
import io.marketstream.protocol.marketdata.PriceLevel;
import io.marketstream.protocol.marketdata.TickerMessage;
import io.marketstream.protocol.marketdata.TradeMessage;

/**
 * The writing side of the market-data bus. Each call is one atomic Lua step (script loaded once,
 * called by SHA): update the stored state, append each message to its channel's bounded history,
 * and PUBLISH it; readers therefore never see a snapshot without its message or the reverse.
 *
 * <p>Idempotent by sequence: a message whose sequence is not newer than what Redis holds for its
 * channel changes nothing and is not published, so a writer that replays after a restart is
 * harmless. Thread-safe. Every script call goes over one connection (keys and arguments encoded
 * here, once, straight into byte arrays), so Redis executes them in the order they are made,
 * synchronous and asynchronous alike. {@link #publishBatchAsync} pipelines: it returns before Redis
 * answers and fails (rather than retry on its own) if the script cache was emptied by a Redis
 * restart; repeat such a batch with {@link #publishBatch}, which reloads the scripts.
 *
 * <p>A publisher with a namespace writes every key and pub/sub channel with the namespace in front of
 * its name ({@link RedisKeys#replayNamespace}): the same state and messages, kept apart from the live
 * ones (hash tags are unchanged, so each call still touches one cluster slot).
 */
public final class RedisMarketDataPublisher implements AutoCloseable {
    /** Messages kept per channel for resume (approximate trimming, never fewer). */
    public static final int HISTORY_LENGTH = 10_000;
    /** Trades kept in each market's tape. */
    public static final int TAPE_LENGTH = 1_000;
    /** Candles kept per market and interval. */
    public static final int KLINES_KEPT = 1_500;
    /** Channels whose encoded key names are kept, at most (then the cache starts over). */
    private static final int MAX_CACHED_CHANNELS = 100_000;

    /** What Redis did with a book message. */
    public enum Outcome {
        /** Stored and published. */
        PUBLISHED,
        /** Not newer than what Redis has: a replay, nothing changed. */
        STALE,
        /** Does not follow the stored sequence: send the full book with {@code replace} instead. */
        GAP
    }

    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    /** For the scripts: Lettuce would otherwise copy each String argument through a buffer of its own. */
    private final StatefulRedisConnection<byte[], byte[]> scriptConnection;
    private final RedisCommands<byte[], byte[]> scriptSync;
    private final LuaScript publishMarket;
    private final LuaScript publishAccount;
    /** Per channel, its keys and pub/sub name, encoded once. */
    private final Map<String, ChannelKeys> channelKeys = new ConcurrentHashMap<>();
    /** Per private channel, its account ({@link Channels#accountOf} parses with a regular expression). */
    private final Map<String, Long> channelAccounts = new ConcurrentHashMap<>();
    /** One writer of engine events per thread (a writer reuses its buffer). */
    private static final ThreadLocal<EngineEventWriter> EVENT_WRITERS = ThreadLocal.withInitial(EngineEventWriter::new);
    /** Put in front of every key and pub/sub channel name; empty for the live data. */
    private final String namespace;

    public RedisMarketDataPublisher(RedisClient client) {
        this(client, "");
    }

    /** @param namespace put in front of every key and pub/sub name written ({@code ""}: the live names) */
    public RedisMarketDataPublisher(RedisClient client, String namespace) {
        this.namespace = java.util.Objects.requireNonNull(namespace, "namespace");
        this.connection = client.connect();
        this.redis = connection.sync();
        this.scriptConnection = client.connect(ByteArrayCodec.INSTANCE);
        this.scriptSync = scriptConnection.sync();
        this.publishMarket = LuaScript.load(redis, "publish_market.lua");
        this.publishAccount = LuaScript.load(redis, "publish_account.lua");
    }

    /** Records the markets served ({@code ms:markets}), so that any reader can list them. */
    public void publishMarkets(MarketCatalog catalog) {
        for (MarketSpec spec : catalog.all()) {
            redis.hset(namespace + RedisKeys.markets(), spec.symbol(), Json.write(spec));
        }
    }

    /**
     * Applies a book message to the stored book and publishes it on its channel.
     *
     * @param message a delta (levels that changed) or, with {@code replace}, a snapshot (all levels)
     * @param replace whether the message's levels are the whole book
     */
    public Outcome publishBook(BookMessage message, boolean replace) {
        String market = marketOf(message.channel());
        return publish(new MarketPublication(market, message, replace, null, List.of(), null)).book();
    }

    /** Records a trade in the tape and history and publishes it; false if it was a replay. */
    public boolean publishTrade(TradeMessage trade) {
        String market = marketOf(trade.channel());
        return publish(new MarketPublication(market, null, false, trade, List.of(), null)).published() == 1;
    }

    /**
     * Applies one market's messages in one atomic step and waits for Redis's answer. Candle and
     * ticker states that a later one of the same channel (and open time) in the publication replaces
     * are left out (see {@link CoalescedMarket}).
     */
    public MarketPublication.Result publish(MarketPublication publication) {
        CoalescedMarket market = new CoalescedMarket(publication.market());
        market.add(publication);
        Script script = marketScript(market);
        List<Long> reply = publishMarket.run(scriptSync, ScriptOutputType.MULTI, script.keys(), script.args());
        return result(script, reply);
    }

    /** Stores and publishes a private message; returns the seq Redis gave it, or 0 for a replay. */
    public long publishAccount(AccountMessage message) {
        Script script = accountScript(List.of(message));
        List<Long> seqs = publishAccount.run(scriptSync, ScriptOutputType.MULTI, script.keys(), script.args());
        return seqs.get(0);
    }

    /**
     * Publishes many updates with few Lua calls, pipelined: one call per market and one per account
     * (its messages in order). A market's publications are coalesced first ({@link CoalescedMarket}:
     * consecutive book deltas merged, only the latest candle per channel and open time and the latest
     * ticker kept, every trade kept), so that each market's channels end exactly as with one
     * {@link #publish} each, with fewer messages; each call is atomic. Markets and accounts are
     * independent of each other, so their relative order does not matter. A failed batch is repeated
     * with {@link #publishBatch} (see the class comment).
     *
     * @return per market, in the order of their first publication, what Redis did
     */
    public CompletionStage<Map<String, MarketPublication.Result>> publishBatchAsync(
            List<MarketPublication> publications, List<AccountMessage> accounts) {
        Batch batch = batch(publications, accounts);
        List<AsyncCommand<byte[], byte[], List<Object>>> calls = new ArrayList<>(batch.calls.size());
        for (Call call : batch.calls) {
            LuaScript script = call.market != null ? publishMarket : publishAccount;
            calls.add(script.evalshaCommand(call.script.keys(), call.script.args()));
        }
        // all of the batch's calls in one write (Lettuce writes each call on its own otherwise: a socket
        // write, and from a thread other than the event loop a wake-up of it, per call)
        scriptConnection.dispatch(calls);
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenApply(done -> results(batch, calls.stream().map(RedisMarketDataPublisher::longs).toList()));
    }

    /** {@link #publishBatchAsync}, call by call, waiting for each answer (and reloading the scripts if need be). */
    public Map<String, MarketPublication.Result> publishBatch(List<MarketPublication> publications,
                                                              List<AccountMessage> accounts) {
        Batch batch = batch(publications, accounts);
        List<List<Long>> replies = new ArrayList<>(batch.calls.size());
        for (Call call : batch.calls) {
            LuaScript script = call.market != null ? publishMarket : publishAccount;
            replies.add(script.run(scriptSync, ScriptOutputType.MULTI, call.script.keys(), call.script.args()));
        }
        return results(batch, replies);
    }

    /** One Lua call: a market's sections (market not null) or an account's messages. */
    private record Call(String market, Script script) {
    }

    private record Batch(List<Call> calls) {
    }

    private Batch batch(List<MarketPublication> publications, List<AccountMessage> accounts) {
        Map<String, CoalescedMarket> byMarket = new LinkedHashMap<>();
        for (MarketPublication p : publications) {
            byMarket.computeIfAbsent(p.market(), CoalescedMarket::new).add(p);
        }
        Map<Long, List<AccountMessage>> byAccount = new LinkedHashMap<>();
        for (AccountMessage message : accounts) {
            byAccount.computeIfAbsent(accountOf(message.channel()), a -> new ArrayList<>()).add(message);
        }
        List<Call> calls = new ArrayList<>(byMarket.size() + byAccount.size());
        for (CoalescedMarket market : byMarket.values()) {
            calls.add(new Call(market.market(), marketScript(market)));
        }
        for (List<AccountMessage> ofAccount : byAccount.values()) {
            calls.add(new Call(null, accountScript(ofAccount)));
        }
        return new Batch(calls);
    }

    /** A script call's multi-bulk reply of integers (the scripts return arrays of sequences and outcomes). */
    @SuppressWarnings("unchecked")
    private static List<Long> longs(AsyncCommand<byte[], byte[], List<Object>> call) {
        return (List<Long>) (List<?>) call.join();
    }

    /** Each market call's result, by market. */
    private static Map<String, MarketPublication.Result> results(Batch batch, List<List<Long>> replies) {
        Map<String, MarketPublication.Result> byMarket = new LinkedHashMap<>();
        for (int c = 0; c < batch.calls.size(); c++) {
            Call call = batch.calls.get(c);
            if (call.market != null) {
                byMarket.put(call.market, result(call.script, replies.get(c)));
            }
        }
        return byMarket;
    }

    /** Waits for an asynchronous call, rethrowing its failure unwrapped when it is unchecked. */
    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** A call's keys and arguments; a market call's first {@code books} sections are book messages. */
    private record Script(byte[][] keys, byte[][] args, int books) {
    }

    /** Collects a call's keys and arguments. */
    private static final class ScriptBuilder {
        private final List<byte[]> keys = new ArrayList<>(32);
        private final List<byte[]> args = new ArrayList<>(64);

        void key(byte[] key) {
            keys.add(key);
        }

        void arg(byte[] arg) {
            args.add(arg);
        }

        void arg(long value) {
            args.add(ascii(Long.toString(value)));
        }

        void arg(String value) {
            args.add(value.getBytes(StandardCharsets.UTF_8));
        }

        Script build(int books) {
            return new Script(keys.toArray(byte[][]::new), args.toArray(byte[][]::new), books);
        }
    }

    private static final byte[] BOOK = ascii("book");
    private static final byte[] TRADE = ascii("trade");
    private static final byte[] KLINE = ascii("kline");
    private static final byte[] TICKER = ascii("ticker");
    private static final byte[] ZERO = ascii("0");
    private static final byte[] ONE = ascii("1");
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] HISTORY_LENGTH_ARG = ascii(Integer.toString(HISTORY_LENGTH));
    private static final byte[] TAPE_LENGTH_ARG = ascii(Integer.toString(TAPE_LENGTH));
    private static final byte[] KLINES_KEPT_ARG = ascii(Integer.toString(KLINES_KEPT));

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A channel's Redis names, encoded: {@code keys} in the order its script section takes them, and
     * its pub/sub channel.
     */
    private record ChannelKeys(byte[][] keys, byte[] pubsub) {
    }

    private ChannelKeys keys(String channel, Function<String, String[]> names) {
        ChannelKeys cached = channelKeys.get(channel);
        if (cached == null) {
            String[] strings = names.apply(channel);
            byte[][] keys = new byte[strings.length][];
            for (int i = 0; i < strings.length; i++) {
                keys[i] = (namespace + strings[i]).getBytes(StandardCharsets.UTF_8);
            }
            cached = new ChannelKeys(keys, (namespace + RedisKeys.pubsub(channel)).getBytes(StandardCharsets.UTF_8));
            if (channelKeys.size() >= MAX_CACHED_CHANNELS) {
                channelKeys.clear();
            }
            channelKeys.put(channel, cached);
        }
        return cached;
    }

    /** One call's keys and arguments: the market's coalesced sections. */
    private Script marketScript(CoalescedMarket coalesced) {
        String market = coalesced.market();
        ScriptBuilder b = new ScriptBuilder();
        b.arg(HISTORY_LENGTH_ARG);
        List<BookMessage> books = coalesced.books();
        for (int i = 0; i < books.size(); i++) {
            BookMessage book = books.get(i);
            requireMarket(market, book.channel());
            ChannelKeys k = keys(book.channel(), ch -> new String[] {RedisKeys.bookSeq(market),
                    RedisKeys.bookBids(market), RedisKeys.bookAsks(market), RedisKeys.bookTs(market),
                    RedisKeys.history(market, ch)});
            for (byte[] key : k.keys) {
                b.key(key);
            }
            b.arg(BOOK);
            b.arg(book.firstSeq());
            b.arg(book.lastSeq());
            b.arg(Json.writeBytes(book));
            b.arg(k.pubsub);
            b.arg(book.ts());
            b.arg(coalesced.replaces(i) ? ONE : ZERO);
            b.arg(book.bids().size());
            b.arg(book.bids().size() + book.asks().size());
            for (PriceLevel level : book.bids()) {
                b.arg(level.price());
                b.arg(level.qty());
            }
            for (PriceLevel level : book.asks()) {
                b.arg(level.price());
                b.arg(level.qty());
            }
        }
        for (TradeMessage trade : coalesced.trades()) {
            requireMarket(market, trade.channel());
            ChannelKeys k = keys(trade.channel(), ch -> new String[] {RedisKeys.tradesSeq(market),
                    RedisKeys.tradeTape(market), RedisKeys.history(market, ch)});
            for (byte[] key : k.keys) {
                b.key(key);
            }
            b.arg(TRADE);
            b.arg(trade.seq());
            b.arg(Json.writeBytes(trade));
            b.arg(k.pubsub);
            b.arg(TAPE_LENGTH_ARG);
        }
        for (KlineMessage kline : coalesced.klines()) {
            requireMarket(market, kline.channel());
            ChannelKeys k = keys(kline.channel(), ch -> new String[] {RedisKeys.klinesSeq(market, kline.interval()),
                    RedisKeys.klines(market, kline.interval()), RedisKeys.history(market, ch),
                    RedisKeys.klinesVersion(market, kline.interval())});
            for (byte[] key : k.keys) {
                b.key(key);
            }
            b.arg(KLINE);
            b.arg(kline.seq());
            b.arg(kline.openTime());
            versioned(Json.writeBytes(kline), b);
            b.arg(k.pubsub);
            b.arg(KLINES_KEPT_ARG);
        }
        TickerMessage ticker = coalesced.ticker();
        if (ticker != null) {
            requireMarket(market, ticker.channel());
            ChannelKeys k = keys(ticker.channel(), ch -> new String[] {RedisKeys.tickerSeq(market),
                    RedisKeys.ticker(market), RedisKeys.history(market, ch), RedisKeys.tickerVersion(market)});
            for (byte[] key : k.keys) {
                b.key(key);
            }
            b.arg(TICKER);
            b.arg(ticker.seq());
            versioned(Json.writeBytes(ticker), b);
            b.arg(k.pubsub);
        }
        return b.build(books.size());
    }

    private static final byte[] SEQ_FIELD = ascii("\"seq\":");

    /**
     * Adds a candle's or ticker's JSON as head and tail around its {@code seq} value, which Redis
     * fills in with the channel's own sequence (the writer's {@code seq} is only its version). The
     * first {@code "seq":} is the field: only {@code "ch"}, a channel name, comes before it.
     */
    private static void versioned(byte[] json, ScriptBuilder b) {
        int at = indexOf(json, SEQ_FIELD);
        if (at < 0) {
            throw new IllegalArgumentException("no seq in " + new String(json, StandardCharsets.UTF_8));
        }
        int digits = at + SEQ_FIELD.length;
        int end = digits;
        while (end < json.length && json[end] >= '0' && json[end] <= '9') {
            end++;
        }
        b.arg(Arrays.copyOfRange(json, 0, digits));
        b.arg(Arrays.copyOfRange(json, end, json.length));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** One call's keys and arguments: the messages in order (of one account, so that the keys share a slot). */
    private Script accountScript(List<AccountMessage> messages) {
        ScriptBuilder b = new ScriptBuilder();
        long first = -1;
        for (int n = 0; n < messages.size(); n++) {
            AccountMessage message = messages.get(n);
            long account = accountOf(message.channel());
            if (account < 0) {
                throw new IllegalArgumentException("not an account channel: " + message.channel());
            }
            if (n == 0) {
                first = account;
            } else if (account != first) {
                throw new IllegalArgumentException("one call, one account: " + account + " after " + first);
            }
            if (message.seq() != 0) {
                throw new IllegalArgumentException("Redis numbers account messages; seq must be 0, was " + message.seq());
            }
            ChannelKeys k = keys(message.channel(), ch -> new String[] {RedisKeys.accountSeq(account, ch),
                    RedisKeys.accountPositions(account, ch), RedisKeys.accountHistory(account, ch),
                    RedisKeys.accountBalances(account)});
            for (byte[] key : k.keys) {
                b.key(key);
            }
            b.arg(String.valueOf(message.market()));
            b.arg(message.engineSeq());
            b.arg(accountPayload(message));
            b.arg(k.pubsub);
            b.arg(HISTORY_LENGTH_ARG);
            b.arg(message.event() instanceof BalanceChanged balance
                    ? (balance.market() + "|" + balance.asset()).getBytes(StandardCharsets.UTF_8) : EMPTY);
        }
        return b.build(0);
    }

    /** {@link Channels#accountOf}, remembered per channel. */
    private long accountOf(String channel) {
        Long account = channelAccounts.get(channel);
        if (account == null) {
            account = Channels.accountOf(channel);
            if (channelAccounts.size() >= MAX_CACHED_CHANNELS) {
                channelAccounts.clear();
            }
            channelAccounts.put(channel, account);
        }
        return account;
    }

    private static final byte[] ACCOUNT_SEQ_CH = ascii("{\"seq\":0,\"ch\":");
    private static final byte[] ACCOUNT_M = ascii(",\"m\":");
    private static final byte[] ACCOUNT_U = ascii(",\"u\":");
    private static final byte[] ACCOUNT_E = ascii(",\"e\":");

    /**
     * A private message's JSON, byte for byte what {@link Json#writeBytes} gives for it (its fields in
     * {@link AccountMessage}'s order, a null market left out, the engine event as
     * {@link EngineEventWriter} writes it, strings escaped as Jackson escapes them), written without
     * databind: for the engine event, databind's polymorphic bean path cost more than the rest of the
     * call. The {@code seq} is the placeholder 0 that {@code publish_account.lua} replaces.
     */
    static byte[] accountPayload(AccountMessage message) {
        if (message.seq() != 0) {
            throw new IllegalArgumentException("Redis numbers account messages; seq must be 0, was " + message.seq());
        }
        byte[] event = message.event() == null ? null : EVENT_WRITERS.get().write(message.event());
        byte[] channel = jsonString(message.channel());
        byte[] market = message.market() == null ? null : jsonString(message.market());
        byte[] u = ascii(Long.toString(message.engineSeq()));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(
                64 + channel.length + (market == null ? 0 : market.length) + (event == null ? 0 : event.length));
        out.writeBytes(ACCOUNT_SEQ_CH);
        out.writeBytes(channel);
        if (market != null) {
            out.writeBytes(ACCOUNT_M);
            out.writeBytes(market);
        }
        out.writeBytes(ACCOUNT_U);
        out.writeBytes(u);
        if (event != null) {
            out.writeBytes(ACCOUNT_E);
            out.writeBytes(event);
        }
        out.write('}');
        return out.toByteArray();
    }

    /** JSON string literals of channel and market names, as the one mapping writes them; a few hundred at most. */
    private static final Map<String, byte[]> JSON_STRINGS = new ConcurrentHashMap<>();

    private static byte[] jsonString(String value) {
        byte[] json = JSON_STRINGS.get(value);
        if (json == null) {
            json = Json.writeBytes(value);
            if (JSON_STRINGS.size() >= MAX_CACHED_CHANNELS) {
                JSON_STRINGS.clear();
            }
            JSON_STRINGS.put(value, json);
        }
        return json;
    }

    /** A market call's result: its book messages' outcome (the worst of them) and how many messages it published. */
    private static MarketPublication.Result result(Script script, List<Long> reply) {
        Outcome book = null;
        int published = 0;
        for (int i = 0; i < reply.size(); i++) {
            long r = reply.get(i);
            published += r == 1 ? 1 : 0;
            if (i < script.books()) {
                Outcome outcome = r == 1 ? Outcome.PUBLISHED : r == 0 ? Outcome.STALE : Outcome.GAP;
                if (book == null || outcome == Outcome.GAP || (outcome == Outcome.PUBLISHED && book == Outcome.STALE)) {
                    book = outcome;
                }
            }
        }
        return new MarketPublication.Result(book, published);
    }

    /** Cheaply (this runs for every message): the channel's second part is the market. */
    private static void requireMarket(String market, String channel) {
        int dot = channel.indexOf('.');
        int end = dot + 1 + market.length();
        if (dot <= 0 || !channel.startsWith(market, dot + 1) || (end < channel.length() && channel.charAt(end) != '.')) {
            throw new IllegalArgumentException("channel " + channel + " is not one of market " + market);
        }
    }

    private static String marketOf(String channel) {
        return Channels.parse(channel)
                .orElseThrow(() -> new IllegalArgumentException("not a market channel: " + channel))
                .market();
    }

    @Override
    public void close() {
        scriptConnection.close();
        connection.close();
    }
}
