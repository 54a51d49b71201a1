package io.marketstream.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

/** A scrape of a node's {@code GET /metrics} (Prometheus text format): series (name with labels) to value. */
public record PrometheusText(Map<String, Double> values) {
    /** Scrapes {@code http://127.0.0.1:<port>/metrics}; empty (and says so) if the node does not answer. */
    public static PrometheusText scrape(HttpClient http, int port) {
        Map<String, Double> values = new TreeMap<>();
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            System.out.println("!! GET /metrics failed: " + e);
            return new PrometheusText(values);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PrometheusText(values);
        }
        for (String line : response.body().split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            try {
                values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            } catch (RuntimeException e) {
                // not a sample line: skip it
            }
        }
        return new PrometheusText(values);
    }

    /** The sum of the series of a metric whose labels contain {@code label} ("" for all). */
    public double sum(String name, String label) {
        return values.entrySet().stream()
                .filter(e -> (e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                        && e.getKey().contains(label))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** Each series of a metric, by its labels. */
    public Map<String, Double> series(String name) {
        Map<String, Double> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(name + "{")) {
                out.put(k.substring(name.length()), v);
            }
        });
        return out;
    }
}
