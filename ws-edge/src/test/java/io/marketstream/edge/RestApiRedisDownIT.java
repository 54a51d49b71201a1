package io.marketstream.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.marketstream.embedded.EmbeddedRedis;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;

/** With Redis gone, the REST reads answer 503 promptly, {@code /readyz} too, {@code /healthz} stays 200; all recover. */
class RestApiRedisDownIT {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private EmbeddedRedis redis;
    private EdgeNode edge;

    @BeforeEach
    void start() {
        redis = EmbeddedRedis.start();
        edge = new EdgeNode(EdgeConfig.defaults(0), MarketCatalog.defaults(), redis.uri()).start();
    }

    @AfterEach
    void stop() {
        edge.close();
        redis.close();
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        // well under Lettuce's 60 s command timeout: a 503 must not wait for it
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswer503WhileRedisIsDownAndRecoverAfter() throws Exception {
        assertThat(get("/api/v1/depth?market=BTC-USD").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);

        redis.stop();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get("/readyz").statusCode()).isEqualTo(503));
        HttpResponse<String> ready = get("/readyz");
        assertThat(Json.mapper().readTree(ready.body()).get("error").asText()).contains("Redis");
        for (String path : new String[] {"/api/v1/depth?market=BTC-USD", "/api/v1/trades?market=BTC-USD",
                "/api/v1/klines?market=BTC-USD&interval=1m", "/api/v1/ticker?market=BTC-USD"}) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(503);
            assertThat(Json.mapper().readTree(response.body()).get("error").asText()).as(path)
                    .contains("market data unavailable");
        }
        assertThat(get("/api/v1/depth?market=NOPE").statusCode()).as("bad parameters are still 400").isEqualTo(400);
        assertThat(get("/healthz").statusCode()).as("liveness does not depend on Redis").isEqualTo(200);

        redis.restart();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(get("/readyz").statusCode()).isEqualTo(200));
        assertThat(get("/api/v1/depth?market=BTC-USD").statusCode()).isEqualTo(200);
    }
}
