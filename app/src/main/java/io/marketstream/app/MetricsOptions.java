package io.marketstream.app;

import picocli.CommandLine.Option;

/** The metrics endpoint of a role without an HTTP port of its own (see {@link MetricsServer}). */
final class MetricsOptions {
    @Option(names = "--metrics-port", defaultValue = "${env:MARKETSTREAM_METRICS_PORT}",
            description = "Serve /metrics (Prometheus), /healthz and /readyz on this port, all interfaces "
                    + "(env MARKETSTREAM_METRICS_PORT; default: none, no endpoint).")
    Integer port;
}
