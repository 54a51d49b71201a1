package io.marketstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import io.marketstream.app.ClusterTopology.Kind;
import io.marketstream.app.ClusterTopology.Service;

/**
 * The compose stack checked without a Docker engine: infra/compose.yaml must declare exactly the
 * services of {@link ClusterTopology} (the ones the local cluster runs), with the same commands,
 * variables and ports; Prometheus must scrape every one of them; the nginx template must get every
 * variable it uses; the Grafana dashboard must parse, use the provisioned data source and have the
 * panels the operations guide describes. (That the dashboard's metric names are really exported is
 * checked against the running cluster in {@code ClusterFaultIT}.)
 */
class ComposeStackTest {
    static final Path INFRA = Path.of("..", "infra");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> EXTRAS = Set.of("redis-exporter", "nginx-exporter", "prometheus", "grafana");
    private static final List<Service> TOPOLOGY =
            ClusterTopology.services(ClusterTopology.Settings.defaults(), ClusterTopology.COMPOSE);

    private static JsonNode yaml(String file) throws IOException {
        return YAML.readTree(INFRA.resolve(file).toFile());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Map<String, String> map(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        if (object != null) {
            object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    @Test
    void shouldDeclareTheLocalClustersServicesWithTheSameCommandsVariablesAndPorts() throws IOException {
        JsonNode services = yaml("compose.yaml").get("services");
        Set<String> declared = new TreeSet<>();
        services.fieldNames().forEachRemaining(declared::add);
        Set<String> expected = new TreeSet<>(EXTRAS);
        TOPOLOGY.forEach(s -> expected.add(s.name()));
        assertThat(declared).isEqualTo(expected);

        for (Service s : TOPOLOGY) {
            JsonNode c = services.get(s.name());
            switch (s.kind()) {
                case REDIS -> {
                    List<String> command = new ArrayList<>(List.of("redis-server"));
                    command.addAll(s.command());
                    assertThat(strings(c.get("command"))).as(s.name()).isEqualTo(command);
                    assertThat(strings(c.at("/healthcheck/test"))).as(s.name()).contains(String.valueOf(s.port()));
                }
                case NGINX -> {
                    assertThat(map(c.get("environment"))).as(s.name()).isEqualTo(s.env());
                    assertThat(strings(c.get("volumes"))).as(s.name()).contains("./nginx/templates:/etc/nginx/templates:ro");
                    assertThat(strings(c.get("ports"))).as(s.name()).contains(s.port() + ":" + s.port());
                }
                default -> {
                    assertThat(c.get("image").asText()).as(s.name()).isEqualTo("marketstream:local");
                    assertThat(c.at("/build/dockerfile").asText()).as(s.name()).isEqualTo("infra/Dockerfile");
                    assertThat(strings(c.get("command"))).as(s.name()).isEqualTo(s.command());
                    assertThat(map(c.get("environment"))).as(s.name()).isEqualTo(s.env());
                    if (c.has("healthcheck")) {
                        assertThat(strings(c.at("/healthcheck/test"))).as(s.name())
                                .contains("http://localhost:" + s.metricsPort() + "/readyz");
                    }
                }
            }
            if (s.kind() == Kind.KAFKA || s.kind() == Kind.STREAMS) {
                // their data directory is inside the volume
                assertThat(strings(c.get("volumes"))).as(s.name()).contains(s.name() + "-data:/var/lib/marketstream");
            }
        }
        // what the services wait for exists
        services.fields().forEachRemaining(e -> {
            JsonNode deps = e.getValue().get("depends_on");
            if (deps != null) {
                List<String> names = new ArrayList<>();
                if (deps.isArray()) {
                    deps.forEach(d -> names.add(d.asText()));
                } else {
                    deps.fieldNames().forEachRemaining(names::add);
                }
                assertThat(declared).as("depends_on of " + e.getKey()).containsAll(names);
            }
        });
    }

    @Test
    void shouldHaveEveryServiceScrapedByPrometheus() throws IOException {
        Map<String, String> targets = new LinkedHashMap<>();
        for (JsonNode job : yaml("prometheus/prometheus.yml").get("scrape_configs")) {
            for (JsonNode group : job.get("static_configs")) {
                for (JsonNode target : group.get("targets")) {
                    targets.put(target.asText(), group.at("/labels/service").asText());
                }
            }
        }
        JsonNode services = yaml("compose.yaml").get("services");
        for (Service s : TOPOLOGY) {
            switch (s.kind()) {
                case REDIS -> {
                    assertThat(targets).containsEntry("redis-exporter:9121", "redis");
                    assertThat(map(services.at("/redis-exporter/environment")))
                            .containsEntry("REDIS_ADDR", ClusterTopology.redisUri(ClusterTopology.Settings.defaults(),
                                    ClusterTopology.COMPOSE));
                }
                case NGINX -> {
                    assertThat(targets).containsEntry("nginx-exporter:9113", "nginx");
                    assertThat(strings(services.at("/nginx-exporter/command")))
                            .contains("--nginx.scrape-uri=http://nginx:" + s.port() + "/nginx_status");
                    assertThat(Files.readString(INFRA.resolve("nginx/templates/marketstream.conf.template")))
                            .contains("location = /nginx_status");
                }
                default -> assertThat(targets).as(s.name()).containsEntry(s.name() + ":" + s.metricsPort(), s.name());
            }
        }
    }

    @Test
    void shouldGiveTheNginxTemplateEveryVariableItUsesInBothDeployments() throws IOException {
        String template = Files.readString(INFRA.resolve("nginx/templates/marketstream.conf.template"));
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)}").matcher(template);
        while (m.find()) {
            used.add(m.group(1));
        }
        Service nginx = ClusterTopology.service(TOPOLOGY, "nginx");
        assertThat(used).isEqualTo(nginx.env().keySet());
        String rendered = ClusterTopology.render(template, nginx.env());
        assertThat(rendered).doesNotContain("${").contains("server edge-1:20081").contains("server edge-2:20082")
                .contains("listen 20080;").contains("proxy_set_header Upgrade $http_upgrade;")
                .contains("proxy_set_header Connection $connection_upgrade;");
        // the local main configuration includes the rendered file under the name the launcher writes
        assertThat(Files.readString(INFRA.resolve("nginx/nginx-local.conf"))).contains("include marketstream.conf;");
    }

    @Test
    void shouldProvisionADashboardWithTheOperatorsPanelsOnThePrometheusDataSource() throws IOException {
        String uid = yaml("grafana/provisioning/datasources/prometheus.yaml").at("/datasources/0/uid").asText();
        assertThat(yaml("grafana/provisioning/datasources/prometheus.yaml").at("/datasources/0/url").asText())
                .isEqualTo("http://prometheus:9090");
        JsonNode dashboard = JSON.readTree(INFRA.resolve("grafana/dashboards/marketstream.json").toFile());
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            titles.add(panel.get("title").asText());
            assertThat(panel.at("/datasource/uid").asText()).as(panel.get("title").asText()).isEqualTo(uid);
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.get("expr").asText()).isNotBlank();
            }
        }
        assertThat(titles).contains("Connections", "Messages/s to clients", "Event-to-client latency",
                "Resyncs and slow closes", "Consumer lag", "Engine commands/s");
        assertThat(dashboardMetricNames()).contains("marketstream_edge_connections",
                "marketstream_edge_event_to_send_seconds_bucket", "kafka_consumer_fetch_manager_records_lag_max",
                "marketstream_engine_commands_total");
        assertThat(yaml("grafana/provisioning/dashboards/marketstream.yaml").at("/providers/0/options/path").asText())
                .isEqualTo("/var/lib/grafana/dashboards");
    }

    /** The metric names the dashboard's queries use (identifiers followed by a selector, a range or a parenthesis). */
    static Set<String> dashboardMetricNames() throws IOException {
        JsonNode dashboard = JSON.readTree(INFRA.resolve("grafana/dashboards/marketstream.json").toFile());
        Set<String> names = new TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:marketstream|kafka|jvm|process)_[a-z0-9_]+)\\b");
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = metric.matcher(target.get("expr").asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }
}
