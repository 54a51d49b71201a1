package io.marketstream.embedded;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * A real {@code redis-server} child process on a free loopback port: the {@code redis-server} on
 * the PATH if there is one, else the Linux/macOS binary that the {@code embedded-redis} Maven
 * package ships. Persistence is off; the working directory is a temporary one.
 *
 * <p>{@link #start} returns once the server answers {@code PING}, or throws an
 * {@link IllegalStateException} with the server's own output after a bounded time. {@link #stop}
 * and {@link #restart} keep the port, so fault tests can take Redis away and bring it back.
 */
public final class EmbeddedRedis implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final File executable;
    private final Path workDir;
    private final int port;
    private final Thread shutdownHook;
    private final CountDownLatch closed = new CountDownLatch(1);
    private Process process;

    private EmbeddedRedis(File executable, Path workDir, int port) {
        this.executable = executable;
        this.workDir = workDir;
        this.port = port;
        this.shutdownHook = new Thread(this::closeAtExit, "embedded-redis-shutdown");
    }

    /** Starts a server on a free port. */
    public static EmbeddedRedis start() {
        File executable = findExecutable();
        Path dir;
        try {
            dir = Files.createTempDirectory("marketstream-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary directory for Redis", e);
        }
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            EmbeddedRedis redis = new EmbeddedRedis(executable, dir, FreePorts.pick());
            try {
                redis.launch();
                Runtime.getRuntime().addShutdownHook(redis.shutdownHook);
                return redis;
            } catch (IllegalStateException e) {
                last = e;
                log.warn("redis-server failed to start (attempt {} of 3)", attempt, e);
            }
        }
        throw last;
    }

    /** The {@code redis-server} on the PATH, else the one shipped in the embedded-redis jar. */
    public static File findExecutable() {
        try {
            File onPath = ExecutableProvider.newExecutableInPath("redis-server").get();
            log.info("Using redis-server from PATH: {}", onPath);
            return onPath;
        } catch (FileNotFoundException notOnPath) {
            try {
                File shipped = ExecutableProvider.newJarResourceProvider().get();
                shipped.setExecutable(true);
                log.info("No redis-server on PATH; using the binary shipped by embedded-redis: {}", shipped);
                return shipped;
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("No redis-server on PATH and no shipped binary for this OS/arch ("
                        + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                        + "). Install Redis (e.g. apt-get install redis-server) or pass --redis redis://host:port.", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code redis://127.0.0.1:port}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the server abruptly (SIGKILL), as a crash would; the port stays reserved for {@link #restart}. */
    public synchronized void stop() {
        destroyProcess();
    }

    /** Starts the server again on the same port, with an empty data set (persistence is off). */
    public synchronized void restart() {
        destroyProcess();
        launch();
    }

    private synchronized void launch() {
        Path logFile = workDir.resolve("redis-" + port + ".log");
        List<String> command = List.of(executable.getAbsolutePath(),
                "--port", String.valueOf(port),
                "--bind", "127.0.0.1",
                "--protected-mode", "no",
                "--save", "",
                "--appendonly", "no",
                "--dir", workDir.toString(),
                "--logfile", "");
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + executable, e);
        }
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue()
                        + " on port " + port + ": " + tail(logFile));
            }
            if (answersPing()) {
                log.info("redis-server ready at {} (pid {})", uri(), process.pid());
                return;
            }
            sleep(50);
        }
        destroyProcess();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within "
                + READY_TIMEOUT.toSeconds() + " s: " + tail(logFile));
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path logFile) {
        try {
            String text = Files.readString(logFile);
            return text.length() > 2_000 ? text.substring(text.length() - 2_000) : text;
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    private synchronized void destroyProcess() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                log.warn("redis-server pid {} did not exit within 10 s", process.pid());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * At JVM exit, never leave an orphan redis-server behind; but give the owner's own shutdown
     * (which stops its Redis clients first, then calls {@link #close}) a few seconds to go first.
     */
    private void closeAtExit() {
        try {
            closed.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        destroyProcess();
    }

    /** Stops the server and deletes its working directory. Idempotent. */
    @Override
    public void close() {
        closed.countDown();
        destroyProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run; nothing to remove
        }
        EmbeddedKafka.deleteRecursively(workDir);
    }
}
