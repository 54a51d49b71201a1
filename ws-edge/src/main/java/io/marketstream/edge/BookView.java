package io.marketstream.edge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookChecksum;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;

/**
 * One view of a market's book (a depth and a cadence) and its subscribers on this node. Its state is
 * always the top {@code depth} levels of the node's copy of the book; what it sends are deltas of that
 * state:
 * <ul>
 *   <li>a level that enters the view is sent with its quantity, one that leaves it (removed, or pushed
 *       below the depth) with quantity 0, so a client's book is exactly the view;</li>
 *   <li>{@code U} is always the previous message's {@code u + 1} and {@code u} the upstream sequence the
 *       view is at; changes outside the view send nothing, so a range may cover many events;</li>
 *   <li>{@code cs} is {@link BookChecksum} of the view (over its top {@code min(depth, 25)} levels);</li>
 *   <li>raw views send at each upstream message, timed views merge the changed prices over their window
 *       and send once per tick (lossless: levels carry absolute quantities).</li>
 * </ul>
 * Each message is encoded once and the same bytes go to every subscriber in step with the view; a
 * subscriber that is not (it joined, resumed, or lags) gets its own message built from the same state.
 * Guarded by the topic's monitor.
 */
final class BookView {
    private final BookTopic topic;
    private final Channels.BookView key;
    private final MarketSpec spec;
    private final L2Book book;
    /** The view's levels when depth-limited (null for the full book, which is the topic's copy itself). */
    private final NavigableMap<Long, Long> bids;
    private final NavigableMap<Long, Long> asks;
    private final TreeSet<Long> dirtyBids;
    private final TreeSet<Long> dirtyAsks;
    private final List<BookSub> subs = new ArrayList<>();
    /** The {@code u} of the last message sent to the subscribers in step. */
    private long lastU;

    BookView(BookTopic topic, Channels.BookView key) {
        this.topic = topic;
        this.key = key;
        this.spec = topic.spec();
        this.book = topic.book();
        this.bids = key.depth() == 0 ? null : new TreeMap<>(Collections.reverseOrder());
        this.asks = key.depth() == 0 ? null : new TreeMap<>();
        this.dirtyBids = new TreeSet<>(Collections.reverseOrder());
        this.dirtyAsks = new TreeSet<>();
    }

    Channels.BookView key() {
        return key;
    }

    BookTopic topic() {
        return topic;
    }

    List<BookSub> subs() {
        return subs;
    }

    /** Re-reads the view from the topic's book (after a (re)load); nothing is owed to anyone for it. */
    void reset() {
        dirtyBids.clear();
        dirtyAsks.clear();
        lastU = topic.u();
        if (bids != null) {
            refill(bids, book.view(Side.BUY));
            refill(asks, book.view(Side.SELL));
        }
    }

    private void refill(NavigableMap<Long, Long> view, NavigableMap<Long, Long> side) {
        view.clear();
        for (Map.Entry<Long, Long> e : side.entrySet()) {
            if (view.size() == key.depth()) {
                break;
            }
            view.put(e.getKey(), e.getValue());
        }
    }

    /**
     * One upstream message to fan out: its bytes as they go on the wire (as published, or a merge of several),
     * the sequences it covers, the prices it changed and its {@code ts}.
     */
    record Upstream(long firstSeq, long lastSeq, long[] bidPrices, long[] askPrices, long ts, byte[] bytes) {
    }

    /**
     * The topic's book changed (already applied) by the upstream messages {@code upstream}, in order, which together
     * cover {@code firstSeq} to the topic's {@code u} and changed {@code bidPrices} and {@code askPrices}. A view of
     * the upstream channel itself (full depth, raw) sends each of them as it is, one frame each, in one fan-out
     * round: queued together, they share each connection's write. A derived view sends one delta of its own
     * (raw) or keeps the prices for its next tick (timed): it only sees the book as it is after the last.
     */
    void changed(long firstSeq, long[] bidPrices, long[] askPrices, List<Upstream> upstream) {
        if (key.isUpstream()) {
            deliver(upstream, bidPrices, askPrices);
            return;
        }
        if (bids == null) {
            for (long p : bidPrices) {
                dirtyBids.add(p);
            }
            for (long p : askPrices) {
                dirtyAsks.add(p);
            }
        } else {
            update(bids, book.view(Side.BUY), bidPrices, dirtyBids);
            update(asks, book.view(Side.SELL), askPrices, dirtyAsks);
        }
        if (key.cadence() == Channels.Cadence.RAW) {
            emit();
        }
    }

