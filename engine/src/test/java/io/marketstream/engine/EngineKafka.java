package io.marketstream.engine;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import io.marketstream.embedded.EmbeddedKafka;
import io.marketstream.protocol.kafka.Topics;

/** A real broker with the engine's topics: commands and events on two partitions, dead letters on one. */
final class EngineKafka {
    private EngineKafka() {
    }

    static EmbeddedKafka start() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(Topics.ORDER_COMMANDS.name(), 2, (short) 1),
                    new NewTopic(Topics.ENGINE_EVENTS.name(), 2, (short) 1),
                    new NewTopic(Topics.ORDER_COMMANDS_DEAD_LETTER.name(), 1, (short) 1))).all().get();
        }
        return kafka;
    }
}
