package io.marketstream.streams;

import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import io.marketstream.redis.RedisClients;
import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.kafka.Topics;

/**
 * A real broker with the engine-event topic on two partitions (BTC-USD and ETH-USD hash to
 * different ones), a real redis-server, and a client for it: what the streams ITs run against.
 */
record StreamsInfrastructure(EmbeddedKafka kafka, EmbeddedRedis redis, RedisClient client) implements AutoCloseable {

    static StreamsInfrastructure start() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        EmbeddedRedis redis = EmbeddedRedis.start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(Topics.ENGINE_EVENTS.name(), 2, (short) 1))).all().get();
        }
        return new StreamsInfrastructure(kafka, redis, RedisClients.create(redis.uri()));
    }

    @Override
    public void close() {
        client.shutdown();
        redis.close();
        kafka.close();
    }
}
