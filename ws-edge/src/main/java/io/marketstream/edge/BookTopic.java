package io.marketstream.edge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.marketdata.BookMessage;
import io.marketstream.protocol.marketdata.BookMessageReader;
import io.marketstream.protocol.marketdata.L2Book;
import io.marketstream.protocol.marketdata.PriceLevel;

/**
 * A market's book on this node: a copy kept from the upstream channel {@code book.<market>} (the Redis
 * snapshot, then every delta, each checked: {@code U} must follow the copy's {@code u}, and after applying
 * it the copy's checksum must equal {@code cs}), and the {@link BookView}s clients subscribed to.
 *
 * <p>Subscribing never opens a window where an update is lost: the Redis subscription is confirmed
 * before the snapshot is read, messages arriving meanwhile are held and applied after it (those not newer
 * than the snapshot dropped), and every later subscriber's snapshot is taken from the copy under the same
 * monitor that applies the deltas.
 *
 * <p>Recovery: a delta that does not follow, or a Redis reconnect, makes the topic read the history after
 * its {@code u} and apply it; if the history does not reach back (or a checksum disagrees), it reloads the
 * snapshot and sends every subscriber a snapshot marked {@code resync}. The last {@value #RECENT} changes
 * are kept in memory so that a client resuming on this node usually needs no Redis read.
 *
 * <p>Behind: when the inbox held several deltas at once (the node fell behind the publisher), each is
 * still checked and applied to the copy in order, and they go out in one fan-out round, each as published,
 * byte for byte, one frame each: queued together, a connection's frames share one write, so the cost of being
 * behind is bytes, not writes. If more than {@value #MAX_MESSAGES_PER_ROUND} waited, the oldest are first merged
 * into one delta: {@code U} of the first, {@code u}, {@code ts} and {@code cs} of the last merged (the copy was
 * checked against that {@code cs}), every price any of them changed with its quantity after the last merged (0
 * if gone). Levels carry absolute quantities, so a client applying it ends with the same book as one applying
 * each delta; the cap bounds what a round adds per connection while the node catches up. A delta that arrives
 * alone (the node keeps up) goes out as published too. Merges are counted as
 * {@code marketstream_edge_merged_deltas_total}. Views other than the upstream channel's own (a depth, a cadence)
 * see the book only after the batch and send one delta of their own for it.
 */
final class BookTopic extends Topic {
    private static final Logger log = LoggerFactory.getLogger(BookTopic.class);
    static final int RECENT = 4096;

    private final MarketSpec spec;
    private final L2Book book;
    private long u;
    private long ts;
    private final Map<Channels.BookView, BookView> views = new HashMap<>();
    /** Changed prices of the latest upstream messages, oldest first. */
    private final ArrayDeque<Change> recent = new ArrayDeque<>();
    /** Subscribers that arrived before the topic went live, with their resume position (null for none). */
    private final Map<BookSub, Long> waiting = new HashMap<>();
    private boolean reloadNeeded;
    private ScheduledFuture<?> ticker;
    private long ticks;

    private record Change(long firstSeq, long lastSeq, long[] bids, long[] asks) {
    }

    /** The fan-out under way (under the monitor), else null. */
    private FanoutRound fanning;
    /** Deltas applied to the copy and not yet fanned out, while {@link #receive(List)} takes a batch (else null). */
    private Run run;

    /**
     * At most this many messages per fan-out round when the topic is behind: the deltas that waited in the inbox
     * go out as published, one frame each, but if there are more than this, the oldest of them are merged into one
     * first. A round's frames share each connection's write, so a message costs its bytes, not a write; the cap
     * bounds the bytes (and the client's work) a round adds per connection while the latest delta still goes out
     * as it is.
     */
    static final int MAX_MESSAGES_PER_ROUND = 16;

    /** The deltas of one batch from the inbox, applied to the copy in order, not yet fanned out. */
    private static final class Run {
        /** How many of the run's first deltas go out merged into one (0: none). */
        final int mergeFirst;
        int count;
        long firstSeq;
        /** Every price the run changed (for the derived views, which see only the book at its end). */
        final TreeSet<Long> bids = new TreeSet<>(Collections.reverseOrder());
        final TreeSet<Long> asks = new TreeSet<>();
        /** The prices the merged first deltas changed, until they are merged. */
        final TreeSet<Long> mergedBids = new TreeSet<>(Collections.reverseOrder());
        final TreeSet<Long> mergedAsks = new TreeSet<>();
        /** The messages for the views of the upstream channel itself, in order. */
        final List<BookView.Upstream> out = new ArrayList<>();
        /** The first delta as published (goes out as it is if the merge is cut short after it). */
        BookView.Upstream first;

