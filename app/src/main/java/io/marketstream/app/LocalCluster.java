package io.marketstream.app;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.app.ClusterTopology.Service;
import io.marketstream.app.ClusterTopology.Settings;
import io.marketstream.embedded.EmbeddedRedis;

/**
 * Runs {@link ClusterTopology} as separate processes on the loopback interface, each with its pid
 * and log in a run directory: {@code pids/<service>.pid} (the pid and the process's start time, so
 * that a reused pid is never taken for ours) and {@code logs/<service>.log}. Processes outlive the
 * JVM that started them ({@code app cluster start} returns); any later {@code app cluster stop},
 * {@code status} or {@code kill} with the same run directory finds them again.
 *
 * <p>{@link #start} starts the services stage by stage and waits, for a bounded time, until each
 * stage is ready (Redis answers PING; the others' {@code /readyz} answers 200; nginx passes
 * {@code /healthz} to an edge) before the next; a process that exits meanwhile fails the start at
 * once with the end of its log. Services already running are left alone, so {@code start} after a
 * {@link #kill} brings back only what is missing. {@link #stop} asks every process to stop (SIGTERM:
 * edges drain, Kafka nodes shut down in a controlled way) in reverse order and kills what is still
 * there after a grace period.
 */
final class LocalCluster {
    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
    static final String SETTINGS_FILE = "cluster.properties";
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Path runDir;
    private final Settings settings;
    private final Path jar;
    private final List<List<Service>> stages;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    LocalCluster(Path runDir, Settings settings, Path jar) {
        this.runDir = runDir.toAbsolutePath();
        this.settings = settings;
        this.jar = jar == null ? null : jar.toAbsolutePath();
        this.stages = ClusterTopology.stages(settings, ClusterTopology.loopback(this.runDir));
    }

    /** The cluster whose settings a previous {@link #start} saved in {@code runDir}. */
    static LocalCluster open(Path runDir) {
        Path file = runDir.resolve(SETTINGS_FILE);
        if (!Files.exists(file)) {
            throw new IllegalStateException("no local cluster in " + runDir.toAbsolutePath() + " (no " + SETTINGS_FILE
                    + "); start one with: app cluster start --dir " + runDir);
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        String markets = p.getProperty("markets");
        String jar = p.getProperty("jar");
        return new LocalCluster(runDir, new Settings(Integer.parseInt(p.getProperty("portBase")),
                Double.parseDouble(p.getProperty("rate")), markets == null || markets.isEmpty() ? null : markets),
                jar == null || jar.isEmpty() ? null : Path.of(jar));
    }

    Settings settings() {
        return settings;
    }

    Path runDir() {
        return runDir;
    }

    List<Service> services() {
        return stages.stream().flatMap(List::stream).toList();
    }

    Service service(String name) {
        return ClusterTopology.service(services(), name);
    }

    /** {@code ws://127.0.0.1:<nginx>/ws}: what clients connect to. */
    URI webSocketUri() {
        return URI.create("ws://127.0.0.1:" + settings.nginxPort() + "/ws");
    }

    String bootstrap() {
        return ClusterTopology.bootstrap(settings, ClusterTopology.loopback(runDir));
    }

    // ---------------------------------------------------------------- start

    /**
     * Starts every service not running yet, stage by stage, each stage ready before the next.
     *
     * @param timeout for the whole start; past it the start fails (what started keeps running: stop it)
     */
    void start(Duration timeout) {
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new IllegalStateException("the application jar " + jar + " does not exist: build it with "
                    + "./mvnw -q -DskipTests package, or give --jar");
        }
        createDirectories();
        saveSettings();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (List<Service> stage : stages) {
            List<Service> launched = new ArrayList<>();
            for (Service service : stage) {
                if (pid(service).isEmpty()) {
                    launch(service);
                    launched.add(service);
                }
            }
            awaitReady(stage, deadline, timeout);
            if (!launched.isEmpty()) {
                log.info("Ready: {}", launched.stream().map(Service::name).toList());
            }
        }
    }

    /** Starts the named services if they are not running, and waits until they are ready. */
    void start(List<String> names, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Service> chosen = names.stream().map(this::service).toList();
        for (Service service : chosen) {
            if (pid(service).isEmpty()) {
                launch(service);
            }
        }
        awaitReady(chosen, deadline, timeout);
    }

