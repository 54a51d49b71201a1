package io.marketstream.bench.loadgen;

import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.marketstream.bench.EpochMicros;
import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.BookMessageReader;
import io.marketstream.redis.RedisClients;
import io.marketstream.redis.RedisMarketDataSubscriber;

/**
 * Where along the pipeline the time goes: the same {@code ts} read at two points before the clients, in this
 * JVM. {@link #engineEvent}: a book-changing engine event readable on the event topic ({@link EventFollower}
 * records it), i.e. Kafka in, the engine, Kafka out. {@link #redisPublish}: a book delta arriving on a Redis
 * pub/sub subscription of this JVM's own, i.e. that plus the streams job and Redis (a merged delta counts
 * once, at the {@code ts} of the newest command it covers, as the clients count it). The clients' figure
 * adds the edge, the network and the client. The first leg is split further: {@link #commandAck} (the
 * traders' producer until the broker's acknowledgement), {@link #engineIn} ({@code ts} until the engine's
 * producer stamped the event record, both in ms, so ±1 ms) and {@link #engineOut} (from that stamp until
 * the event was readable here).
 */
final class StageProbes implements AutoCloseable {
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    final Recorder engineEvent = new Recorder(MAX_MICROS, 3);
    final Recorder redisPublish = new Recorder(MAX_MICROS, 3);
    /** A command's send until the broker acknowledged it (the traders' producer). */
    final Recorder commandAck = new Recorder(MAX_MICROS, 3);
    /** {@code ts} until the engine handed the event to its producer (the event record's CreateTime, ms). */
    final Recorder engineIn = new Recorder(MAX_MICROS, 3);
    /** The engine's producer until the event was readable here. */
    final Recorder engineOut = new Recorder(MAX_MICROS, 3);
    private final RedisClient redis;
    private final RedisMarketDataSubscriber subscriber;

    StageProbes(String redisUri, MarketCatalog catalog) throws Exception {
        redis = RedisClients.create(redisUri);
        subscriber = new RedisMarketDataSubscriber(redis);
        for (MarketSpec spec : catalog.all()) {
            subscriber.subscribe(Channels.book(spec.symbol()), (channel, payload) -> {
                BookMessage message = BookMessageReader.read(payload);
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

    /** Records {@code micros} (clamped to the histograms' range). */
    static void recordMicros(Recorder recorder, long micros) {
        recorder.recordValue(Math.max(0, Math.min(micros, MAX_MICROS)));
    }

    void reset() {
        for (Recorder r : java.util.List.of(engineEvent, redisPublish, commandAck, engineIn, engineOut)) {
            r.reset();
        }
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
