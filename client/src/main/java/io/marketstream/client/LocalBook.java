package io.marketstream.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;

/**
 * One market's book as the client holds it, verified message by message: a delta counts only if its
 * {@code U} is the previous {@code u + 1}, and every message (snapshot or delta) only if the book's
 * checksum after applying it equals {@code cs}. A failed check empties the book and leaves it waiting
 * for a snapshot. Thread-safe: every method holds the instance's monitor, so a reader sees the book
 * between two messages, never inside one.
 */
final class LocalBook {
    /** What {@link #apply} did with a message. */
    enum Outcome {
        /** Verified and applied. */
        APPLIED,
        /** A delta while waiting for a snapshot (the tail of a subscription being replaced): not used. */
        IGNORED,
        /** A check failed; the book is now empty and waits for a snapshot ({@link #problem()} says why). */
        FAILED
    }

    private final MarketSpec spec;
    private final Channels.BookView view;
    private final L2Book book;
    private long u = -1;
    private long ts;
    private String problem;

    LocalBook(MarketSpec spec, Channels.BookView view) {
        this.spec = spec;
        this.view = view;
        this.book = new L2Book(spec);
    }

    Channels.BookView view() {
        return view;
    }

    synchronized Outcome apply(BookMessage message) {
        problem = null;
        if (!message.isSnapshot()) {
            if (u < 0) {
                return Outcome.IGNORED;
            }
            if (message.firstSeq() != u + 1) {
                return fail("sequence gap: expected U=" + (u + 1) + ", got U=" + message.firstSeq()
                        + " (u=" + message.lastSeq() + ")");
            }
        }
        try {
            if (message.isSnapshot()) {
                book.replace(message.bids(), message.asks());
            } else {
                book.apply(message.bids(), message.asks());
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            return fail("unreadable levels at u=" + message.lastSeq() + ": " + e);
        }
        long checksum = book.checksum();
        if (checksum != message.checksum()) {
            return fail("checksum mismatch at u=" + message.lastSeq() + ": book has " + checksum + ", message says "
                    + message.checksum());
        }
        u = message.lastSeq();
        ts = message.ts();
        return Outcome.APPLIED;
    }

    private Outcome fail(String why) {
        problem = why;
        reset();
        return Outcome.FAILED;
    }

    /** Empties the book; the next snapshot starts it again. */
    synchronized void reset() {
        u = -1;
        ts = 0;
        book.replace(List.of(), List.of());
    }

    /** Why the last {@link #apply} failed. */
    synchronized String problem() {
        return problem;
    }

    /** The sequence the book is verified at, or -1 while it waits for a snapshot. */
    synchronized long sequence() {
        return u;
    }

    synchronized NavigableMap<Long, Long> levels(Side side) {
        return book.copyOf(side);
    }

    /** A consistent copy of the best {@code depth} levels of each side ({@code depth <= 0}: all). */
    synchronized OrderBookView snapshot(int depth) {
        return new OrderBookView(spec, u, ts, top(Side.BUY, depth), top(Side.SELL, depth));
    }

    private List<OrderBookView.Level> top(Side side, int depth) {
        NavigableMap<Long, Long> levels = book.view(side);
        int n = depth <= 0 ? levels.size() : Math.min(depth, levels.size());
        List<OrderBookView.Level> out = new ArrayList<>(n);
        for (Map.Entry<Long, Long> e : levels.entrySet()) {
            if (out.size() == n) {
                break;
            }
            out.add(new OrderBookView.Level(e.getKey(), e.getValue()));
        }
        return out;
    }
}
