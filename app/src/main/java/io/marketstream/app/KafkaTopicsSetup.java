package io.marketstream.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.embedded.KafkaNode;
import io.marketstream.protocol.kafka.Topics;

/** Creates the topics every role needs if they do not exist yet (each role calls it at start). */
final class KafkaTopicsSetup {
    private static final Logger log = LoggerFactory.getLogger(KafkaTopicsSetup.class);

    private KafkaTopicsSetup() {
    }

    /** @param replication replicas of each partition; a majority must be in sync ({@link KafkaNode#minInsyncReplicas}) */
    static void ensure(String bootstrap, int partitions, short replication) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String name : List.of(Topics.ORDER_COMMANDS.name(), Topics.ENGINE_EVENTS.name(),
                    Topics.ORDER_COMMANDS_DEAD_LETTER.name())) {
                if (!existing.contains(name)) {
                    NewTopic topic = new NewTopic(name, partitions, replication);
                    Map<String, String> configs = new java.util.HashMap<>();
                    // an acknowledged write (acks=all) is on this many replicas: with 3, it survives a broker
                    configs.put("min.insync.replicas", String.valueOf(KafkaNode.minInsyncReplicas(replication)));
                    if (name.equals(Topics.ORDER_COMMANDS.name())) {
                        // the engine rebuilds its state by replaying this log from the start: keep it all
                        configs.put("retention.ms", "-1");
                        configs.put("retention.bytes", "-1");
                    }
                    topic.configs(configs);
                    missing.add(topic);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                log.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the topics on " + bootstrap + ": " + e.getMessage(), e);
        }
    }
}
