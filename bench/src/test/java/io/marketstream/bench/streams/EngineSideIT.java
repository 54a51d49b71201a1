package io.marketstream.bench.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.marketstream.bench.BookChanges;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.kafka.Topics;

/**
 * The streams benchmark's engine side in a child JVM, as the benchmark drives it: its broker takes the events it
 * produces, and a fixed-rate phase reports the sequences it sent and, for exactly the book-changing ones after
 * them, send times from this machine's clock.
 */
class EngineSideIT {
    @Test
    @Timeout(180)
    void shouldProduceToItsBrokerAndReportTheSendTimeOfEveryBookChangingEvent() throws Exception {
        List<String> symbols = MarketCatalog.defaults().all().stream().map(spec -> spec.symbol()).toList();
        int markets = symbols.size();
        try (EngineSide.Child side = new EngineSide.Child("-Xmx512m", "group.coordinator.append.linger.ms=-1")) {
            long[] produced = side.produce(100);
            assertThat(java.util.Arrays.stream(produced).sum()).isEqualTo(100);

            long[][] sent = new long[markets][1_000];
            long before = System.nanoTime();
            EventSource.Phase phase = side.send(200, 1, sent);
            long after = System.nanoTime();

            assertThat(phase.firstSeq()).containsExactly(java.util.Arrays.stream(produced).map(s -> s + 1).toArray());
            assertThat(java.util.Arrays.stream(phase.lastSeq()).sum()).isEqualTo(300);
            assertThat(phase.recordedFrom()).isBetween(before, after);

            List<ConsumerRecord<String, EngineEvent>> records = readAll(side.bootstrap(), 300);
            int bookChanging = 0;
            for (ConsumerRecord<String, EngineEvent> record : records) {
                EngineEvent event = record.value();
                int m = symbols.indexOf(event.market());
                long time = sent[m][(int) event.seq()];
                if (event.seq() <= produced[m] || !BookChanges.changesBook(event)) {
                    assertThat(time).as("%s", event).isZero();
                } else {
                    bookChanging++;
                    assertThat(time).as("%s", event).isBetween(before, after);
                }
            }
            assertThat(bookChanging).isPositive();
            assertThat(side.brokerReport()).contains("Produce").contains("its JVM's collections");
        }
    }

    private static List<ConsumerRecord<String, EngineEvent>> readAll(String bootstrap, int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<ConsumerRecord<String, EngineEvent>> out = new ArrayList<>();
        try (KafkaConsumer<String, EngineEvent> consumer = new KafkaConsumer<>(p,
                Topics.ENGINE_EVENTS.keySerde().deserializer(), Topics.ENGINE_EVENTS.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.ENGINE_EVENTS.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        assertThat(out).hasSize(count);
        return out;
    }
}
