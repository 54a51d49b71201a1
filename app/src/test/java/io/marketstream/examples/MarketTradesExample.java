package io.marketstream.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * A plain Kafka consumer of marketstream's engine events, using nothing of marketstream's code (kafka-clients and
 * Jackson only): docs/topics.md is the whole contract. It prints one market's trades from a point in time up to
 * the end of the topic as it was when it started.
 *
 * <pre>java -cp ... io.marketstream.examples.MarketTradesExample localhost:9092 BTC-USD 2024-05-01T12:00:00Z</pre>
 *
 * The build compiles it and {@code TopicsExamplesIT} runs it against a real broker, so the example in the
 * documentation keeps working.
 */
public final class MarketTradesExample {
    static final String TOPIC = "marketstream.engine-events";

    private MarketTradesExample() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: MarketTradesExample <bootstrap> <market> <from, ISO-8601 instant>");
            System.exit(2);
        }
        long trades = printTrades(args[0], args[1], Instant.parse(args[2]), System.out);
        System.err.println(trades + " trades");
    }

    /** Prints each trade of {@code market} written at or after {@code from}; returns how many. */
    public static long printTrades(String bootstrap, String market, Instant from, PrintStream out) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        ObjectMapper json = new ObjectMapper();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            // Records are keyed by market, so a market lives in the partition Kafka's default partitioner picks
            // for its symbol: murmur2 of the UTF-8 key, modulo the partition count.
            int partitions = consumer.partitionsFor(TOPIC).size();
            TopicPartition partition = new TopicPartition(TOPIC,
                    Utils.toPositive(Utils.murmur2(market.getBytes(StandardCharsets.UTF_8))) % partitions);
            consumer.assign(List.of(partition));
            OffsetAndTimestamp start = consumer.offsetsForTimes(Map.of(partition, from.toEpochMilli())).get(partition);
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            if (start == null) {
                return 0; // nothing written at or after that time
            }
            consumer.seek(partition, start.offset());
            long trades = 0;
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() >= end || !market.equals(record.key())) {
                        continue; // past the end we took, or another market sharing the partition
                    }
                    JsonNode event = json.readTree(record.value());
                    if (!"trade".equals(event.path("type").asText())) {
                        continue;
                    }
                    // decimals are strings with the market's scale: print them as they are
                    out.printf("%s %s seq=%d trade=%d %s %s @ %s%n", Instant.ofEpochMilli(event.get("ts").asLong()), market,
                            event.get("seq").asLong(), event.get("tradeId").asLong(), event.get("takerSide").asText(),
                            event.get("qty").asText(), event.get("price").asText());
                    trades++;
                }
            }
            return trades;
        }
    }
}