    /** Keeps {@code view} the best {@code depth} levels of {@code side}, noting each price whose view quantity changed. */
    private void update(NavigableMap<Long, Long> view, NavigableMap<Long, Long> side, long[] prices, TreeSet<Long> dirty) {
        int depth = key.depth();
        // the window as it was: all of the side's levels down to its worst, or all levels if it was not full
        // (deciding against the view as it changes would let a deep level in while the view is short)
        boolean wasFull = view.size() >= depth;
        long boundary = wasFull ? view.lastKey() : 0;
        boolean buy = view == bids;
        for (long p : prices) {
            boolean inside = !wasFull || (buy ? p >= boundary : p <= boundary);
            if (!inside) {
                continue;
            }
            Long qty = side.get(p);
            if (qty == null) {
                if (view.remove(p) != null) {
                    dirty.add(p);
                }
            } else {
                view.put(p, qty);
                dirty.add(p);
            }
        }
        while (view.size() > depth) {
            dirty.add(view.pollLastEntry().getKey());
        }
        while (view.size() < depth) {
            Long next = view.isEmpty() ? (side.isEmpty() ? null : side.firstKey()) : side.higherKey(view.lastKey());
            if (next == null) {
                break;
            }
            view.put(next, side.get(next));
            dirty.add(next);
        }
    }

    /** Sends the merged changes to the subscribers, if any visible level changed (raw: now; timed: each tick). */
    void emit() {
        if (dirtyBids.isEmpty() && dirtyAsks.isEmpty()) {
            return;
        }
        long firstSeq = lastU + 1;
        long[] bidPrices = toArray(dirtyBids);
        long[] askPrices = toArray(dirtyAsks);
        dirtyBids.clear();
        dirtyAsks.clear();
        BookMessage message = new BookMessage(key.name(), BookMessage.DELTA, firstSeq, topic.u(),
                levels(Side.BUY, bidPrices), levels(Side.SELL, askPrices), checksum(), topic.ts());
        deliver(List.of(new Upstream(firstSeq, topic.u(), bidPrices, askPrices, topic.ts(), Json.writeBytes(message))),
                bidPrices, askPrices);
    }

    /**
     * Sends messages that follow each other ({@code batch}, the last ending at the topic's {@code u}; together they
     * changed {@code bidPrices} and {@code askPrices}) to every subscriber in step with the view: the same bytes to
     * each, every message as a frame of its own, in order. A subscriber that is not in step (it joined, resumed or
     * owes a snapshot), or whose connection lags (before the batch or in the middle of it), is instead owed every
     * price of the batch and gets one delta built from the view's state (now, or once it caught up): the book is
     * already at the batch's end, so only such a delta, to the topic's {@code u} with all of the batch's prices,
     * leaves its book right.
     */
    private void deliver(List<Upstream> batch, long[] bidPrices, long[] askPrices) {
        Upstream last = batch.get(batch.size() - 1);
        long firstSeq = batch.get(0).firstSeq();
        lastU = last.lastSeq();
        topic.hub().metrics().fannedOut(last.ts());
        FanoutRound round = topic.round();
        subscribers:
        for (BookSub sub : subs) {
            if (sub.catchingUp) {
                continue;
            }
            Outbox out = sub.connection.outbox();
            int sent = 0;
            if (!sub.wantsSnapshot && !sub.hasPending() && sub.lastSeq == firstSeq - 1) {
                for (; sent < batch.size() && !out.isLagging(); sent++) {
                    Upstream message = batch.get(sent);
                    if (!out.send(message.bytes(), sub.type, round)) {
                        continue subscribers;
                    }
                    sub.lastSeq = message.lastSeq();
                }
            }
            if (sent == batch.size()) {
                continue;
            }
            if (out.isLagging()) {
                if (!sub.wantsSnapshot) {
                    sub.addPending(bidPrices, askPrices);
                    topic.hub().metrics().conflated();
                    if (sub.pendingLevels() > topic.hub().config().maxConflatedLevels()) {
                        sub.owesSnapshot(BookMessage.RESYNC_SLOW_CONSUMER);
                    }
                }
            } else {
                sub.addPending(bidPrices, askPrices);
                flush(sub);
            }
        }
    }

