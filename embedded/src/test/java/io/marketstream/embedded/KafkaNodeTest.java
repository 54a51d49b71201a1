package io.marketstream.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class KafkaNodeTest {
    private static final String CLUSTER = "bWFya2V0c3RyZWFtLWtmaw";

    private static KafkaNode.Settings node(int id, int rf, String voters) {
        return new KafkaNode.Settings(id, "0.0.0.0", "kafka-" + id, 9092, 9093, voters, Path.of("/tmp/k" + id), CLUSTER,
                rf, Map.of("num.io.threads", "8"));
    }

    @Test
    void shouldReplicateInternalTopicsAndNewTopicsByTheFactorWithAMajorityInSync() {
        Properties p = KafkaNode.properties(node(2, 3, "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"));
        assertThat(p).containsEntry("node.id", "2")
                .containsEntry("controller.quorum.voters", "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093")
                .containsEntry("listeners", "PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093")
                .containsEntry("advertised.listeners", "PLAINTEXT://kafka-2:9092")
                .containsEntry("default.replication.factor", "3")
                .containsEntry("min.insync.replicas", "2")
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("transaction.state.log.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2")
                .containsEntry("unclean.leader.election.enable", "false")
                .containsEntry("num.io.threads", "8");
    }

    @Test
    void shouldNeedAMajorityOfReplicasInSyncButOneForTwoOrFewer() {
        assertThat(KafkaNode.minInsyncReplicas(1)).isEqualTo(1);
        assertThat(KafkaNode.minInsyncReplicas(2)).isEqualTo(1);
        assertThat(KafkaNode.minInsyncReplicas(3)).isEqualTo(2);
        assertThat(KafkaNode.minInsyncReplicas(5)).isEqualTo(3);
    }

    @Test
    void shouldRefuseSettingsThatCannotFormACluster() {
        assertThatThrownBy(() -> node(4, 3, "1@kafka-1:9093,2@kafka-2:9093"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not among the voters");
        assertThatThrownBy(() -> node(1, 3, "1@kafka-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id@host:port");
        assertThatThrownBy(() -> node(1, 0, "1@kafka-1:9093"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replication factor");
        assertThatThrownBy(() -> new KafkaNode.Settings(1, "h", "h", 1, 2, "1@h:2", Path.of("/tmp"), "not a uuid", 1,
                Map.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster id");
    }
}
