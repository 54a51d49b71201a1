package io.marketstream.protocol.marketdata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.zip.CRC32;

import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.ScaledDecimal;
import io.marketstream.protocol.Side;

/**
 * An aggregated (L2) order book: price level to total resting quantity, per side, in scaled units.
 * The streams job folds engine events into it; clients rebuild it from {@link BookMessage}s. Not
 * thread-safe.
 */
public final class L2Book {
    private final MarketSpec spec;
    private final NavigableMap<Long, Long> bids = new TreeMap<>(Collections.reverseOrder());
    private final NavigableMap<Long, Long> asks = new TreeMap<>();
    /** The checksum of the current top levels, or -1 when a change may have moved them. */
    private long checksum = -1;
    /** The checksum's text: 2 × {@link BookChecksum#DEPTH} levels of price, quantity and three separators. */
    private final byte[] text = new byte[2 * BookChecksum.DEPTH * (2 * ScaledDecimal.MAX_FORMATTED_LENGTH + 2)];
    private final byte[] digits = new byte[ScaledDecimal.MAX_FORMATTED_LENGTH];
    private final CRC32 crc = new CRC32();

    public L2Book(MarketSpec spec) {
        this.spec = spec;
    }

    public MarketSpec spec() {
        return spec;
    }

    /** Sets the absolute quantity at a level; zero removes it. */
    public void set(Side side, long price, long qty) {
        if (qty < 0) {
            throw new IllegalArgumentException("negative quantity " + qty + " at " + price);
        }
        NavigableMap<Long, Long> levels = side(side);
        if (checksum >= 0 && touchesTop(levels, price)) {
            checksum = -1;
        }
        if (qty == 0) {
            levels.remove(price);
        } else {
            levels.put(price, qty);
        }
    }

    /**
     * Adds {@code delta} (negative to remove) to the level and returns the new absolute quantity.
     *
     * @throws IllegalStateException if the level would go negative: the events do not describe
     *                               this book, which is a bug upstream, never to be papered over
     */
    public long add(Side side, long price, long delta) {
        long now = side(side).getOrDefault(price, 0L) + delta;
        if (now < 0) {
            throw new IllegalStateException(spec.symbol() + " " + side + " level " + spec.formatPrice(price)
                    + " would go negative (" + now + ")");
        }
        set(side, price, now);
        return now;
    }

    public long quantityAt(Side side, long price) {
        return side(side).getOrDefault(price, 0L);
    }

    /** The best level of a side as (price, quantity), scaled, or null if the side is empty. */
    public Map.Entry<Long, Long> best(Side side) {
        return side(side).firstEntry();
    }

    public int depth(Side side) {
        return side(side).size();
    }

    /** Best bid and ask levels, best first, at most {@code depth} each, as wire levels. */
    public List<PriceLevel> levels(Side side, int depth) {
        List<PriceLevel> out = new ArrayList<>(Math.min(depth, side(side).size()));
        for (Map.Entry<Long, Long> e : side(side).entrySet()) {
            if (out.size() == depth) {
                break;
            }
            out.add(new PriceLevel(spec.formatPrice(e.getKey()), spec.formatQty(e.getValue())));
        }
        return out;
    }

    /** The {@link BookChecksum} of the book; recomputed only after a change within the checksummed levels. */
    public long checksum() {
        if (checksum < 0) {
            checksum = computeChecksum();
        }
        return checksum;
    }

    /** {@link BookChecksum#of} over this book's top levels, its text written as bytes into a reused buffer. */
    private long computeChecksum() {
        Iterator<Map.Entry<Long, Long>> bid = bids.entrySet().iterator();
        Iterator<Map.Entry<Long, Long>> ask = asks.entrySet().iterator();
        int pos = 0;
        for (int i = 0; i < BookChecksum.DEPTH && (bid.hasNext() || ask.hasNext()); i++) {
            if (bid.hasNext()) {
                pos = writeLevel(bid.next(), pos);
            }
            if (ask.hasNext()) {
                pos = writeLevel(ask.next(), pos);
            }
        }
        crc.reset();
        crc.update(text, 0, pos);
        return crc.getValue();
    }

    private int writeLevel(Map.Entry<Long, Long> level, int pos) {
        if (pos > 0) {
            text[pos++] = ':';
        }
        pos = append(level.getKey(), spec.priceScale(), pos);
        text[pos++] = ':';
        return append(level.getValue(), spec.qtyScale(), pos);
    }

    private int append(long value, int scale, int pos) {
        int start = ScaledDecimal.formatInto(value, scale, digits);
        int length = digits.length - start;
        System.arraycopy(digits, start, text, pos, length);
        return pos + length;
    }

    /**
     * Whether changing the level at {@code price} can change the side's best {@link BookChecksum#DEPTH}
     * levels: unless the side has that many levels and the price is worse than the last of them,
     * adding, changing or removing it leaves them as they are.
     */
    private static boolean touchesTop(NavigableMap<Long, Long> levels, long price) {
        if (levels.size() < BookChecksum.DEPTH) {
            return true;
        }
        int rank = 0;
        for (Long level : levels.keySet()) {
            if (++rank == BookChecksum.DEPTH) {
                return levels.comparator() == null ? price <= level : price >= level;
            }
        }
        return true;
    }

    /** Replaces the whole book with a snapshot's levels. */
    public void replace(List<PriceLevel> bidLevels, List<PriceLevel> askLevels) {
        bids.clear();
        asks.clear();
        checksum = -1;
        apply(bidLevels, askLevels);
    }

    /** Applies a delta's absolute levels (zero removes). */
    public void apply(List<PriceLevel> bidLevels, List<PriceLevel> askLevels) {
        for (PriceLevel level : bidLevels) {
            set(Side.BUY, spec.parsePrice(level.price()), spec.parseQty(level.qty()));
        }
        for (PriceLevel level : askLevels) {
            set(Side.SELL, spec.parsePrice(level.price()), spec.parseQty(level.qty()));
        }
    }

    /** All levels of a side, best first, as an unmodifiable copy (for comparing books). */
    public NavigableMap<Long, Long> copyOf(Side side) {
        return Collections.unmodifiableNavigableMap(new TreeMap<>(side(side)));
    }

    /** A side's levels, best first, as a live read-only view (for walking the book without a copy). */
    public NavigableMap<Long, Long> view(Side side) {
        return Collections.unmodifiableNavigableMap(side(side));
    }

    private NavigableMap<Long, Long> side(Side side) {
        return side == Side.BUY ? bids : asks;
    }

    @Override
    public String toString() {
        return spec.symbol() + " bids=" + levels(Side.BUY, 5) + " asks=" + levels(Side.SELL, 5);
    }
}
