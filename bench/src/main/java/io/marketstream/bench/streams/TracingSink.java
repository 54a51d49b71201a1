package io.marketstream.bench.streams;

import java.util.List;
import java.util.Map;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.marketdata.AccountMessage;
import io.marketstream.streams.MarketDataSink;
import io.marketstream.streams.MarketUpdate;

/**
 * The benchmark's view of the stream thread, for finding where an event's latency went: a
 * {@link MarketDataSink} that hands everything to the real one and notes, per market and book
 * sequence, when the stream thread handed over the update that carries it, and when each commit's
 * sink barrier ({@link #flush}, the start of every commit) began and when the stream thread next
 * handed anything over (about when the commit ended, at a steady input rate).
 */
final class TracingSink implements MarketDataSink {
    private final MarketDataSink sink;
    private final Map<String, Integer> marketIndex;
    /** Per market and engine sequence: System.nanoTime() when its delta or trade was handed over. */
    final long[][] handedNanos;
    /** Commit barriers: start, end of the barrier, next hand-over after it (0 until then). */
    final long[][] commits = new long[10_000][3];
    private volatile int commitCount;

    TracingSink(MarketDataSink sink, Map<String, Integer> marketIndex, int capacity) {
        this.sink = sink;
        this.marketIndex = marketIndex;
        this.handedNanos = new long[marketIndex.size()][capacity + 1];
    }

    int commitCount() {
        return commitCount;
    }

    @Override
    public void publish(MarketUpdate update) {
        long now = System.nanoTime();
        resumed(now);
        sink.publish(update);
        Integer m = marketIndex.get(update.market());
        if (m != null) {
            if (update.delta() != null) {
                mark(m, update.delta().lastSeq(), now);
            }
            if (update.trade() != null) {
                mark(m, update.trade().seq(), now);
            }
        }
    }

    private void mark(int market, long seq, long now) {
        if (seq > 0 && seq < handedNanos[market].length) {
            handedNanos[market][(int) seq] = now;
        }
    }

    private void resumed(long now) {
        int c = commitCount;
        if (c > 0 && commits[c - 1][2] == 0) {
            commits[c - 1][2] = now;
        }
    }

    @Override
    public void account(AccountMessage message) {
        resumed(System.nanoTime());
        sink.account(message);
    }

    @Override
    public void markets(MarketCatalog catalog) {
        sink.markets(catalog);
    }

    @Override
    public void flush() {
        long start = System.nanoTime();
        sink.flush();
        int c = commitCount;
        if (c < commits.length) {
            commits[c][0] = start;
            commits[c][1] = System.nanoTime();
            commits[c][2] = 0;
            commitCount = c + 1;
        }
    }

    @Override
    public void maintain() {
        sink.maintain();
    }

    /** The commit barriers that began in [from, to): start, barrier end, resume (nanoTime). */
    List<long[]> commitsBetween(long from, long to) {
        java.util.ArrayList<long[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < commitCount; i++) {
            if (commits[i][0] >= from && commits[i][0] < to) {
                out.add(commits[i].clone());
            }
        }
        return out;
    }
}
