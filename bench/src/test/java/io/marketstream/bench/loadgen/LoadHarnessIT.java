package io.marketstream.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.marketstream.protocol.Json;

/**
 * The load harness run small on the real pipeline: a nodes JVM (Kafka, redis-server, engine, streams job), an
 * edge JVM, a clients JVM with 20 production clients, 10 traders at 100 commands/s for a 10 s window.
 */
class LoadHarnessIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void shouldDriveThePipelineMeasureItAndFindEveryClientBookEqualToTheEngines() throws Exception {
        Path json = dir.resolve("out/summary.json");
        Path png = dir.resolve("out/latency.png");

        int exit = LoadHarness.run("--rate", "100", "--traders", "10", "--clients", "20", "--duration", "10s",
                "--warmup", "3s", "--json", json.toString(), "--plot", png.toString(),
                "--nodes-jvm", "-Xmx1g -XX:+UseG1GC", "--edge-jvm", "-Xmx512m -XX:+UseG1GC",
                "--clients-jvm", "-Xmx512m -XX:+UseG1GC", "--max-minutes", "5");

        assertThat(exit).as("exit code (0: every book matched)").isZero();
        JsonNode summary = Json.mapper().readTree(json.toFile());
        assertThat(summary.path("booksMatch").asBoolean()).isTrue();
        assertThat(summary.path("booksDelivered").asBoolean()).isTrue();
        JsonNode step = summary.path("steps").get(0);
        assertThat(step.path("offeredRate").asInt()).isEqualTo(100);
        // the traders kept the rate and the broker acknowledged what they sent
        assertThat(step.path("traders").path("sent").asLong()).isGreaterThan(500);
        assertThat(step.path("traders").path("failed").asLong()).isZero();
        // every client stayed connected and received verified deltas, with latencies recorded
        JsonNode delivery = step.path("delivery");
        assertThat(delivery.path("connectionsHeld").asInt()).isEqualTo(20);
        assertThat(delivery.path("bookDeltas").asLong()).isPositive();
        assertThat(delivery.path("tickers").asLong()).as("ticker updates delivered").isPositive();
        assertThat(delivery.path("updatesPerSecond").asDouble()).isPositive();
        assertThat(delivery.path("gapResyncs").asLong()).isZero();
        assertThat(delivery.path("checksumResyncs").asLong()).isZero();
        JsonNode latency = step.path("bookLatency");
        assertThat(latency.path("count").asLong()).isPositive();
        assertThat(latency.path("p50").asDouble()).isPositive();
        assertThat(latency.path("max").asDouble()).isGreaterThanOrEqualTo(latency.path("p99").asDouble());
        // the book check: the replay is the engine's, and every client's book (20, one market each) equals it
        JsonNode check = step.path("check");
        assertThat(check.path("replayMatchesEngine").asBoolean()).isTrue();
        assertThat(check.path("commandsReplayed").asLong()).isGreaterThan(500);
        assertThat(check.path("books").asLong()).isEqualTo(20);
        assertThat(check.path("mismatches").asLong()).isZero();
        assertThat(check.path("behind").asLong()).isZero();
        // nodes, edge, redis-server, clients, harness: each with its CPU and memory
        assertThat(step.path("processes")).hasSize(5);
        assertThat(step.path("processes").get(1).path("process").asText()).isEqualTo("edge JVM");
        assertThat(step.path("processes").get(1).path("cpuSeconds").asDouble()).isPositive();
        assertThat(step.path("processes").get(0).path("cpuSeconds").asDouble()).isPositive();
        assertThat(step.path("processes").get(0).path("rssMiB").asDouble()).isPositive();

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a decodable PNG").isNotNull();
        assertThat(image.getWidth()).isEqualTo(LatencyPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LatencyPlot.HEIGHT);
    }
}