        Run(int mergeFirst) {
            this.mergeFirst = mergeFirst;
        }
    }

    BookTopic(ChannelHub hub, MarketSpec spec) {
        super(hub, Channels.book(spec.symbol()));
        this.spec = spec;
        this.book = new L2Book(spec);
    }

    MarketSpec spec() {
        return spec;
    }

    L2Book book() {
        return book;
    }

    long u() {
        return u;
    }

    long ts() {
        return ts;
    }

    ChannelHub hub() {
        return hub;
    }

    /** Adds a subscriber of a view; it gets a snapshot, or what it missed after {@code since}. Under the monitor. */
    BookSub add(Connection connection, Channels.BookView key, Long since) {
        BookView view = views.get(key);
        if (view == null) {
            view = new BookView(this, key);
            views.put(key, view);
            if (state != State.STARTING) {
                view.reset();
            }
            if (key.cadence() != Channels.Cadence.RAW && ticker == null) {
                ticker = hub.timer().scheduleAtFixedRate(this::tick, 100, 100, TimeUnit.MILLISECONDS);
            }
        }
        BookSub sub = new BookSub(connection, view);
        view.subs().add(sub);
        if (state == State.STARTING) {
            waiting.put(sub, since);
        } else {
            serve(sub, since);
        }
        return sub;
    }

    private void serve(BookSub sub, Long since) {
        if (since == null) {
            sub.view.sendSnapshot(sub, null);
        } else {
            resume(sub, since);
        }
    }

    private void resume(BookSub sub, long since) {
        if (sub.view.key().depth() != 0) {
            sub.view.sendSnapshot(sub, BookMessage.RESYNC_RESUME_DEPTH);
            return;
        }
        if (since < 0 || since > u) {
            sub.view.sendSnapshot(sub, BookMessage.RESYNC_HISTORY_EXPIRED);
            return;
        }
        sub.lastSeq = since;
        if (since == u) {
            return;
        }
        if (recentReaches(since)) {
            addRecentAfter(sub, since);
            sub.view.flush(sub);
            return;
        }
        sub.catchingUp = true;
        hub.executor().execute(() -> {
            Optional<List<String>> history;
            try {
                history = hub.reader().historyAfter(channel, since);
            } catch (RuntimeException e) {
                log.warn("Reading the history of {} failed", channel, e);
                history = Optional.empty();
            }
            synchronized (this) {
                finishResume(sub, since, history);
            }
        });
    }

    private void finishResume(BookSub sub, long since, Optional<List<String>> history) {
        if (!sub.view.subs().contains(sub)) {
            return;
        }
        sub.catchingUp = false;
        long reached = since;
        if (history.isPresent()) {
            for (String payload : history.get()) {
                BookMessage message = BookMessageReader.read(payload);
                if (message.lastSeq() <= since) {
                    continue;
                }
                sub.addPending(prices(message.bids()), prices(message.asks()));
                reached = message.lastSeq();
            }
        }
        if (history.isEmpty() || (reached < u && !recentReaches(reached))) {
            sub.view.sendSnapshot(sub, BookMessage.RESYNC_HISTORY_EXPIRED);
            return;
        }
        addRecentAfter(sub, reached);
        sub.view.flush(sub);
    }

    /** Whether the in-memory changes cover everything after {@code seq}. */
    private boolean recentReaches(long seq) {
        return seq >= u || (!recent.isEmpty() && recent.peekFirst().firstSeq() <= seq + 1);
    }

    private void addRecentAfter(BookSub sub, long seq) {
        for (Change change : recent) {
            if (change.lastSeq() > seq) {
                sub.addPending(change.bids(), change.asks());
            }
        }
    }

    @Override
    protected void failedToHandle() {
        reloadNeeded = true;
        if (run != null) {
            // the copy is not to be trusted: nothing of the run goes out; the reload resyncs every subscriber
            run = new Run(0);
        }
    }

    /**
     * Several messages at once (the topic fell behind): the deltas among them that follow each other go out in one
     * fan-out round, each as published, except that beyond {@link #MAX_MESSAGES_PER_ROUND} the oldest are merged
     * into one.
     */
    @Override
    protected void receive(List<String> payloads) {
        if (payloads.size() == 1) {
            receive(payloads.get(0));
            return;
        }
        int excess = payloads.size() - MAX_MESSAGES_PER_ROUND;
        run = new Run(excess > 0 ? excess + 1 : 0);
        try {
            for (String payload : payloads) {
                receive(payload);
            }
            fanOutRun();
        } finally {
            run = null;
        }
    }