    /**
     * Sends a subscriber what it is owed, from the view's current state: a snapshot, or one delta of the
     * prices changed since its last message (plus those the view has not sent yet), from its {@code u + 1}
     * to the topic's {@code u}.
     */
    void flush(BookSub sub) {
        if (sub.wantsSnapshot) {
            sendSnapshot(sub, sub.snapshotReason);
            return;
        }
        if (sub.lastSeq >= topic.u()) {
            sub.clearPending();
            return;
        }
        TreeSet<Long> bidPrices = new TreeSet<>(Collections.reverseOrder());
        bidPrices.addAll(sub.pendingBids);
        bidPrices.addAll(dirtyBids);
        TreeSet<Long> askPrices = new TreeSet<>(sub.pendingAsks);
        askPrices.addAll(dirtyAsks);
        BookMessage message = new BookMessage(key.name(), BookMessage.DELTA, sub.lastSeq + 1, topic.u(),
                levels(Side.BUY, toArray(bidPrices)), levels(Side.SELL, toArray(askPrices)), checksum(), topic.ts());
        if (sub.connection.outbox().send(Json.writeBytes(message), sub.type)) {
            sub.lastSeq = topic.u();
            sub.clearPending();
        }
    }

    /** Sends the view's current state as a snapshot; {@code reason} non-null marks it as a resync. */
    void sendSnapshot(BookSub sub, String reason) {
        List<PriceLevel> bidLevels = bids == null ? book.levels(Side.BUY, Integer.MAX_VALUE) : format(bids);
        List<PriceLevel> askLevels = asks == null ? book.levels(Side.SELL, Integer.MAX_VALUE) : format(asks);
        BookMessage message = new BookMessage(key.name(), BookMessage.SNAPSHOT, topic.u(), topic.u(), bidLevels,
                askLevels, checksum(), topic.ts(), reason);
        sub.clearPending();
        sub.wantsSnapshot = false;
        sub.snapshotReason = null;
        if (sub.connection.outbox().send(Json.writeBytes(message), sub.type)) {
            sub.lastSeq = topic.u();
            if (reason != null) {
                topic.hub().metrics().resynced();
            }
        }
    }

    private List<PriceLevel> levels(Side side, long[] prices) {
        NavigableMap<Long, Long> state = side == Side.BUY ? (bids == null ? book.view(Side.BUY) : bids)
                : (asks == null ? book.view(Side.SELL) : asks);
        List<PriceLevel> out = new ArrayList<>(prices.length);
        for (long p : prices) {
            Long qty = state.get(p);
            out.add(new PriceLevel(spec.formatPrice(p), spec.formatQty(qty == null ? 0 : qty)));
        }
        return out;
    }

    private List<PriceLevel> format(NavigableMap<Long, Long> levels) {
        List<PriceLevel> out = new ArrayList<>(levels.size());
        levels.forEach((p, q) -> out.add(new PriceLevel(spec.formatPrice(p), spec.formatQty(q))));
        return out;
    }

    /** The checksum of the view as it is now. */
    long checksum() {
        if (bids == null || key.depth() >= BookChecksum.DEPTH) {
            return book.checksum();
        }
        return BookChecksum.of(format(bids), format(asks));
    }

    /** The prices, in the set's order. */
    static long[] toArray(TreeSet<Long> prices) {
        long[] out = new long[prices.size()];
        int i = 0;
        for (long p : prices) {
            out[i++] = p;
        }
        return out;
    }
}
