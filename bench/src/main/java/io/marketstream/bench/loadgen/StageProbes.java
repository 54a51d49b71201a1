package io.marketstream.bench.loadgen;

import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.marketstream.bench.EpochMicros;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.redis.RedisClients;
import io.marketstream.redis.RedisMarketDataSubscriber;

/**
 * Where along the pipeline the time goes: the same {@code ts} read at two points before the clients, in this
 * JVM. {@link #engineEvent}: a book-changing engine event readable on the event topic ({@link EventFollower}
 * records it), i.e. Kafka in, the engine, Kafka out. {@link #redisPublish}: a book delta arriving on a Redis
 * pub/sub subscription of this JVM's own, i.e. that plus the streams job and Redis (a merged delta counts
 * once, at the {@code ts} of the newest command it covers, as the clients count it). The clients' figure
 * adds the edge, the network and the client.
 */
final class StageProbes implements AutoCloseable {
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    final Recorder engineEvent = new Recorder(MAX_MICROS, 3);
    final Recorder redisPublish = new Recorder(MAX_MICROS, 3);
    private final RedisClient redis;
    private final RedisMarketDataSubscriber subscriber;

    StageProbes(String redisUri, MarketCatalog catalog) throws Exception {
        redis = RedisClients.create(redisUri);
        subscriber = new RedisMarketDataSubscriber(redis);
        for (MarketSpec spec : catalog.all()) {
            subscriber.subscribe(Channels.book(spec.symbol()), (channel, payload) -> {
                BookMessage message = Json.read(payload, BookMessage.class);
                if (!message.isSnapshot() && message.ts() > 0) {
                    record(redisPublish, message.ts());
                }
            }).get(30, TimeUnit.SECONDS);
        }
    }

    /** Records now minus {@code ts} (epoch ms) in µs. */
    static void record(Recorder recorder, long ts) {
        recorder.recordValue(Math.max(0, Math.min(EpochMicros.now() - ts * 1_000, MAX_MICROS)));
    }

    void reset() {
        engineEvent.reset();
        redisPublish.reset();
    }

    Histogram engineEventSince() {
        return engineEvent.getIntervalHistogram();
    }

    Histogram redisPublishSince() {
        return redisPublish.getIntervalHistogram();
    }

    @Override
    public void close() {
        subscriber.close();
        redis.shutdown();
    }
}
