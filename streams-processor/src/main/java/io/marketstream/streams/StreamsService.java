package io.marketstream.streams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

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
 * <p>Latency settings: the record cache is off (otherwise updates wait in the cache until commit),
 * producer linger is 0, and the commit interval is 100 ms.
 *
 * <p>Processing is exactly-once (v2): the book stores and the input offsets commit together, so
 * after a crash or a failed Redis call the task restarts from a consistent book and re-folds the
 * events since the last commit. The Redis writes happen while processing, not at commit, so they
 * are not delayed by the commit interval; those re-folded events reach Redis again with the same
 * sequences and the Lua scripts drop them.
 */
public final class StreamsService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamsService.class);

    private final KafkaStreams streams;

    public StreamsService(MarketCatalog catalog, MarketDataSink sink, String bootstrapServers, String applicationId,
                          Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        this.streams = new KafkaStreams(MarketDataTopology.build(catalog, sink), p);
        this.streams.setUncaughtExceptionHandler(e -> {
            log.error("Stream thread failed; replacing it (its records are processed again)", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .REPLACE_THREAD;
        });
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Stops after the records in hand, and leaves the consumer group so that another instance takes
     * the partitions over at once (Kafka Streams otherwise stays a member until the session times
     * out, 45 s by default, and nobody processes its partitions meanwhile).
     */
    @Override
    public void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10)));
    }
}
