package io.marketstream.engine;

import java.util.Arrays;

import org.eclipse.collections.impl.map.mutable.primitive.LongObjectHashMap;

import io.marketstream.protocol.Side;

/**
 * The price levels of one side of a book, in price priority: a sorted array of the levels, worst
 * first and best last, and a primitive map from price to level.
 *
 * <p>Why an array rather than a tree: almost every level created or emptied is at or near the best
 * price (incoming orders take the best levels, new passive orders cluster near the top), and there
 * the array needs no work at all, or a short shift of its last slots, in two arrays that stay in
 * the cache. A {@code TreeMap} paid a boxed key, a descent through nodes spread over the heap and a
 * rebalance for each, which profiles of the big-book benchmark put at a third of the engine's time.
 * A level deep in the book costs a shift of the levels better than it (a memory move of a few
 * kilobytes for a thousand levels), rarely. Lookup by price goes through the map, not the array.
 *
 * <p>The array holds keys that increase towards the best level: the price for bids, the negated
 * price for asks (prices are positive), so both sides share one binary search. Single-threaded.
 */
final class BookSide {
    private static final int INITIAL_CAPACITY = 64;

    private final boolean bids;
    /** Sort keys of {@link #levels}, ascending; {@code keys[size - 1]} is the best level's. */
    private long[] keys = new long[INITIAL_CAPACITY];
    private PriceLevel[] levels = new PriceLevel[INITIAL_CAPACITY];
    private int size;
    private final LongObjectHashMap<PriceLevel> byPrice = new LongObjectHashMap<>();
    /** {@code levels[size - 1]}, or null when the side is empty; read by every match step. */
    private PriceLevel best;

    BookSide(Side side) {
        this.bids = side == Side.BUY;
    }

    /** The best level (highest bid, lowest ask), or null if the side is empty. */
    PriceLevel best() {
        return best;
    }

    /** The level at {@code price}, or null. */
    PriceLevel get(long price) {
        return byPrice.get(price);
    }

    int size() {
        return size;
    }

    /** The level {@code rank} places from the best (0 is the best), {@code 0 <= rank < size()}. */
    PriceLevel fromBest(int rank) {
        return levels[size - 1 - rank];
    }

    /** Files a new level, whose price no level of this side has. */
    void add(PriceLevel level) {
        long key = key(level.price);
        int at;
        if (size == 0 || key > keys[size - 1]) {
            at = size;
        } else {
            int found = Arrays.binarySearch(keys, 0, size, key);
            if (found >= 0) {
                throw new IllegalStateException("a level at " + level.price + " is already on the book");
            }
            at = -found - 1;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            levels = Arrays.copyOf(levels, size * 2);
        }
        int tail = size - at;
        if (tail > 0) {
            System.arraycopy(keys, at, keys, at + 1, tail);
            System.arraycopy(levels, at, levels, at + 1, tail);
        }
        keys[at] = key;
        levels[at] = level;
        size++;
        best = levels[size - 1];
        byPrice.put(level.price, level);
    }

    /** Removes a level of this side (an empty one, as the book drops a level when its last order goes). */
    void remove(PriceLevel level) {
        int at;
        if (best == level) {
            at = size - 1;
        } else {
            at = Arrays.binarySearch(keys, 0, size, key(level.price));
            if (at < 0 || levels[at] != level) {
                throw new IllegalStateException("no level at " + level.price + " on the book");
            }
        }
        int tail = size - at - 1;
        if (tail > 0) {
            System.arraycopy(keys, at + 1, keys, at, tail);
            System.arraycopy(levels, at + 1, levels, at, tail);
        }
        size--;
        levels[size] = null;
        best = size == 0 ? null : levels[size - 1];
        byPrice.remove(level.price);
    }

    /**
     * Checks this side's structure and throws if it is broken: keys strictly increasing towards the
     * best and equal to the levels' prices, the map holding exactly the array's levels, the best cached.
     */
    void validateInternalState() {
        String name = bids ? "bid" : "ask";
        for (int i = 0; i < size; i++) {
            PriceLevel level = levels[i];
            if (level == null || keys[i] != key(level.price) || (i > 0 && keys[i - 1] >= keys[i])) {
                throw new IllegalStateException(name + " levels out of order at rank " + (size - 1 - i));
            }
            if (byPrice.get(level.price) != level) {
                throw new IllegalStateException(name + " level " + level.price + " is missing from the price index");
            }
        }
        for (int i = size; i < levels.length; i++) {
            if (levels[i] != null) {
                throw new IllegalStateException(name + " levels keep a removed level past the end");
            }
        }
        if (byPrice.size() != size || best != (size == 0 ? null : levels[size - 1])) {
            throw new IllegalStateException(name + " levels: " + size + " in order, " + byPrice.size()
                    + " by price, best cached as " + (best == null ? "none" : best.price));
        }
    }

    private long key(long price) {
        return bids ? price : -price;
    }
}