    private void createDirectories() {
        try {
            Files.createDirectories(runDir.resolve("pids"));
            Files.createDirectories(runDir.resolve("logs"));
            for (Service s : services()) {
                Files.createDirectories(runDir.resolve("data").resolve(s.name()));
            }
            Path nginx = runDir.resolve("nginx");
            for (String dir : List.of("logs", "tmp/client_body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi")) {
                Path d = Files.createDirectories(nginx.resolve(dir));
                // nginx started by root runs its worker as nobody, which writes its temporary files here
                d.toFile().setWritable(true, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the run directory " + runDir, e);
        }
    }

    private void saveSettings() {
        Properties p = new Properties();
        p.setProperty("portBase", String.valueOf(settings.portBase()));
        p.setProperty("rate", String.valueOf(settings.rate()));
        p.setProperty("markets", settings.markets() == null ? "" : settings.markets());
        p.setProperty("jar", jar.toString());
        try (OutputStream out = Files.newOutputStream(runDir.resolve(SETTINGS_FILE))) {
            p.store(out, "marketstream local cluster (app cluster start)");
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + SETTINGS_FILE, e);
        }
    }

    private void launch(Service service) {
        List<String> command = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>(service.env());
        if (new File("/usr/bin/setsid").canExecute()) {
            // its own session: a Ctrl-C meant for the launcher's terminal does not reach the services
            command.add("/usr/bin/setsid");
        }
        switch (service.kind()) {
            case REDIS -> {
                command.add(EmbeddedRedis.findExecutable().getAbsolutePath());
                command.addAll(service.command());
                command.addAll(List.of("--bind", "127.0.0.1", "--dir", runDir.resolve("data/redis").toString(),
                        "--logfile", ""));
            }
            case NGINX -> {
                Path prefix = runDir.resolve("nginx");
                writeNginxConfig(prefix, service);
                command.addAll(List.of(nginxExecutable(), "-p", prefix + "/", "-c", prefix.resolve("nginx.conf").toString(),
                        "-e", prefix.resolve("logs/error.log").toString(), "-g", "daemon off;"));
            }
            default -> {
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(List.of("-jar", jar.toString()));
                command.addAll(service.command());
            }
        }
        Path logFile = runDir.resolve("logs").resolve(service.name() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(runDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            Instant started = process.info().startInstant().orElse(Instant.EPOCH);
            Files.writeString(pidFile(service), process.pid() + " " + started.toEpochMilli() + "\n");
            log.info("Started {} (pid {}), log {}", service.name(), process.pid(), logFile);
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + service.name() + ": " + command, e);
        }
    }

    private static String nginxExecutable() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/bin/nginx", "/usr/bin/nginx")) {
            if (new File(candidate).canExecute()) {
                return candidate;
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "nginx");
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        throw new IllegalStateException("nginx not found: install it (Debian: apt-get install nginx)");
    }

