package io.marketstream.edge;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import io.marketstream.protocol.Json;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with Jetty's WebSocket client
 * (no Selenium or Playwright, which would download browsers of their own). Started on a fresh
 * profile with {@code --remote-debugging-port=0}; the port Chromium picked is read from the profile's
 * {@code DevToolsActivePort}. {@link #close} kills the browser and its children and deletes the
 * profile.
 *
 * <p>The browser is {@code $CHROMIUM} if set, else {@code chromium} (or {@code chromium-browser}) on
 * the PATH, else {@code /usr/bin/chromium}; none of them is a failure that says how to install it, not
 * a skip.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final WebSocketClient client = new WebSocketClient();
    private final Session page;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final List<String> exceptions = new CopyOnWriteArrayList<>();
    private final List<String> console = new CopyOnWriteArrayList<>();

    private HeadlessChromium(Process process, Path profile) throws Exception {
        this.process = process;
        this.profile = profile;
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            await("Chromium writes " + portFile).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("Chromium exited with " + process.exitValue()
                                    + "; its output: " + output());
                        }
                        return Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2;
                    });
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            client.setMaxTextMessageSize(64L * 1024 * 1024);
            client.start();
            // the tab Chromium opened on about:blank, found through the endpoint's HTTP listing
            String listing = httpGet(URI.create("http://127.0.0.1:" + port + "/json/list"));
            String pageUrl = null;
            for (JsonNode target : Json.mapper().readTree(listing)) {
                if ("page".equals(target.path("type").asText())) {
                    pageUrl = target.get("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (pageUrl == null) {
                throw new IllegalStateException("Chromium lists no page target: " + listing);
            }
            this.page = client.connect(new Listener(), URI.create(pageUrl)).get(30, TimeUnit.SECONDS);
            call("Runtime.enable", Map.of());
            call("Page.enable", Map.of());
        } catch (Exception | Error e) {
            closeQuietly();
            throw e;
        }
    }

    /** Starts a headless Chromium, or fails saying how to install one. */
    static HeadlessChromium start() throws Exception {
        String executable = findExecutable();
        Path profile = Files.createTempDirectory("marketstream-chromium-");
        List<String> command = new ArrayList<>(List.of(executable,
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--window-size=1400,900", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "about:blank"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        return new HeadlessChromium(process, profile);
    }

    private static String findExecutable() {
        String fromEnv = System.getenv("CHROMIUM");
        if (fromEnv != null && !fromEnv.isBlank()) {
            if (!new File(fromEnv).canExecute()) {
                throw new AssertionError("$CHROMIUM is " + fromEnv + ", which is not an executable file");
            }
            return fromEnv;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser"}) {
                File candidate = new File(dir, name);
                if (candidate.canExecute()) {
                    return candidate.getPath();
                }
            }
        }
        if (new File("/usr/bin/chromium").canExecute()) {
            return "/usr/bin/chromium";
        }
        throw new AssertionError("No Chromium found (neither $CHROMIUM, chromium on the PATH nor /usr/bin/chromium)."
                + " The page test needs it: install Debian's package with `apt-get install -y chromium`"
                + " (.ci/run does this), or point $CHROMIUM at a Chromium or Chrome binary.");
    }

    private static String httpGet(URI uri) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        return http.send(java.net.http.HttpRequest.newBuilder(uri).timeout(CALL_TIMEOUT).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Public for Jetty's reflective invocation. */
    public final class Listener implements Session.Listener.AutoDemanding {
        @Override
        public void onWebSocketText(String text) {
            JsonNode message;
            try {
                message = Json.mapper().readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (message.has("id")) {
                CompletableFuture<JsonNode> call = calls.remove(message.get("id").asLong());
                if (call != null) {
                    if (message.has("error")) {
                        call.completeExceptionally(new IllegalStateException("CDP error: " + message.get("error")));
                    } else {
                        call.complete(message.get("result"));
                    }
                }
                return;
            }
            String method = message.path("method").asText();
            JsonNode params = message.path("params");
            if (method.equals("Runtime.exceptionThrown")) {
                JsonNode details = params.path("exceptionDetails");
                exceptions.add(details.path("exception").path("description").asText(details.path("text").asText()));
            } else if (method.equals("Runtime.consoleAPICalled")) {
                StringBuilder line = new StringBuilder(params.path("type").asText()).append(':');
                params.path("args").forEach(a -> line.append(' ').append(a.has("value") ? a.get("value").asText()
                        : a.path("description").asText()));
                console.add(line.toString());
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // the browser going away at close(); a call in flight fails by its own timeout
        }
    }

    /** One CDP command on the page; its {@code result}. */
    JsonNode call(String method, Map<String, ?> params) throws Exception {
        long id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        calls.put(id, result);
        ObjectNode message = Json.mapper().createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", Json.mapper().valueToTree(params));
        page.sendText(Json.mapper().writeValueAsString(message), Callback.from(() -> { }, result::completeExceptionally));
        return result.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Loads a URL and waits for its load event. */
    void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
        await("the page " + url + " loads").atMost(CALL_TIMEOUT)
                .until(() -> "complete".equals(evaluate("document.readyState").asText()));
    }

    /**
     * Evaluates a JavaScript expression in the page (promises awaited) and returns its value as JSON;
     * a thrown exception becomes an {@link IllegalStateException} with its description.
     */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        if (result.has("exceptionDetails")) {
            JsonNode details = result.get("exceptionDetails");
            throw new IllegalStateException("page threw on `" + expression + "`: "
                    + details.path("exception").path("description").asText(details.path("text").asText()));
        }
        return result.path("result").path("value");
    }

    /** Saves a PNG of the page (for a person to look at after a run). */
    void screenshot(Path file) throws Exception {
        JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png"));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    /** Uncaught exceptions the page reported so far. */
    List<String> exceptions() {
        return List.copyOf(exceptions);
    }

    /** Console lines the page printed so far ({@code type: args}). */
    List<String> console() {
        return List.copyOf(console);
    }

    /** Chromium's own output so far (for failure messages). */
    String output() {
        try {
            return Files.readString(profile.resolve("chromium.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            client.stop();
        } catch (Exception ignored) {
            // the browser goes anyway
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
