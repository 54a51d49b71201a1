package io.marketstream.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.MarketCatalog;

/**
 * Runs the {@link MarketDataTopology} as a Kafka Streams application.
 *
 * <p>Latency settings: no output waits for a commit or a cache (the stores' cache only merges
 * changelog writes, see {@link #STORE_CACHE_BYTES}), producer linger is 0, the consumer's fetch wait is 10 ms (it only
 * bounds an idle fetch: a fetch returns as soon as a record arrives), and the commit interval is
 * {@value #COMMIT_INTERVAL_MS} ms.
 *
 * <p>Processing is exactly-once (v2): the stores and the input offsets commit together, so after a
 * crash or a failed Redis call the task restarts from consistent state and re-folds the events since
 * the last commit. The commit interval does not delay what clients see: Redis writes happen while
 * processing, not at commit (the usual "exactly-once adds the commit interval" applies to records a
 * downstream read_committed consumer waits for, and this job writes none besides its changelogs).
 * What the interval costs instead: each commit stalls the stream thread (write the state changed
 * since the last commit, wait for Redis to answer everything in flight, flush the changelogs, commit
 * the offsets and the transaction: some round trips to the broker, 10–60 ms on the shared benchmark
 * machine), and events arriving meanwhile wait. With the usual 100 ms a tenth to a half of all events
 * met a stall, which made the p99 the stall; with 5 s it was one event in a few hundred, at the edge of
 * the p99. Since the processor writes its state behind (one changelog record per key changed, see
 * {@link MarketDataTopology}), a commit no longer grows with the interval (about 70 records whether 5
 * or 15 s), so {@value #COMMIT_INTERVAL_MS} ms makes a third as many stalls of the same length
 * (docs/performance.md has the figures); and since it also writes them ahead, once a second, the
 * commit's flush waits for one second's changes only (a stall of about 8 ms instead of 27 at 1,000
 * events/s). The price: after a crash up to that much input is processed
 * again (re-folded events reach Redis with their old sequences and are dropped there, so clients see
 * only the delay; at 50,000 events/s some 15 s of catching up), and the processor holds that long's
 * changed state (bounded by the keys, not the events). The producer's transaction timeout is twice the
 * interval ({@link #TRANSACTION_TIMEOUT_MS}; Kafka Streams' default, 10 s, would abort a transaction
 * before its commit), and stays below the consumer group's session timeout (45 s), so a crashed
 * instance's open transaction is aborted before its partitions move to another instance and cannot
 * hold the new owner's reads back.
 *
 * <p>Not at-least-once: it would not take the stall away (most of a commit is the producer's flush of
 * the changelog records, which at-least-once keeps), and it would break the fold. Between commits the
 * stores' changelog records are written one by one (at the commit, and evictions of the cached
 * stores at any time), so without a transaction a crash among them leaves one store holding an event
 * another does not, and a store
 * can be ahead of Redis: re-folding would apply a level change twice, or skip (as already folded) an
 * event whose messages never reached Redis. docs/performance.md has the
 * measurements.
 */
public final class StreamsService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamsService.class);

    /**
     * The write cache of the stores that keep one (the ticker's minutes; the processor writes its other
     * stores behind itself, see {@link MarketDataTopology}), shared by the stream threads. It holds back no output (the topology
     * forwards nothing from its stores; see {@link MarketDataTopology}); it merges repeated writes to
     * a key between commits into one changelog record.
     */
    public static final long STORE_CACHE_BYTES = 16L * 1024 * 1024;

    /** How often state and input offsets are committed (a transaction each, exactly-once). */
    public static final int COMMIT_INTERVAL_MS = 15_000;

    /**
     * The stream producers' transaction timeout: a transaction open longer is aborted by the broker. Twice
     * the commit interval, below the 45 s session timeout (see the class comment).
     */
    public static final int TRANSACTION_TIMEOUT_MS = 2 * COMMIT_INTERVAL_MS;

    private final KafkaStreams streams;
    private final MarketDataSink sink;
    private final MarketCatalog catalog;
    private volatile KafkaStreamsMetrics meters;

    public StreamsService(MarketCatalog catalog, MarketDataSink sink, String bootstrapServers, String applicationId,
                          Path stateDir) {
        this.sink = sink;
        this.catalog = catalog;
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, STORE_CACHE_BYTES);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), TRANSACTION_TIMEOUT_MS);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        this.streams = new KafkaStreams(MarketDataTopology.build(catalog, sink), p);
        this.streams.setUncaughtExceptionHandler(e -> {
            log.error("Stream thread failed; replacing it (its records are processed again)", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .REPLACE_THREAD;
        });
    }

    /** Tells the sink which markets are served (readers list them), then starts processing. */
    public void start() {
        sink.markets(catalog);
        streams.start();
    }

    /**
     * Publishes Kafka Streams' metrics (and those of its consumers and producers: records lag, commit
     * latency, ...) in a Micrometer registry, as {@code kafka_stream_*}, {@code kafka_consumer_*},
     * {@code kafka_producer_*}; unbound on {@link #close()}.
     */
    public void bindMetrics(MeterRegistry registry) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
        binder.bindTo(registry);
        meters = binder;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Kafka Streams' metrics (commit and process latencies and the like), for monitoring and benchmarks. */
    public java.util.Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics() {
        return streams.metrics();
    }

    /**
     * Stops after the records in hand, and leaves the consumer group so that another instance takes
     * the partitions over at once (Kafka Streams otherwise stays a member until the session times
     * out, 45 s by default, and nobody processes its partitions meanwhile).
     */
    @Override
    public void close() {
        KafkaStreamsMetrics binder = meters;
        if (binder != null) {
            binder.close();
        }
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10)));
    }
}
