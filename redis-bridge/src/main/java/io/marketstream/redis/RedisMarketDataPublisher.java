package io.marketstream.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.RedisKeys;
import io.marketstream.protocol.event.BalanceChanged;
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
 * harmless. Thread-safe; one Lettuce connection, so Redis executes calls in the order they are made
 * (synchronous and asynchronous alike), except {@link #publishBatchAsync}, which has a connection of
 * its own (its calls keep their order among themselves). The asynchronous calls pipeline: they return before Redis
 * answers and fail (rather than retry on their own) if the script cache was emptied by a Redis
 * restart; repeat such a call, in order, with its synchronous form.
 */
public final class RedisMarketDataPublisher implements AutoCloseable {
    /** Messages kept per channel for resume (approximate trimming, never fewer). */
    public static final int HISTORY_LENGTH = 10_000;
    /** Trades kept in each market's tape. */
    public static final int TAPE_LENGTH = 1_000;
    /** Candles kept per market and interval. */
    public static final int KLINES_KEPT = 1_500;

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
    private final RedisAsyncCommands<String, String> async;
    /**
     * For {@link #publishBatchAsync} alone: arguments encoded by the caller, once, straight into
     * byte arrays (Lettuce would otherwise copy each String through a buffer of its own).
     */
    private final StatefulRedisConnection<byte[], byte[]> batchConnection;
    private final RedisAsyncCommands<byte[], byte[]> batchAsync;
    private final LuaScript publishMarket;
    private final LuaScript publishAccount;

    public RedisMarketDataPublisher(RedisClient client) {
        this.connection = client.connect();
        this.redis = connection.sync();
        this.async = connection.async();
        this.batchConnection = client.connect(ByteArrayCodec.INSTANCE);
        this.batchAsync = batchConnection.async();
        this.publishMarket = LuaScript.load(redis, "publish_market.lua");
        this.publishAccount = LuaScript.load(redis, "publish_account.lua");
    }

    /** Records the markets served ({@code ms:markets}), so that any reader can list them. */
    public void publishMarkets(MarketCatalog catalog) {
        for (MarketSpec spec : catalog.all()) {
            redis.hset(RedisKeys.markets(), spec.symbol(), Json.write(spec));
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
        Script script = script(publication);
        List<Long> reply = publishMarket.run(redis, ScriptOutputType.MULTI, script.keys, script.args);
        return result(script, reply);
    }

    /** {@link #publish}, pipelined: the future completes when Redis has answered. */
    public CompletionStage<MarketPublication.Result> publishAsync(MarketPublication publication) {
        Script script = script(publication);
        CompletionStage<List<Long>> reply = publishMarket.runAsync(async, ScriptOutputType.MULTI, script.keys,
                script.args);
        return reply.thenApply(r -> result(script, r));
    }

    /** Stores and publishes a private message; returns the seq Redis gave it, or 0 for a replay. */
    public long publishAccount(AccountMessage message) {
        Script script = accountScript(List.of(message));
        List<Long> seqs = publishAccount.run(redis, ScriptOutputType.MULTI, script.keys, script.args);
        return seqs.get(0);
    }

    /** {@link #publishAccount}, pipelined. */
    public CompletionStage<Long> publishAccountAsync(AccountMessage message) {
        Script script = accountScript(List.of(message));
        return publishAccount.<List<Long>>runAsync(async, ScriptOutputType.MULTI, script.keys, script.args)
                .thenApply(seqs -> seqs.get(0));
    }

    /**
     * Publishes many updates with few Lua calls, pipelined: one call per market and one per account
     * (its messages in order). A market's publications are coalesced first ({@link CoalescedMarket}:
     * consecutive book deltas merged, only the latest candle per channel and open time and the latest
     * ticker kept, every trade kept), so that each market's channels end exactly as with one
     * {@link #publish} each, with fewer messages; each call is atomic. Markets and accounts are
     * independent of each other, so their relative order does not matter. A failed batch is repeated
     * with {@link #publishBatch} (see the class comment). Batches go over a connection of their own:
     * Redis orders them among themselves, not with the other calls, so wait for a batch's answer
     * before making any other call that touches the same channels.
     *
     * @return per market, in the order of their first publication, what Redis did
     */
    public CompletionStage<Map<String, MarketPublication.Result>> publishBatchAsync(
            List<MarketPublication> publications, List<AccountMessage> accounts) {
        Batch batch = batch(publications, accounts);
        List<CompletableFuture<List<Long>>> replies = new ArrayList<>(batch.calls.size());
        for (Call call : batch.calls) {
            LuaScript script = call.market != null ? publishMarket : publishAccount;
            replies.add(script.<List<Long>>runAsync(batchAsync, ScriptOutputType.MULTI, encode(call.script.keys),
                    encode(call.script.args)).toCompletableFuture());
        }
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .thenApply(done -> results(batch, replies.stream().map(CompletableFuture::join).toList()));
    }

    /** {@link #publishBatchAsync}, call by call, waiting for each answer (and reloading the scripts if need be). */
    public Map<String, MarketPublication.Result> publishBatch(List<MarketPublication> publications,
                                                              List<AccountMessage> accounts) {
        Batch batch = batch(publications, accounts);
        List<List<Long>> replies = new ArrayList<>(batch.calls.size());
        for (Call call : batch.calls) {
            LuaScript script = call.market != null ? publishMarket : publishAccount;
            replies.add(script.run(redis, ScriptOutputType.MULTI, call.script.keys, call.script.args));
        }
        return results(batch, replies);
    }

    private static byte[][] encode(String[] strings) {
        byte[][] bytes = new byte[strings.length][];
        for (int i = 0; i < strings.length; i++) {
            bytes[i] = strings[i].getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    /** One Lua call: a market's sections (market not null) or an account's messages. */
    private record Call(String market, Script script) {
    }

    private record Batch(List<Call> calls) {
    }

    private static Batch batch(List<MarketPublication> publications, List<AccountMessage> accounts) {
        Map<String, CoalescedMarket> byMarket = new LinkedHashMap<>();
        for (MarketPublication p : publications) {
            byMarket.computeIfAbsent(p.market(), CoalescedMarket::new).add(p);
        }
        Map<Long, List<AccountMessage>> byAccount = new LinkedHashMap<>();
        for (AccountMessage message : accounts) {
            byAccount.computeIfAbsent(Channels.accountOf(message.channel()), a -> new ArrayList<>()).add(message);
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
    private record Script(String[] keys, String[] args, int books) {
    }

    private static Script script(MarketPublication p) {
        CoalescedMarket market = new CoalescedMarket(p.market());
        market.add(p);
        return marketScript(market);
    }

    /** One call's keys and arguments: the market's coalesced sections. */
    private static Script marketScript(CoalescedMarket coalesced) {
        String market = coalesced.market();
        List<String> keys = new ArrayList<>(32);
        List<String> args = new ArrayList<>(64);
        args.add(Integer.toString(HISTORY_LENGTH));
        List<BookMessage> books = coalesced.books();
        for (int i = 0; i < books.size(); i++) {
            BookMessage book = books.get(i);
            requireMarket(market, book.channel());
            keys.add(RedisKeys.bookSeq(market));
            keys.add(RedisKeys.bookBids(market));
            keys.add(RedisKeys.bookAsks(market));
            keys.add(RedisKeys.bookTs(market));
            keys.add(RedisKeys.history(market, book.channel()));
            args.add("book");
            args.add(Long.toString(book.firstSeq()));
            args.add(Long.toString(book.lastSeq()));
            args.add(Json.write(book));
            args.add(RedisKeys.pubsub(book.channel()));
            args.add(Long.toString(book.ts()));
            args.add(coalesced.replaces(i) ? "1" : "0");
            args.add(Integer.toString(book.bids().size()));
            args.add(Integer.toString(book.bids().size() + book.asks().size()));
            for (PriceLevel level : book.bids()) {
                args.add(level.price());
                args.add(level.qty());
            }
            for (PriceLevel level : book.asks()) {
                args.add(level.price());
                args.add(level.qty());
            }
        }
        for (TradeMessage trade : coalesced.trades()) {
            requireMarket(market, trade.channel());
            keys.add(RedisKeys.tradesSeq(market));
            keys.add(RedisKeys.tradeTape(market));
            keys.add(RedisKeys.history(market, trade.channel()));
            args.add("trade");
            args.add(Long.toString(trade.seq()));
            args.add(Json.write(trade));
            args.add(RedisKeys.pubsub(trade.channel()));
            args.add(Integer.toString(TAPE_LENGTH));
        }
        for (KlineMessage kline : coalesced.klines()) {
            requireMarket(market, kline.channel());
            keys.add(RedisKeys.klinesSeq(market, kline.interval()));
            keys.add(RedisKeys.klines(market, kline.interval()));
            keys.add(RedisKeys.history(market, kline.channel()));
            keys.add(RedisKeys.klinesVersion(market, kline.interval()));
            args.add("kline");
            args.add(Long.toString(kline.seq()));
            args.add(Long.toString(kline.openTime()));
            versioned(Json.write(kline), args);
            args.add(RedisKeys.pubsub(kline.channel()));
            args.add(Integer.toString(KLINES_KEPT));
        }
        TickerMessage ticker = coalesced.ticker();
        if (ticker != null) {
            requireMarket(market, ticker.channel());
            keys.add(RedisKeys.tickerSeq(market));
            keys.add(RedisKeys.ticker(market));
            keys.add(RedisKeys.history(market, ticker.channel()));
            keys.add(RedisKeys.tickerVersion(market));
            args.add("ticker");
            args.add(Long.toString(ticker.seq()));
            versioned(Json.write(ticker), args);
            args.add(RedisKeys.pubsub(ticker.channel()));
        }
        return new Script(keys.toArray(String[]::new), args.toArray(String[]::new), books.size());
    }

    private static final String SEQ_FIELD = "\"seq\":";

    /**
     * Adds a candle's or ticker's JSON as head and tail around its {@code seq} value, which Redis
     * fills in with the channel's own sequence (the writer's {@code seq} is only its version). The
     * first {@code "seq":} is the field: only {@code "ch"}, a channel name, comes before it.
     */
    private static void versioned(String json, List<String> args) {
        int at = json.indexOf(SEQ_FIELD);
        if (at < 0) {
            throw new IllegalArgumentException("no seq in " + json);
        }
        int end = at + SEQ_FIELD.length();
        while (end < json.length() && Character.isDigit(json.charAt(end))) {
            end++;
        }
        args.add(json.substring(0, at + SEQ_FIELD.length()));
        args.add(json.substring(end));
    }

    /** One call's keys and arguments: the messages in order (of one account, so that the keys share a slot). */
    private static Script accountScript(List<AccountMessage> messages) {
        String[] keys = new String[4 * messages.size()];
        String[] args = new String[6 * messages.size()];
        long first = -1;
        for (int n = 0; n < messages.size(); n++) {
            AccountMessage message = messages.get(n);
            long account = Channels.accountOf(message.channel());
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
            String balanceField = message.event() instanceof BalanceChanged balance
                    ? balance.market() + "|" + balance.asset() : "";
            keys[4 * n] = RedisKeys.accountSeq(account, message.channel());
            keys[4 * n + 1] = RedisKeys.accountPositions(account, message.channel());
            keys[4 * n + 2] = RedisKeys.accountHistory(account, message.channel());
            keys[4 * n + 3] = RedisKeys.accountBalances(account);
            args[6 * n] = String.valueOf(message.market());
            args[6 * n + 1] = Long.toString(message.engineSeq());
            args[6 * n + 2] = Json.write(message);
            args[6 * n + 3] = RedisKeys.pubsub(message.channel());
            args[6 * n + 4] = Integer.toString(HISTORY_LENGTH);
            args[6 * n + 5] = balanceField;
        }
        return new Script(keys, args, 0);
    }

    /** A market call's result: its book messages' outcome (the worst of them) and how many messages it published. */
    private static MarketPublication.Result result(Script script, List<Long> reply) {
        Outcome book = null;
        int published = 0;
        for (int i = 0; i < reply.size(); i++) {
            long r = reply.get(i);
            published += r == 1 ? 1 : 0;
            if (i < script.books) {
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
        batchConnection.close();
        connection.close();
    }
}
