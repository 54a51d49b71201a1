package io.marketstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderRested;
import io.marketstream.protocol.kafka.Topics;
import io.marketstream.protocol.marketdata.AccountMessage;

/**
 * No input offset is committed before the sink has applied what the input produced: the job on a
 * real broker (exactly-once) with a sink that applies only when flushed; whenever the group's
 * committed offset has moved, everything before it must have been applied.
 */
class CommitBarrierIT {
    private static final MarketCatalog CATALOG = MarketCatalog.defaults();
    private static StreamsInfrastructure infrastructure;

    @BeforeAll
    static void start() throws Exception {
        infrastructure = StreamsInfrastructure.start();
    }

    @AfterAll
    static void stop() {
        infrastructure.close();
    }

    /** Applies what it was handed (the last book delta's {@code u} per market) only in {@link #flush}. */
    private static final class DeferringSink implements MarketDataSink {
        final Map<String, Long> handed = new ConcurrentHashMap<>();
        final Map<String, Long> applied = new ConcurrentHashMap<>();

        @Override
        public void publish(MarketUpdate update) {
            if (update.delta() != null) {
                handed.put(update.market(), update.delta().lastSeq());
            }
        }

        @Override
        public void account(AccountMessage message) {
        }

        @Override
        public void flush() {
            applied.putAll(handed);
        }
    }

    @Test
    void shouldNotCommitAnInputOffsetBeforeTheSinkAppliedWhatItProduced() throws Exception {
        MarketSpec btc = CATALOG.get("BTC-USD");
        int events = 300;
        List<EngineEvent> rested = new ArrayList<>();
        for (int seq = 1; seq <= events; seq++) {
            rested.add(new OrderRested(btc.symbol(), seq, "c" + seq, 1_700_000_000_000L + seq, seq, 7,
                    Side.BUY, btc.formatPrice(9_000 + seq), btc.formatQty(1)));
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infrastructure.kafka().bootstrapServers());
        int partition;
        try (KafkaProducer<String, EngineEvent> producer = new KafkaProducer<>(p,
                Topics.ENGINE_EVENTS.keySerde().serializer(), Topics.ENGINE_EVENTS.valueSerde().serializer())) {
            partition = producer.send(new ProducerRecord<>(Topics.ENGINE_EVENTS.name(), btc.symbol(), rested.get(0)))
                    .get().partition();
            for (EngineEvent e : rested.subList(1, events)) {
                producer.send(new ProducerRecord<>(Topics.ENGINE_EVENTS.name(), e.market(), e));
            }
        }
        TopicPartition input = new TopicPartition(Topics.ENGINE_EVENTS.name(), partition);
        DeferringSink sink = new DeferringSink();
        String applicationId = "commit-barrier-it";
        try (StreamsService service = new StreamsService(CATALOG, sink, infrastructure.kafka().bootstrapServers(),
                applicationId, Files.createTempDirectory("commit-barrier-"));
             Admin admin = Admin.create(Map.of("bootstrap.servers", infrastructure.kafka().bootstrapServers()))) {
            service.start();
            // the topic holds only BTC-USD's events in this partition: offset o is seq o + 1. Every
            // observation must hold (not just the last one): a sink that catches up later is too late.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long committedOffset = 0;
            int observations = 0;
            while (committedOffset < events && System.nanoTime() < deadline) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(applicationId)
                        .partitionsToOffsetAndMetadata().get().get(input);
                committedOffset = committed == null ? 0 : committed.offset();
                // read after the committed offset: what was applied only grows
                long applied = sink.applied.getOrDefault(btc.symbol(), 0L);
                assertThat(applied).as("seqs applied by the sink when offset %d was committed", committedOffset)
                        .isGreaterThanOrEqualTo(committedOffset);
                observations++;
                Thread.sleep(20);
            }
            assertThat(committedOffset).as("committed offset after %d observations", observations).isEqualTo(events);
            assertThat(service.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }
}
