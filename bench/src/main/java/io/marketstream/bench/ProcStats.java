package io.marketstream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the benchmarks read about processes and the machine: CPU time and resident memory of any process
 * (from Linux's {@code /proc}), the load average, and CPU time per thread of this JVM. Off Linux the
 * {@code /proc} figures are 0 (or "?"), never an exception: a benchmark prints what it can.
 */
public final class ProcStats {
    /** Clock ticks per second of {@code /proc/<pid>/stat}'s times ({@code getconf CLK_TCK}; 100 on Linux). */
    private static final long USER_HZ = 100;

    private ProcStats() {
    }

    /** The 1, 5 and 15 minute load averages, as {@code /proc/loadavg} gives them. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** User plus system CPU time of a process (all its threads), in ns; 0 if it cannot be read. */
    public static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / USER_HZ);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** This JVM's CPU time in ns (finer than {@link #cpuNanos(long)}'s clock ticks). */
    public static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Resident memory of a process now ({@code VmRSS}), in bytes; 0 if it cannot be read. */
    public static long rssBytes(long pid) {
        return statusBytes(pid, "VmRSS:");
    }

    /** The largest resident memory the process has had ({@code VmHWM}), in bytes; 0 if it cannot be read. */
    public static long peakRssBytes(long pid) {
        return statusBytes(pid, "VmHWM:");
    }

    private static long statusBytes(long pid, String field) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(field))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElse(0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The child processes of {@code parent} whose command line contains {@code name}. */
    public static List<ProcessHandle> children(long parent, String name) {
        return ProcessHandle.of(parent).stream().flatMap(ProcessHandle::children)
                .filter(p -> p.info().command().map(c -> c.contains(name)).orElse(false)).toList();
    }

    /** CPU time of each live thread of this JVM, in ns, by {@code id/name}. */
    public static Map<String, Long> threadCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            var info = threads.getThreadInfo(id);
            long cpu = threads.getThreadCpuTime(id);
            if (info != null && cpu >= 0) {
                out.put(id + "/" + info.getThreadName(), cpu);
            }
        }
        return out;
    }

    /** CPU used since {@code before} ({@link #threadCpu()}), per thread name with its digits made {@code #} (pools summed). */
    public static Map<String, Long> threadCpuSince(Map<String, Long> before) {
        Map<String, Long> out = new HashMap<>();
        threadCpu().forEach((key, cpu) -> {
            String name = key.substring(key.indexOf('/') + 1).replaceAll("\\d+", "#");
            out.merge(name, cpu - before.getOrDefault(key, 0L), Long::sum);
        });
        return out;
    }

    /** The {@code n} busiest of {@code threads} (ns), as "name 42%" of a core over {@code seconds}. */
    public static String topThreads(Map<String, Long> threads, double seconds, int n) {
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(threads.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Long> e : sorted.subList(0, Math.min(n, sorted.size()))) {
            out.append(String.format("%s%s %.0f%%", out.length() == 0 ? "" : ", ", e.getKey(),
                    100.0 * e.getValue() / 1e9 / seconds));
        }
        return out.toString();
    }
}
