package io.marketstream.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code app cluster start|stop|status|kill}: the production topology as separate processes on this
 * machine's loopback interface (see {@link LocalCluster}, {@link ClusterTopology} and
 * docs/operations.md). {@code infra/local-cluster.sh} runs this.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "A local cluster on loopback: 3 Kafka nodes, Redis, 2 engines, 2 streams "
        + "instances, 2 edges behind nginx, simulated traders; each a separate process.",
        subcommands = {ClusterCommand.Start.class, ClusterCommand.Stop.class, ClusterCommand.Status.class,
                ClusterCommand.Kill.class})
final class ClusterCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say start, stop, status or kill");
    }

    /** Runs an action; a cluster that cannot be found, started or stopped is an error message and exit code 1, not a trace. */
    static int refusal(Callable<Integer> action) {
        try {
            return action.call();
        } catch (IllegalStateException | IllegalArgumentException | java.io.UncheckedIOException e) {
            if (e instanceof CommandLine.ParameterException p) {
                throw p;
            }
            System.err.println("cluster: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where the cluster keeps its pids, logs, data and settings. */
    static final class DirOption {
        @Option(names = "--dir", defaultValue = "${env:MARKETSTREAM_CLUSTER_DIR:-${sys:java.io.tmpdir}/marketstream-cluster}",
                description = "Run directory: pids, logs, data, settings (env MARKETSTREAM_CLUSTER_DIR; default ${DEFAULT-VALUE}).")
        Path dir;
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts every service not yet running (or only the ones named) and waits "
            + "until each is ready.")
    static final class Start implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        DirOption dir = new DirOption();

        @Option(names = "--port-base", defaultValue = "${env:MARKETSTREAM_CLUSTER_PORT_BASE:-20000}",
                description = "Every port is an offset from this (nginx +80, edges +81/+82, Redis +379, Kafka +91..93; "
                        + "see docs/operations.md) (env MARKETSTREAM_CLUSTER_PORT_BASE; default ${DEFAULT-VALUE}).")
        int portBase;

        @Option(names = "--rate", defaultValue = "50",
                description = "The simulated traders' commands per second (default ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--markets", defaultValue = "${env:MARKETSTREAM_MARKETS}",
                description = "Markets file every role reads (env MARKETSTREAM_MARKETS; default: the built-in ones).")
        Path markets;

        @Option(names = "--jar", description = "The application jar the services run (default: the one running this).")
        Path jar;

        @Option(names = "--timeout", defaultValue = "300",
                description = "Seconds to wait for the cluster to be ready (default ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Parameters(arity = "0..*", paramLabel = "SERVICE",
                description = "Start only these (e.g. one that was killed): redis, kafka-1..3, engine-1/2, streams-1/2, "
                        + "edge-1/2, nginx, traders.")
        List<String> only;

        @Override
        public Integer call() {
            return refusal(this::run);
        }

        private int run() {
            LocalCluster cluster;
            try {
                if (only != null && !only.isEmpty()) {
                    cluster = LocalCluster.open(dir.dir);
                    cluster.start(only, Duration.ofSeconds(timeoutSeconds));
                } else {
                    ClusterTopology.Settings settings = new ClusterTopology.Settings(portBase, rate,
                            markets == null ? null : markets.toAbsolutePath().toString());
                    if (java.nio.file.Files.exists(dir.dir.resolve(LocalCluster.SETTINGS_FILE))) {
                        LocalCluster running = LocalCluster.open(dir.dir);
                        if (running.services().stream().anyMatch(s -> running.pid(s).isPresent())
                                && !running.settings().equals(settings)) {
                            throw new IllegalStateException("a cluster with other settings (" + running.settings()
                                    + ") is running in " + dir.dir.toAbsolutePath() + ": stop it first, or use another --dir");
                        }
                    }
                    cluster = new LocalCluster(dir.dir, settings, jar != null ? jar : runningJar());
                    cluster.start(Duration.ofSeconds(timeoutSeconds));
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            cluster.status().forEach(System.out::println);
            System.out.printf("%nThe cluster is running: open http://127.0.0.1:%d/ (WebSocket %s). Logs in %s/logs; "
                    + "stop it with: app cluster stop --dir %s%n", cluster.settings().nginxPort(), cluster.webSocketUri(),
                    cluster.runDir(), cluster.runDir());
            return 0;
        }

        private static Path runningJar() {
            try {
                Path self = Path.of(ClusterCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                return self.toString().endsWith(".jar") ? self : null;
            } catch (Exception e) {
                return null;
            }
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops every service (or only the ones named): "
            + "SIGTERM, last stage first; SIGKILL after 30 s.")
    static final class Stop implements Callable<Integer> {
        @CommandLine.Mixin
        DirOption dir = new DirOption();

        @Parameters(arity = "0..*", paramLabel = "SERVICE",
                description = "Stop only these, gracefully (e.g. an edge, which drains, for a rolling upgrade).")
        List<String> only;

        @Override
        public Integer call() {
            return refusal(() -> {
                LocalCluster cluster = LocalCluster.open(dir.dir);
                if (only != null && !only.isEmpty()) {
                    cluster.stop(only);
                    System.out.println("Stopped " + only + ".");
                } else {
                    cluster.stop();
                    System.out.println("Stopped. Data and logs stay in " + dir.dir.toAbsolutePath());
                }
                return 0;
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Each service: pid, whether it is ready, where it serves. "
            + "Exit code 0 only if all are running and ready.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Mixin
        DirOption dir = new DirOption();

        @Override
        public Integer call() {
            return refusal(() -> {
                List<String> lines = LocalCluster.open(dir.dir).status();
                lines.forEach(System.out::println);
                return lines.stream().allMatch(l -> l.contains(", ready")) ? 0 : 3;
            });
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, description = "Kills services at once (SIGKILL), as a crash would; start brings them back.")
    static final class Kill implements Callable<Integer> {
        @CommandLine.Mixin
        DirOption dir = new DirOption();

        @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "e.g. engine-1 kafka-2 edge-1")
        List<String> services;

        @Override
        public Integer call() {
            return refusal(() -> {
                LocalCluster.open(dir.dir).kill(services);
                return 0;
            });
        }
    }
}
