package io.marketstream.app;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint of a role without one of its own (engine, streams job, traders, Kafka node):
 * {@code GET /metrics} in the Prometheus text format (everything registered in Micrometer's global
 * registry, plus JVM and process meters), {@code GET /healthz} (200 while the process runs) and
 * {@code GET /readyz} (200 once the role is ready, else 503: what the local cluster waits for and a
 * load balancer or orchestrator probes). The edge serves the same paths on its own port.
 *
 * <p>One small thread answers; a scrape renders the registry, which costs well under a millisecond
 * of CPU for these roles.
 */
final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Adds a Prometheus registry to the global one and serves it on {@code port} (all interfaces).
     *
     * @param ready whether the role is ready ({@code /readyz})
     */
    static MetricsServer start(int port, BooleanSupplier ready) {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("the metrics endpoint could not listen on port " + port, e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        MetricsServer metrics = new MetricsServer(http, executor);
        Metrics.addRegistry(metrics.registry);
        new JvmMemoryMetrics().bindTo(metrics.registry);
        metrics.gc.bindTo(metrics.registry);
        new JvmThreadMetrics().bindTo(metrics.registry);
        new ProcessorMetrics().bindTo(metrics.registry);
        new UptimeMetrics().bindTo(metrics.registry);
        http.createContext("/metrics", exchange -> metrics.answer(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", metrics.registry.scrape()));
        http.createContext("/healthz", exchange -> metrics.answer(exchange, 200, "application/json",
                "{\"status\":\"ok\"}"));
        http.createContext("/readyz", exchange -> {
            boolean ok;
            try {
                ok = ready.getAsBoolean();
            } catch (RuntimeException e) {
                log.warn("Readiness check failed", e);
                ok = false;
            }
            metrics.answer(exchange, ok ? 200 : 503, "application/json",
                    ok ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}");
        });
        http.setExecutor(executor);
        http.start();
        log.info("Metrics at http://0.0.0.0:{}/metrics (and /healthz, /readyz)", http.getAddress().getPort());
        return metrics;
    }

    /** The bound port (useful with port 0). */
    int port() {
        return server.getAddress().getPort();
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    private void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!path.equals(exchange.getHttpContext().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** Stops serving and takes the registry out of the global one. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        Metrics.removeRegistry(registry);
        gc.close();
        registry.close();
    }
}
