package io.marketstream.bench.loadgen;

import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

/** What a {@link LoadHarness} run measured, as printed and as written with {@code --json}. */
record LoadSummary(String started, Machine machine, Map<String, Object> options, List<Step> steps, Ramp ramp,
                   boolean booksMatch, boolean booksDelivered, String verdict) {

    record Machine(int cores, String jvm, String os, String loadAverageAtStart) {
    }

    /** One measured window at one command rate, then the drain and the book check after it. */
    record Step(int offeredRate, double seconds, String loadAverageBefore, String loadAverageAfter, Traders traders,
                Latency bookLatency, Latency tradeLatency, Stages stages, Delivery delivery, List<ProcessFigures> processes,
                String nodesBusiestThreads, Drain drain, BookCheck check, Boolean sustained, String notSustainedWhy) {
    }

    /** Commands sent in the window; {@code stampLag}: send time minus {@code ts}, the latency figures' bias. */
    record Traders(int traders, long sent, double perSecond, long acked, long failed, long late,
                   double stampLagP50Us, double stampLagP99Us, Map<String, Long> rejections) {
    }

    /** Receive time minus {@code ts}, ms. */
    record Latency(long count, double p50, double p90, double p99, double p999, double max) {
        static Latency of(Histogram h) {
            return new Latency(h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                    h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
        }
    }

    /**
     * The same latency measured earlier along the pipeline ({@link StageProbes}): book-changing events readable on
     * the event topic (Kafka, engine, Kafka), and book deltas published by Redis (that plus the streams job); the
     * first split into the command's acknowledgement by the broker, {@code ts} to the engine's producer, and on
     * to the event being readable.
     */
    record Stages(Latency commandAck, Latency engineIn, Latency engineOut, Latency engineEvent, Latency redisPublish) {
    }

    /**
     * What the clients received in the window (verified book deltas and trades) and what they and the edge
     * counted: connections held at its end, resyncs by cause, snapshots the edge pushed as {@code resync}.
     */
    record Delivery(long bookDeltas, long trades, long tickers, long tradeGaps, double updatesPerSecond, long snapshots,
                    long gapResyncs,
                    long checksumResyncs, long edgeResyncSnapshots, int clients, int connectionsHeld,
                    double edgeConnections, long connectionsClosed, double edgeConflations, double edgeResyncs,
                    Map<String, Double> edgeCloses) {
    }

    /** One process over the window: CPU (seconds, and percent of one core) and resident memory at its end. */
    record ProcessFigures(String process, long pid, double cpuSeconds, double cpuPercentOfCore, double rssMiB,
                          double peakRssMiB) {
    }

    /** After the traders stopped: how long until the engine had taken every command and every book was delivered. */
    record Drain(long engineMs, long clientsMs, long booksBehind) {
    }

    /**
     * Every client's book of every market it follows against the engine's: {@code mismatches} differ from it;
     * {@code behind} were still not verified at the engine's last book change when the drain timeout ran out
     * (late, not compared).
     */
    record BookCheck(long commandsReplayed, boolean replayMatchesEngine, String replayProblem,
                     Map<String, Long> engineBookSeq, Map<String, String> engineDepth, long books, long mismatches,
                     long behind, List<String> mismatchLines) {
    }

    /** The ramp's answer: the highest rate whose step was sustained with p99 within the limit. */
    record Ramp(int subscribers, double p99LimitMs, Integer highestSustainedRate, Integer firstFailedRate,
                String stoppedBecause) {
    }
}
