package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import org.junit.jupiter.api.Test;

/** The engine's, streams job's, traders' and Kafka nodes' HTTP endpoint, on a real port. */
class MetricsServerIT {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path, String method) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeTheGlobalRegistryAndTheRolesReadiness() throws Exception {
        AtomicBoolean ready = new AtomicBoolean();
        try (MetricsServer server = MetricsServer.start(0, ready::get)) {
            Counter counter = Counter.builder("marketstream.test.things").register(Metrics.globalRegistry);
            counter.increment(3);
            HttpResponse<String> metrics = get(server.port(), "/metrics", "GET");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(metrics.body()).contains("marketstream_test_things_total 3.0").contains("jvm_memory_used_bytes")
                    .contains("process_uptime_seconds");

            assertThat(get(server.port(), "/healthz", "GET").statusCode()).isEqualTo(200);
            assertThat(get(server.port(), "/readyz", "GET").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(server.port(), "/readyz", "GET").statusCode()).isEqualTo(200);
            assertThat(get(server.port(), "/metrics/nope", "GET").statusCode()).isEqualTo(404);
            assertThat(get(server.port(), "/metrics", "POST").statusCode()).isEqualTo(405);
            Metrics.globalRegistry.remove(counter);
        }
    }

    @Test
    void shouldAnswerNotReadyWhenTheCheckFails() throws Exception {
        try (MetricsServer server = MetricsServer.start(0, () -> {
            throw new IllegalStateException("no engine");
        })) {
            assertThat(get(server.port(), "/readyz", "GET").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void shouldLeaveTheGlobalRegistryWhenClosed() {
        MetricsServer server = MetricsServer.start(0, () -> true);
        assertThat(Metrics.globalRegistry.getRegistries()).contains(server.registry());
        server.close();
        assertThat(Metrics.globalRegistry.getRegistries()).doesNotContain(server.registry());
    }
}
