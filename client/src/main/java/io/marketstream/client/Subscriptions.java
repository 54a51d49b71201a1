package io.marketstream.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.marketstream.protocol.Channels;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;

/**
 * What a client subscribes to, kept across connections, and where each channel resumes: a book (one view
 * per market) from the {@code u} it is verified at, any other channel from the last {@code seq} received.
 * Private channels are kept under their request names {@code orders} and {@code balances} (the edge answers
 * with {@code orders.<account>}). Thread-safe.
 */
final class Subscriptions {
    private final MarketCatalog catalog;
    /** Books by market. */
    private final Map<String, LocalBook> books = new ConcurrentHashMap<>();
    /** The last sequence received per non-book channel ({@code -1}: none yet), by subscribed name. */
    private final Map<String, Long> streams = new ConcurrentHashMap<>();

    Subscriptions(MarketCatalog catalog) {
        this.catalog = catalog;
    }

    static boolean isPrivate(String name) {
        return name.equals(Channels.ORDERS) || name.equals(Channels.BALANCES);
    }

    /** The catalogue's spelling of a market. @throws IllegalArgumentException for an unknown one */
    String market(String market) {
        return catalog.get(market).symbol();
    }

    /**
     * Adds a book view (idempotent) and returns its channel name.
     *
     * @throws IllegalArgumentException for an unknown market, a depth not offered, or another view of the market
     */
    String addBook(String market, int depth, Channels.Cadence cadence) {
        MarketSpec spec = catalog.get(market);
        if (!Channels.BOOK_DEPTHS.contains(depth)) {
            throw new IllegalArgumentException("book depth " + depth + " is not offered; use 10, 25, 100, 500 or 0 (full)");
        }
        if (cadence == null) {
            throw new IllegalArgumentException("book cadence must be given (RAW, MS100 or MS1000)");
        }
        Channels.BookView view = new Channels.BookView(spec.symbol(), depth, cadence);
        LocalBook existing = books.putIfAbsent(spec.symbol(), new LocalBook(spec, view));
        if (existing != null && !existing.view().equals(view)) {
            throw new IllegalArgumentException(spec.symbol() + ": already subscribed to " + existing.view().name()
                    + "; a client keeps one book per market");
        }
        return view.name();
    }

    /** Adds a non-book channel (idempotent) and returns its name. */
    String addStream(String name) {
        streams.putIfAbsent(name, -1L);
        return name;
    }

    /** @throws IllegalArgumentException if the market is unknown or its book not subscribed */
    LocalBook requireBook(String market) {
        String symbol = market(market);
        LocalBook book = books.get(symbol);
        if (book == null) {
            throw new IllegalArgumentException("no book of " + symbol + " is subscribed: call subscribeBook(\"" + symbol + "\") first");
        }
        return book;
    }

    /** The book a message on {@code channel} belongs to, or null (a view no longer subscribed). */
    LocalBook bookOf(String channel) {
        LocalBook book = Channels.parseBookView(channel).map(v -> books.get(v.market())).orElse(null);
        return book != null && book.view().name().equals(channel) ? book : null;
    }

    Collection<LocalBook> books() {
        return books.values();
    }

    /** Every channel name to subscribe with, public ones first; private ones apart. */
    List<String> names(boolean privateOnes) {
        List<String> out = new ArrayList<>();
        if (!privateOnes) {
            books.values().forEach(b -> out.add(b.view().name()));
        }
        for (String name : streams.keySet()) {
            if (isPrivate(name) == privateOnes) {
                out.add(name);
            }
        }
        return out;
    }

    /**
     * Where a channel resumes: a full-depth book from the {@code u} it is verified at (a depth-limited view is
     * answered with a snapshot anyway, so it asks for one), other channels from the last {@code seq} received;
     * null for a fresh subscription.
     */
    Long positionOf(String name) {
        for (LocalBook book : books.values()) {
            if (book.view().name().equals(name)) {
                long u = book.sequence();
                return u >= 0 && book.view().depth() == 0 ? u : null;
            }
        }
        Long seq = streams.get(name);
        return seq != null && seq >= 0 ? seq : null;
    }

    boolean isWanted(String name) {
        return streams.containsKey(name) || books.values().stream().anyMatch(b -> b.view().name().equals(name));
    }

    /** Stops asking for a channel (the edge refused it for good). */
    void forget(String name) {
        if (streams.remove(name) == null) {
            books.values().removeIf(b -> b.view().name().equals(name));
        }
    }

    void forgetPrivate() {
        streams.remove(Channels.ORDERS);
        streams.remove(Channels.BALANCES);
    }

    /** Records a stream message's {@code seq}; false for one already received or a channel no longer wanted. */
    boolean advance(String name, long seq) {
        boolean[] fresh = {false};
        streams.computeIfPresent(name, (k, last) -> {
            fresh[0] = seq > last;
            return Math.max(seq, last);
        });
        return fresh[0];
    }

    /**
     * What the edge's {@code list} reply leaves out (it lists private channels by full name); the books among
     * them are emptied, since they will come back with a snapshot.
     */
    List<String> missingFrom(List<String> listed, long account) {
        List<String> missing = new ArrayList<>();
        for (LocalBook book : books.values()) {
            if (!listed.contains(book.view().name())) {
                book.reset();
                missing.add(book.view().name());
            }
        }
        for (String name : streams.keySet()) {
            String listedName = !isPrivate(name) || account < 0 ? name
                    : name.equals(Channels.ORDERS) ? Channels.orders(account) : Channels.balances(account);
            if (!listed.contains(listedName)) {
                missing.add(name);
            }
        }
        return missing;
    }
}