    /** Fans out the deltas applied since the last call, in one round. */
    private void fanOutRun() {
        Run done = run;
        if (done == null || done.count == 0) {
            return;
        }
        run = new Run(0);
        if (done.count < done.mergeFirst) {
            // cut short (a snapshot or a gap follows): what was to be merged is all there is
            mergeFirst(done);
        }
        fanOut(done.firstSeq, BookView.toArray(done.bids), BookView.toArray(done.asks), done.out);
    }

    /** Adds the run's first deltas, merged into one, to its messages (the copy is at the last of them now). */
    private void mergeFirst(Run run) {
        if (run.count == 1) {
            run.out.add(run.first);
            return;
        }
        long[] bidPrices = BookView.toArray(run.mergedBids);
        long[] askPrices = BookView.toArray(run.mergedAsks);
        BookMessage merged = new BookMessage(channel, BookMessage.DELTA, run.firstSeq, u,
                levels(Side.BUY, bidPrices), levels(Side.SELL, askPrices), book.checksum(), ts);
        hub.metrics().merged(run.count - 1);
        run.out.add(new BookView.Upstream(run.firstSeq, u, bidPrices, askPrices, ts, Json.writeBytes(merged)));
    }

    private void fanOut(long firstSeq, long[] bidPrices, long[] askPrices, List<BookView.Upstream> messages) {
        FanoutRound started = newRound();
        fanning = started;
        try {
            for (BookView view : views.values()) {
                view.changed(firstSeq, bidPrices, askPrices, messages);
            }
        } finally {
            fanning = null;
            started.sealed();
        }
    }

    /** The round of the message being fanned out, for the outboxes it goes into (null outside a fan-out). */
    FanoutRound round() {
        return fanning;
    }

    private List<PriceLevel> levels(Side side, long[] prices) {
        List<PriceLevel> out = new ArrayList<>(prices.length);
        for (long p : prices) {
            Long qty = book.view(side).get(p);
            out.add(new PriceLevel(spec.formatPrice(p), spec.formatQty(qty == null ? 0 : qty)));
        }
        return out;
    }

    @Override
    protected Object load() {
        return hub.reader().book(spec.symbol(), Integer.MAX_VALUE);
    }

    @Override
    protected void goLive(Object loaded) {
        BookMessage snapshot = (BookMessage) loaded;
        replace(snapshot);
        state = State.LIVE;
        for (BookView view : views.values()) {
            view.reset();
        }
        Map<BookSub, Long> arrived = new HashMap<>(waiting);
        waiting.clear();
        arrived.forEach(this::serve);
        drainHeld();
    }

    private void replace(BookMessage snapshot) {
        book.replace(snapshot.bids(), snapshot.asks());
        u = snapshot.lastSeq();
        ts = snapshot.ts();
        recent.clear();
    }

    @Override
    protected void handle(String payload) {
        BookMessage message;
        try {
            message = BookMessageReader.read(payload);
        } catch (IllegalArgumentException e) {
            log.error("Unreadable message on {} ignored: {}", channel, payload, e);
            return;
        }
        if (message.lastSeq() <= u) {
            return;
        }
        if (message.isSnapshot() || message.firstSeq() != u + 1) {
            // what was merged so far is complete and correct: send it before the reload or recovery
            fanOutRun();
        }
        if (message.isSnapshot()) {
            // the publisher replaced the whole book (e.g. Redis had lost it): take it as it is
            log.warn("{} replaced upstream by a snapshot at u={}; resyncing subscribers", channel, message.lastSeq());
            reload(message);
            return;
        }
        if (message.firstSeq() != u + 1) {
            log.warn("{} jumped from u={} to U={}; recovering from the history", channel, u, message.firstSeq());
            hold(payload);
            recover();
            return;
        }
        apply(message, payload);
    }

