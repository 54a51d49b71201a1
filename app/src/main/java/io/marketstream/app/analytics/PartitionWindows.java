package io.marketstream.app.analytics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.Trade;

/**
 * One partition's one-minute trade windows, in event time, and what may be committed for it.
 *
 * <p>Time: the partition's event time is the largest {@code ts} of its events so far (all events, not only
 * trades, so quiet markets' windows close when the partition is busy). A window {@code [s, s + 1 min)} closes
 * once event time reaches {@code s + 1 min + grace}; a trade that arrives for a closed window is late: it is
 * counted in no row, and reported. Everything is a function of the partition's events, so reading them again
 * gives the same rows.
 *
 * <p>What is committed: the offset of the first trade of the oldest open window (or, with none open, the next
 * offset), with the event time just before that offset and the closed-window boundary as metadata. Restarted
 * there with that metadata, the partition rebuilds its open windows exactly, skips trades of windows already
 * closed, and closes the same windows at the same events, so a window committed as closed is never emitted
 * again, and one not yet closed is emitted once it closes.
 */
final class PartitionWindows {
    static final long MINUTE = 60_000;

    private final MarketCatalog catalog;
    private final long grace;
    /** Largest event ts seen; Long.MIN_VALUE before the first. */
    private long clock;
    /** Windows starting before this are closed (emitted). */
    private long closedBefore;
    private final TreeMap<Long, Window> open = new TreeMap<>();
    private long nextOffset = -1;
    /** Offsets below this were read before the restart: their trades of closed windows were counted then. */
    private final long seen;
    private long late;
    private Trade lastLate;

    /** A window across the partition's markets: per market and per account in it. */
    private static final class Window {
        final long firstOffset;
        final long clockBefore;
        final Map<String, long[]> markets = new TreeMap<>(); // trades, base, quote
        final Map<String, Map<Long, long[]>> accounts = new TreeMap<>();

        Window(long firstOffset, long clockBefore) {
            this.firstOffset = firstOffset;
            this.clockBefore = clockBefore;
        }
    }

    /**
     * Where a partition resumes: its committed offset's metadata. {@code seen}: the offset the partition had read
     * to when it was committed (trades of closed windows before it were counted then; after it, they are late).
     */
    record Resume(long clock, long closedBefore, long seen) {
        static final Resume FRESH = new Resume(Long.MIN_VALUE, Long.MIN_VALUE, -1);

        String encode() {
            return "v1;" + clock + ";" + closedBefore + ";" + seen;
        }

        /** The metadata a commit carried, or {@link #FRESH} for none; throws for metadata that is not ours. */
        static Resume decode(String metadata) {
            if (metadata == null || metadata.isEmpty()) {
                return FRESH;
            }
            String[] parts = metadata.split(";");
            try {
                if (parts.length == 4 && parts[0].equals("v1")) {
                    return new Resume(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]));
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException("committed offset metadata '" + metadata + "' is not this consumer's: "
                    + "the group has been used by another program; use another --group");
        }
    }

    /** What may be committed now: offset and metadata. */
    record Commit(long offset, String metadata) {
    }

    PartitionWindows(MarketCatalog catalog, long graceMillis, Resume resume) {
        this.catalog = catalog;
        this.grace = graceMillis;
        this.clock = resume.clock();
        this.closedBefore = resume.closedBefore();
        this.seen = resume.seen();
    }

    /** Takes the partition's next event (at {@code offset}); adds the rows of windows it closes to {@code out}. */
    void add(long offset, EngineEvent event, List<WindowRow> out) {
        nextOffset = offset + 1;
        if (event instanceof Trade trade) {
            MarketSpec spec = catalog.find(trade.market()).orElse(null);
            if (spec != null) {
                long start = Math.floorDiv(trade.ts(), MINUTE) * MINUTE;
                if (start < closedBefore) {
                    if (offset >= seen) {
                        late++;
                        lastLate = trade;
                    }
                } else {
                    long qty = spec.parseQty(trade.qty());
                    long quote = trade.quoteQty() == null ? spec.notional(spec.parsePrice(trade.price()), qty)
                            : spec.parseQuote(trade.quoteQty());
                    Window window = open.computeIfAbsent(start, s -> new Window(offset, clock));
                    add(window.markets.computeIfAbsent(spec.symbol(), m -> new long[3]), qty, quote);
                    Map<Long, long[]> accounts = window.accounts.computeIfAbsent(spec.symbol(), m -> new TreeMap<>());
                    add(accounts.computeIfAbsent(trade.makerAccount(), a -> new long[3]), qty, quote);
                    if (trade.takerAccount() != trade.makerAccount()) {
                        add(accounts.computeIfAbsent(trade.takerAccount(), a -> new long[3]), qty, quote);
                    }
                }
            }
        }
        if (event.ts() > clock) {
            clock = event.ts();
            long boundary = Math.floorDiv(clock - grace, MINUTE) * MINUTE;
            if (boundary > closedBefore) {
                closedBefore = boundary;
                close(out);
            }
        }
    }

    private static void add(long[] totals, long qty, long quote) {
        totals[0]++;
        totals[1] += qty;
        totals[2] += quote;
    }

    private void close(List<WindowRow> out) {
        while (!open.isEmpty() && open.firstKey() < closedBefore) {
            Map.Entry<Long, Window> closed = open.pollFirstEntry();
            long start = closed.getKey();
            Window w = closed.getValue();
            w.markets.forEach((market, t) -> out.add(WindowRow.of(catalog.get(market), start, null, t[0], t[1], t[2])));
            w.accounts.forEach((market, accounts) -> accounts.forEach((account, t) ->
                    out.add(WindowRow.of(catalog.get(market), start, account, t[0], t[1], t[2]))));
        }
    }

    /** The offset to commit and its metadata; null before the first event. */
    Commit commit() {
        if (nextOffset < 0) {
            return null;
        }
        long read = Math.max(nextOffset, seen);
        if (open.isEmpty()) {
            return new Commit(nextOffset, new Resume(clock, closedBefore, read).encode());
        }
        Window oldest = open.values().stream().min((a, b) -> Long.compare(a.firstOffset, b.firstOffset)).orElseThrow();
        return new Commit(oldest.firstOffset, new Resume(oldest.clockBefore, closedBefore, read).encode());
    }

    /** Trades that came for a window already closed, and so are in no row. */
    long late() {
        return late;
    }

    /** The latest of those, or null. */
    Trade lastLate() {
        return lastLate;
    }

    /** Windows open now (their trades are not in any row yet). */
    List<Long> openWindows() {
        return new ArrayList<>(open.keySet());
    }
}