    private void writeNginxConfig(Path prefix, Service nginx) {
        try {
            Files.writeString(prefix.resolve("nginx.conf"), resource("infra/nginx/nginx-local.conf"));
            Files.writeString(prefix.resolve("marketstream.conf"),
                    ClusterTopology.render(resource("infra/nginx/templates/marketstream.conf.template"), nginx.env()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the nginx configuration in " + prefix, e);
        }
    }

    /** A file of infra/ that the build copies into the jar (app/pom.xml), so the launcher and compose share it. */
    static String resource(String path) {
        try (InputStream in = LocalCluster.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not in the application jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(List<Service> services, long deadline, Duration timeout) {
        List<Service> waiting = new ArrayList<>(services);
        while (!waiting.isEmpty()) {
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Service s = it.next();
                if (pid(s).isEmpty()) {
                    throw new IllegalStateException(s.name() + " exited while starting; the end of its log ("
                            + logFile(s) + "):\n" + tail(s, 30));
                }
                if (isReady(s)) {
                    it.remove();
                }
            }
            if (waiting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready within " + timeout.toSeconds() + " s: "
                        + waiting.stream().map(Service::name).toList() + "; the end of " + waiting.get(0).name()
                        + "'s log:\n" + tail(waiting.get(0), 30));
            }
            sleep(250);
        }
    }

    /** Redis answers PING; the others' /readyz (nginx: an edge's, through it) answers 200. */
    boolean isReady(Service s) {
        switch (s.kind()) {
            case REDIS:
                return answersPing(s.port());
            case NGINX:
                return httpOk(s.port(), "/readyz");
            default:
                return httpOk(s.metricsPort(), "/readyz");
        }
    }

    private boolean httpOk(int port, String path) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static boolean answersPing(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1_000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readNBytes(5), StandardCharsets.US_ASCII).equals("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- processes

    private Path pidFile(Service s) {
        return runDir.resolve("pids").resolve(s.name() + ".pid");
    }

    Path logFile(Service s) {
        return runDir.resolve("logs").resolve(s.name() + ".log");
    }

    /** The service's process if it is running (and is the one this cluster started: same pid and start time). */
    Optional<ProcessHandle> pid(Service s) {
        Path file = pidFile(s);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            String[] parts = Files.readString(file).trim().split(" ");
            long pid = Long.parseLong(parts[0]);
            long startedMillis = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().startInstant().map(Instant::toEpochMilli).orElse(0L) == startedMillis);
        } catch (IOException | RuntimeException e) {
            log.warn("Unreadable pid file {}", file, e);
            return Optional.empty();
        }
    }

    /** Kills the named services at once (SIGKILL), as a crash would. */
    void kill(List<String> names) {
        for (String name : names) {
            Service s = service(name);
            Optional<ProcessHandle> process = pid(s);
            if (process.isEmpty()) {
                log.info("{} is not running", name);
                continue;
            }
            process.get().destroyForcibly();
            await(process.get(), Duration.ofSeconds(10));
            log.info("Killed {} (pid {})", name, process.get().pid());
        }
    }

    /** Asks every running service to stop, last stage first, and kills what has not stopped after the grace period. */
    void stop() {
        for (int i = stages.size() - 1; i >= 0; i--) {
            stopServices(stages.get(i));
        }
    }

    /**
     * Asks the named services to stop (SIGTERM: an edge drains, a Kafka node shuts down in a controlled
     * way, an engine or streams instance leaves its group), all at once, and waits until they have.
     */
    void stop(List<String> names) {
        stopServices(names.stream().map(this::service).toList());
    }

    private void stopServices(List<Service> services) {
        long started = System.nanoTime();
        List<ProcessHandle> stopping = new ArrayList<>();
        for (Service s : services) {
            pid(s).ifPresent(p -> {
                p.destroy();
                stopping.add(p);
                log.info("Stopping {} (pid {})", s.name(), p.pid());
            });
        }
        for (ProcessHandle p : stopping) {
            if (!await(p, STOP_GRACE)) {
                log.warn("pid {} still running after {} s: killing it", p.pid(), STOP_GRACE.toSeconds());
                p.destroyForcibly();
                await(p, Duration.ofSeconds(10));
            }
        }
        if (!stopping.isEmpty()) {
            log.info("Stopped {} in {} ms", services.stream().map(Service::name).toList(),
                    (System.nanoTime() - started) / 1_000_000);
        }
        for (Service s : services) {
            try {
                Files.deleteIfExists(pidFile(s));
            } catch (IOException e) {
                log.warn("could not delete {}", pidFile(s), e);
            }
        }
    }

    private static boolean await(ProcessHandle p, Duration timeout) {
        try {
            p.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !p.isAlive();
        }
    }

    /** One line per service: name, pid or "stopped", ready or not, and where it serves. */
    List<String> status() {
        List<String> lines = new ArrayList<>();
        for (Service s : services()) {
            Optional<ProcessHandle> p = pid(s);
            String state = p.map(h -> "pid " + h.pid() + (isReady(s) ? ", ready" : ", NOT READY")).orElse("stopped");
            String where = switch (s.kind()) {
                case NGINX -> "http://127.0.0.1:" + s.port() + "/ (ws://127.0.0.1:" + s.port() + "/ws)";
                case REDIS -> "redis://127.0.0.1:" + s.port();
                case KAFKA -> "127.0.0.1:" + s.port() + ", metrics :" + s.metricsPort();
                case EDGE -> "http://127.0.0.1:" + s.port() + "/";
                default -> "metrics http://127.0.0.1:" + s.metricsPort() + "/metrics";
            };
            lines.add(String.format("%-10s %-22s %s", s.name(), state, where));
        }
        return lines;
    }

    /** The last lines of a service's log. */
    String tail(Service s, int lines) {
        try {
            List<String> all = new String(Files.readAllBytes(logFile(s)), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
