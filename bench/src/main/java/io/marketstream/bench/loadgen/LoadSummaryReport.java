package io.marketstream.bench.loadgen;

import java.io.PrintStream;

/** The harness's printed figures: one block per step as it ends, and the summary table at the end. */
final class LoadSummaryReport {
    private LoadSummaryReport() {
    }

    static void printStep(LoadSummary.Step s, PrintStream out) {
        LoadSummary.Traders t = s.traders();
        LoadSummary.Latency b = s.bookLatency();
        LoadSummary.Latency tr = s.tradeLatency();
        LoadSummary.Delivery d = s.delivery();
        out.printf("-- %d commands/s offered over %.1f s (load average %s -> %s)%n", s.offeredRate(), s.seconds(),
                s.loadAverageBefore(), s.loadAverageAfter());
        out.printf("traders: %d sent (%.0f/s), %d acknowledged, %d failed, %d late by > 100 ms; send time - ts p50 %.0f us, "
                        + "p99 %.0f us; rejections %s%n", t.sent(), t.perSecond(), t.acked(), t.failed(), t.late(),
                t.stampLagP50Us(), t.stampLagP99Us(), t.rejections());
        out.printf("LATENCY command-to-client (book deltas): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, "
                + "max %.2f ms (%d deltas)%n", b.p50(), b.p90(), b.p99(), b.p999(), b.max(), b.count());
        out.printf("        trades: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d trades)%n", tr.p50(), tr.p99(), tr.max(),
                tr.count());
        LoadSummary.Latency e = s.stages().engineEvent();
        LoadSummary.Latency r = s.stages().redisPublish();
        out.printf("        stages: engine event readable p50 %.2f / p99 %.2f / max %.2f ms (%d); Redis publish p50 %.2f / "
                        + "p99 %.2f / max %.2f ms (%d)%n", e.p50(), e.p99(), e.max(), e.count(), r.p50(), r.p99(), r.max(),
                r.count());
        out.printf("        first leg: command acknowledged p50 %.2f / p99 %.2f ms; ts to the engine's producer p50 %.2f / "
                        + "p99 %.2f ms (±1); on to readable p50 %.2f / p99 %.2f ms%n", s.stages().commandAck().p50(),
                s.stages().commandAck().p99(), s.stages().engineIn().p50(), s.stages().engineIn().p99(),
                s.stages().engineOut().p50(), s.stages().engineOut().p99());
        out.printf("DELIVERED %.0f updates/s (%d book deltas, %d trades, %d tickers); trade gap notices %d; snapshots %d "
                        + "(edge resync %d); client resyncs: gap %d, checksum %d; connections held %d of %d (edge counts %.0f), closed %d; edge conflations "
                        + "+%.0f, resyncs +%.0f, closes %s%n", d.updatesPerSecond(), d.bookDeltas(), d.trades(),
                d.tickers(), d.tradeGaps(), d.snapshots(), d.edgeResyncSnapshots(), d.gapResyncs(), d.checksumResyncs(), d.connectionsHeld(),
                d.clients(), d.edgeConnections(), d.connectionsClosed(), d.edgeConflations(), d.edgeResyncs(),
                d.edgeCloses());
        for (LoadSummary.ProcessFigures p : s.processes()) {
            out.printf("CPU %-42s %6.2f s = %5.1f%% of a core; RSS %7.1f MiB (peak %.1f)%n", p.process(),
                    p.cpuSeconds(), p.cpuPercentOfCore(), p.rssMiB(), p.peakRssMiB());
        }
        out.printf("nodes and edge JVM threads by CPU: %s%n", s.nodesBusiestThreads());
        out.printf("drain: engine done %d ms after the traders stopped, every book delivered %d ms later (%d behind)%n",
                s.drain().engineMs(), s.drain().clientsMs(), s.drain().booksBehind());
        LoadSummary.BookCheck c = s.check();
        out.printf("BOOKS %d client books checked against the engine's (replay of %d commands %s; book at %s, %s): "
                        + "%d mismatches, %d behind (not delivered within the drain timeout)%n", c.books(), c.commandsReplayed(),
                c.replayMatchesEngine() ? "= the engine's events" : "DIFFERS from the engine's events: " + c.replayProblem(),
                c.engineBookSeq(), c.engineDepth(), c.mismatches(), c.behind());
        c.mismatchLines().forEach(l -> out.println("  " + l));
        if (s.sustained() != null) {
            out.println(s.sustained() ? "step sustained" : "step NOT sustained: " + s.notSustainedWhy());
        }
    }

    static void print(LoadSummary summary, PrintStream out) {
        out.printf("%n==== summary (%s; %d cores, %s; load average at start %s)%n", summary.started(),
                summary.machine().cores(), summary.machine().jvm(), summary.machine().loadAverageAtStart());
        out.printf("%-8s %8s %8s | %7s %7s %8s %8s | %9s %9s | %9s %5s %6s %6s | %-12s %-12s %-12s | %s%n", "offered",
                "sent/s", "acked", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "event p99", "redis p99", "updates/s",
                "conns", "resync", "gaps",
                "nodes CPU", "clients CPU", "edge CPU", "books (mismatches, behind)");
        for (LoadSummary.Step s : summary.steps()) {
            LoadSummary.Delivery d = s.delivery();
            out.printf("%-8d %8.0f %8d | %7.2f %7.2f %8.2f %8.2f | %9.2f %9.2f | %9.0f %5d %6d %6d | %-12s %-12s %-12s "
                            + "| %d (%d, %d)%s%n",
                    s.offeredRate(), s.traders().perSecond(), s.traders().acked(), s.bookLatency().p50(),
                    s.bookLatency().p99(), s.bookLatency().p999(), s.bookLatency().max(), s.stages().engineEvent().p99(),
                    s.stages().redisPublish().p99(), d.updatesPerSecond(),
                    d.connectionsHeld(), d.gapResyncs() + d.checksumResyncs() + d.edgeResyncSnapshots(), d.gapResyncs(),
                    cpu(s, "nodes"), cpu(s, "clients"), cpu(s, "edge"), s.check().books(), s.check().mismatches(), s.check().behind(),
                    s.sustained() == null ? "" : s.sustained() ? "  sustained" : "  NOT sustained");
        }
        out.println("(latency: command submission to receipt, ms; event/redis p99: the same to the engine event and to "
                + "the Redis publication; CPU: % of one core / RSS MiB at the end of the window; resync: client resyncs "
                + "plus snapshots the edge pushed)");
        if (summary.ramp() != null) {
            LoadSummary.Ramp r = summary.ramp();
            out.printf("RAMP with %d subscribers: highest sustained rate with p99 <= %.0f ms: %s commands/s; stopped: %s%n",
                    r.subscribers(), r.p99LimitMs(), r.highestSustainedRate() == null ? "none" : r.highestSustainedRate(),
                    r.stoppedBecause());
        }
        out.println("VERDICT " + summary.verdict());
    }

    /** CPU and RSS of the process whose name starts with {@code name} ("-" if none). */
    private static String cpu(LoadSummary.Step s, String name) {
        return s.processes().stream().filter(p -> p.process().startsWith(name)).findFirst()
                .map(p -> String.format("%.0f%%/%.0fM", p.cpuPercentOfCore(), p.rssMiB())).orElse("-");
    }
}
