package io.marketstream.app.replay;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import io.marketstream.engine.EngineService;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.RedisKeys;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.redis.MarketState;
import io.marketstream.redis.RedisMarketDataPublisher;
import io.marketstream.redis.RedisMarketDataReader;
import io.marketstream.streams.MarketDataSink;
import io.marketstream.streams.MarketUpdate;
import io.marketstream.streams.RedisMarketDataSink;

/**
 * Replay mode (a): rebuilds the books, trades, candles and tickers of some markets from the event topic into
 * a namespace of their own in Redis ({@link RedisKeys#replayNamespace}), with the streams job's own fold and
 * Redis sink, and compares them with the live ones at the same sequence ({@link StateComparison}).
 *
 * <p>The live state of each market is read first, at one moment ({@link RedisMarketDataReader#state}); each market
 * is folded from its partition's first event (a book cannot start in the middle) up to the newest seq that state
 * accounts for ({@link StateComparison#target}), or to {@code to} if that comes first; a partition is read
 * until each of its chosen markets got there. Private channels are not rebuilt. The namespace is emptied
 * first and, unless kept, afterwards.
 */
public final class RebuildCheck {
    private final MarketCatalog catalog;
    private final RedisClient redis;
    private final String bootstrap;
    private final String namespace;

    public RebuildCheck(MarketCatalog catalog, String bootstrap, RedisClient redis, String session) {
        this.catalog = catalog;
        this.bootstrap = bootstrap;
        this.redis = redis;
        this.namespace = RedisKeys.replayNamespace(session);
    }

    public String namespace() {
        return namespace;
    }

    /** The outcome: each market's result. */
    public record Result(List<StateComparison.MarketResult> markets, long eventsRead) {
        public StateComparison.Verdict verdict() {
            StateComparison.Verdict v = StateComparison.Verdict.EQUAL;
            for (StateComparison.MarketResult m : markets) {
                v = v.worst(m.verdict());
            }
            return v;
        }
    }

    /**
     * @param to       null: up to the live books' sequences
     * @param keep     leave the rebuilt keys in Redis (under {@link #namespace()}) for inspection
     * @param progress enabled or not, on {@code err}
     */
    public Result run(List<String> markets, Instant to, boolean keep, boolean progress, PrintWriter out, PrintWriter err) {
        Map<String, MarketState> liveStates = new LinkedHashMap<>();
        Map<String, Long> targets = new HashMap<>();
        try (RedisMarketDataReader live = new RedisMarketDataReader(redis, catalog)) {
            for (String market : markets) {
                MarketState state = live.state(market);
                liveStates.put(market, state);
                targets.put(market, StateComparison.target(state));
            }
        }
        deleteNamespace();
        long[] read = {0};
        Map<String, Long> rebuiltSeqs = new HashMap<>();
        try (RedisMarketDataPublisher publisher = new RedisMarketDataPublisher(redis, namespace);
             RedisMarketDataSink redisSink = new RedisMarketDataSink(publisher);
             EventRange range = EventRange.open(bootstrap, markets, null, to, true)) {
            MarketDataSink sink = new MarketDataSink() {
                @Override
                public void publish(MarketUpdate update) {
                    redisSink.publish(update);
                }

                @Override
                public void account(AccountMessage message) {
                    // private channels are not rebuilt
                }
            };
            PartitionFolds folds = new PartitionFolds(catalog, sink, Set.copyOf(markets), range.partitionCount());
            Map<Integer, Set<String>> waiting = new HashMap<>();
            for (String market : markets) {
                long target = targets.get(market);
                if (target > 0) {
                    waiting.computeIfAbsent(EngineService.partitionOf(market, range.partitionCount()), p -> new HashSet<>())
                            .add(market);
                }
            }
            out.printf("Rebuilding %s into %s* from %,d events, up to the live state's sequences %s%s%n", markets, namespace,
                    range.records(), targets, to == null ? "" : " or " + to);
            out.flush();
            try (Progress bar = Progress.start("rebuild", range.records(), progress, err)) {
                range.read((record, inRange) -> {
                    read[0]++;
                    bar.step();
                    EngineEvent event = folds.decode(record);
                    if (event != null) {
                        folds.fold(record.partition(), event);
                    }
                    Set<String> left = waiting.get(record.partition());
                    if (left == null) {
                        return true; // no chosen market with a live book here: to the end of the range
                    }
                    left.removeIf(m -> folds.foldedSeq(m) >= targets.get(m));
                    return !left.isEmpty();
                });
            }
            redisSink.flush();
            for (String market : markets) {
                rebuiltSeqs.put(market, folds.foldedSeq(market));
            }
        }
        List<StateComparison.MarketResult> results = new ArrayList<>();
        try (RedisMarketDataReader rebuilt = new RedisMarketDataReader(redis, catalog, namespace)) {
            for (String market : markets) {
                results.add(StateComparison.compare(market, liveStates.get(market), rebuilt.state(market), rebuiltSeqs.get(market)));
            }
        } finally {
            if (!keep) {
                deleteNamespace();
            }
        }
        return new Result(results, read[0]);
    }

    /** Deletes every key of the namespace (SCAN, then UNLINK in batches). */
    public long deleteNamespace() {
        long deleted = 0;
        try (StatefulRedisConnection<String, String> connection = redis.connect()) {
            RedisCommands<String, String> commands = connection.sync();
            ScanCursor cursor = ScanCursor.INITIAL;
            ScanArgs match = ScanArgs.Builder.matches(namespace + "*").limit(1_000);
            do {
                KeyScanCursor<String> page = commands.scan(cursor, match);
                if (!page.getKeys().isEmpty()) {
                    deleted += commands.unlink(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        }
        return deleted;
    }
}