    private void apply(BookMessage message, String payload) {
        long[] bidPrices = set(Side.BUY, message.bids());
        long[] askPrices = set(Side.SELL, message.asks());
        u = message.lastSeq();
        ts = message.ts();
        if (book.checksum() != message.checksum()) {
            log.error("{} at u={}: checksum {} of the node's copy differs from the published {}; reloading", channel,
                    u, book.checksum(), message.checksum());
            reloadNeeded = true;
            if (run != null) {
                // the copy is wrong: nothing of it goes out; the reload resyncs every subscriber
                run = new Run(0);
            }
            recover();
            return;
        }
        recent.addLast(new Change(message.firstSeq(), message.lastSeq(), bidPrices, askPrices));
        if (recent.size() > RECENT) {
            recent.removeFirst();
        }
        BookView.Upstream published = new BookView.Upstream(message.firstSeq(), u, bidPrices, askPrices, ts,
                payload.getBytes(StandardCharsets.UTF_8));
        if (run == null) {
            fanOut(message.firstSeq(), bidPrices, askPrices, List.of(published));
            return;
        }
        if (run.count == 0) {
            run.firstSeq = message.firstSeq();
            run.first = published;
        }
        run.count++;
        for (long p : bidPrices) {
            run.bids.add(p);
        }
        for (long p : askPrices) {
            run.asks.add(p);
        }
        if (run.count > run.mergeFirst) {
            run.out.add(published);
            return;
        }
        for (long p : bidPrices) {
            run.mergedBids.add(p);
        }
        for (long p : askPrices) {
            run.mergedAsks.add(p);
        }
        if (run.count == run.mergeFirst) {
            mergeFirst(run);
        }
    }

    private long[] set(Side side, List<PriceLevel> levels) {
        long[] prices = new long[levels.size()];
        for (int i = 0; i < prices.length; i++) {
            PriceLevel level = levels.get(i);
            prices[i] = spec.parsePrice(level.price());
            book.set(side, prices[i], spec.parseQty(level.qty()));
        }
        return prices;
    }

    private long[] prices(List<PriceLevel> levels) {
        long[] out = new long[levels.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = spec.parsePrice(levels.get(i).price());
        }
        return out;
    }

    private void tick() {
        synchronized (this) {
            if (state != State.LIVE) {
                return;
            }
            ticks++;
            for (BookView view : views.values()) {
                long window = view.key().cadence().millis();
                if (window > 0 && ticks % (window / 100) == 0) {
                    view.emit();
                }
            }
        }
    }

    private record Missed(Optional<List<String>> history, BookMessage snapshot) {
    }

    @Override
    protected Object readMissed() {
        long from;
        boolean reload;
        synchronized (this) {
            from = u;
            reload = reloadNeeded;
        }
        if (!reload) {
            Optional<List<String>> history = hub.reader().historyAfter(channel, from);
            if (history.isPresent()) {
                return new Missed(history, null);
            }
        }
        return new Missed(Optional.empty(), hub.reader().book(spec.symbol(), Integer.MAX_VALUE));
    }

    @Override
    protected void applyMissed(Object read) {
        Missed missed = (Missed) read;
        if (missed.snapshot() != null) {
            reload(missed.snapshot());
        } else {
            for (String payload : missed.history().orElseThrow()) {
                if (state != State.LIVE) {
                    break;
                }
                handle(payload);
            }
        }
        if (state == State.LIVE) {
            drainHeld();
        }
    }

    /** Replaces the copy with a snapshot and sends every subscriber a snapshot marked {@code upstream_gap}. */
    private void reload(BookMessage snapshot) {
        reloadNeeded = false;
        replace(snapshot);
        for (BookView view : views.values()) {
            view.reset();
            for (BookSub sub : view.subs()) {
                if (sub.connection.outbox().isLagging()) {
                    sub.owesSnapshot(BookMessage.RESYNC_UPSTREAM_GAP);
                } else {
                    view.sendSnapshot(sub, BookMessage.RESYNC_UPSTREAM_GAP);
                }
            }
        }
        log.info("{} reloaded at u={}; subscribers resynced", channel, u);
    }

    @Override
    void drained(ChannelSub sub) {
        BookSub book = (BookSub) sub;
        if (state == State.LIVE && !book.catchingUp && (book.wantsSnapshot || book.hasPending())
                && !sub.connection.outbox().isLagging()) {
            book.view.flush(book);
        }
    }

    @Override
    boolean remove(ChannelSub sub) {
        BookSub book = (BookSub) sub;
        waiting.remove(book);
        book.view.subs().remove(book);
        if (book.view.subs().isEmpty()) {
            views.remove(book.view.key());
        }
        return views.isEmpty();
    }

    @Override
    boolean isEmpty() {
        return views.isEmpty();
    }

    @Override
    List<ChannelSub> subscribers() {
        List<ChannelSub> out = new ArrayList<>();
        views.values().forEach(v -> out.addAll(v.subs()));
        return out;
    }

    @Override
    void close() {
        synchronized (this) {
            if (ticker != null) {
                ticker.cancel(false);
            }
        }
        super.close();
    }
}
