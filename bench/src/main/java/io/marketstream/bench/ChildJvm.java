package io.marketstream.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark's helper JVM (same Java, same class path), driven over its stdin and stdout: one command
 * line in, answer lines out, each answer's first word saying what it is and the rest {@code key=value}
 * pairs ({@link #pairs}). The child's stderr goes to ours. Every line the child prints is echoed with
 * {@code prefix} unless the prefix is null. The child is expected to exit when its stdin closes (its
 * parent died), so that no helper outlives a killed benchmark.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final PrintWriter in;
    private final String prefix;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private String readyLine;

    private ChildJvm(Process process, String prefix) {
        this.process = process;
        this.prefix = prefix;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                lines.add("error " + e);
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code mainClass} with {@code jvmOptions} (space-separated) and {@code args}, and waits (at most
     * {@code readySeconds}) for its line starting with {@code ready}.
     */
    public static ChildJvm start(Class<?> mainClass, String jvmOptions, List<String> args, String prefix,
                                 int readySeconds) throws Exception {
        return start(mainClass, 0, jvmOptions, args, prefix, readySeconds);
    }

    /**
     * Like {@link #start(Class, String, List, String, int)}, the child (every thread of it) running at the
     * scheduling priority {@code niceness} (0 is the usual; 1–19 yield the CPU to the other processes first).
     */
    public static ChildJvm start(Class<?> mainClass, int niceness, String jvmOptions, List<String> args,
                                 String prefix, int readySeconds) throws Exception {
        if (niceness < 0 || niceness > 19) {
            throw new IllegalArgumentException("niceness must be 0..19, not " + niceness);
        }
        List<String> command = new ArrayList<>();
        if (niceness > 0) {
            command.addAll(List.of("nice", "-n", Integer.toString(niceness)));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (jvmOptions != null && !jvmOptions.isBlank()) {
            command.addAll(Arrays.asList(jvmOptions.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ChildJvm child = new ChildJvm(process, prefix);
        try {
            child.readyLine = child.await("ready", readySeconds);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
        return child;
    }

    /** The child's {@code ready …} line. */
    public String readyLine() {
        return readyLine;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a command and returns the first answer line that starts with {@code answer} (at most {@code seconds}). */
    public String ask(String command, String answer, int seconds) throws Exception {
        in.println(command);
        return await(answer, seconds);
    }

    /** Like {@link #ask}, collecting every line before the answer too (the answer last). */
    public List<String> askAll(String command, String answer, int seconds) throws Exception {
        in.println(command);
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = next(answer, seconds, deadline);
            out.add(line);
            if (line.startsWith(answer)) {
                return out;
            }
        }
    }

    /** Waits for the first line starting with {@code answer}; earlier lines are echoed and dropped. */
    public String await(String answer, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = next(answer, seconds, deadline);
            if (line.startsWith(answer)) {
                return line;
            }
        }
    }

    private String next(String answer, int seconds, long deadline) throws InterruptedException {
        String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new IllegalStateException("the child JVM did not answer '" + answer + "' within " + seconds
                    + " s (alive: " + process.isAlive() + ")");
        }
        if (prefix != null) {
            System.out.println(prefix + line);
        }
        return line;
    }

    /**
     * For a child's own shutdown: starts a daemon thread that halts the JVM with exit code 3 and {@code why} if it
     * is still running {@code seconds} from now, so a child stuck closing its connections never outlives its run.
     */
    public static void haltUnlessDoneWithin(int seconds, String why) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println(why);
            Runtime.getRuntime().halt(3);
        }, "quit-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** The {@code key=value} words of an answer line. */
    public static Map<String, String> pairs(String line) {
        Map<String, String> out = new HashMap<>();
        for (String word : line.split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                out.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return out;
    }

    /** Sends {@code quit}, closes stdin and waits up to {@code seconds} for the exit, then kills it. */
    public void close(int seconds) throws InterruptedException {
        in.println("quit");
        in.close();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            System.out.println("!! the child JVM " + process.pid() + " did not exit within " + seconds
                    + " s; killing it and the processes it started");
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        close(30);
    }
}
