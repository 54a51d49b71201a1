package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to {@code app cluster} and {@code app kafka} gets a clear answer and an exit code, never a trace. */
class ClusterCommandTest {
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void shouldSayThereIsNoClusterInADirectoryWithoutOne(@TempDir Path dir) {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            assertThat(run("cluster", "status", "--dir", dir.toString())).isEqualTo(1);
            assertThat(run("cluster", "stop", "--dir", dir.toString())).isEqualTo(1);
            assertThat(run("cluster", "kill", "--dir", dir.toString(), "engine-1")).isEqualTo(1);
        } finally {
            System.setErr(saved);
        }
        assertThat(captured.toString()).contains("no local cluster in " + dir.toAbsolutePath());
    }

    @Test
    void shouldRefuseAPortBaseOrRateThatCannotWork(@TempDir Path dir) throws Exception {
        Path jar = Files.createFile(dir.resolve("marketstream.jar"));
        assertThat(run("cluster", "start", "--dir", dir.toString(), "--jar", jar.toString(), "--port-base", "80"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("port base must be between 1024 and 65135");
        assertThat(run("cluster", "start", "--dir", dir.toString(), "--jar", jar.toString(), "--rate", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("rate must be positive");
    }

    @Test
    void shouldRefuseKafkaSettingsThatCannotFormACluster(@TempDir Path dir) {
        assertThat(run("kafka", "--node-id", "4", "--voters", "1@h:9093,2@h:9093", "--log-dir", dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("node 4 is not among the voters");
        assertThat(run("kafka", "--cluster-id", "nope", "--log-dir", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("cluster id must be a Kafka UUID");
    }

    @Test
    void shouldRefuseTopicsWithoutPartitionsOrReplicas() {
        assertThat(run("engine", "--partitions", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--partitions and --replication-factor must be at least 1");
    }

    @Test
    void shouldNameTheServicesWhenAskedForOneThatDoesNotExist() {
        ClusterTopology.Settings settings = ClusterTopology.Settings.defaults();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> ClusterTopology.service(
                ClusterTopology.services(settings, ClusterTopology.COMPOSE), "engine-3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no service engine-3")
                .hasMessageContaining("engine-1");
    }
}
