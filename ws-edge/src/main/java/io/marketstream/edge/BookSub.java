package io.marketstream.edge;

import java.util.TreeSet;

/**
 * A connection's subscription to a book view. Besides the last {@code u} it was sent, it holds what it
 * still owes the client: the prices that changed since (while the connection lagged, or on a resume), or
 * a snapshot to send. Guarded by the book topic's monitor.
 */
final class BookSub extends ChannelSub {
    final BookView view;
    final TreeSet<Long> pendingBids = new TreeSet<>();
    final TreeSet<Long> pendingAsks = new TreeSet<>();
    /** A snapshot is owed (with {@link #snapshotReason}, null for the first one). */
    boolean wantsSnapshot;
    String snapshotReason;
    /** A resume is reading Redis history: send nothing until it is done. */
    boolean catchingUp;

    BookSub(Connection connection, BookView view) {
        super(connection, view.key().name(), "book");
        this.view = view;
    }

    @Override
    Topic topic() {
        return view.topic();
    }

    boolean hasPending() {
        return !pendingBids.isEmpty() || !pendingAsks.isEmpty();
    }

    void addPending(long[] bids, long[] asks) {
        for (long p : bids) {
            pendingBids.add(p);
        }
        for (long p : asks) {
            pendingAsks.add(p);
        }
    }

    int pendingLevels() {
        return pendingBids.size() + pendingAsks.size();
    }

    void clearPending() {
        pendingBids.clear();
        pendingAsks.clear();
    }

    void owesSnapshot(String reason) {
        clearPending();
        wantsSnapshot = true;
        snapshotReason = reason;
    }
}
