package io.marketstream.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;

import io.marketstream.protocol.Json;
import io.marketstream.protocol.MarketCatalog;
import io.marketstream.protocol.MarketSpec;
import io.marketstream.protocol.Side;
import io.marketstream.protocol.command.OrderCommand;
import io.marketstream.protocol.event.EngineEvent;
import io.marketstream.protocol.event.OrderRejected;
import io.marketstream.protocol.event.RejectReason;

/**
 * The matching engine's state machine: every market's book, accounts and counters. {@link #process}
 * turns one command into its run of events.
 *
 * <p>Deterministic: the events depend only on the commands processed so far and their order (no
 * clock, no randomness, no iteration over unordered collections), so replaying the same commands
 * into a fresh engine reproduces the same events, {@code seq} for {@code seq}, and the same
 * {@link #stateHash}. Markets are independent of each other (balances are held per market), so any
 * subset of markets can be rebuilt alone. Single-threaded.
 */
public final class MatchingEngine {
    private final MarketCatalog catalog;
    private final Map<String, MarketMatcher> markets = new LinkedHashMap<>();

    public MatchingEngine(MarketCatalog catalog) {
        this.catalog = catalog;
        for (MarketSpec spec : catalog.all()) {
            markets.put(spec.symbol(), new MarketMatcher(spec));
        }
    }

    /**
     * Applies one command and returns the events it caused, in {@code seq} order. Never throws for
     * bad input: a command the engine cannot take yields an {@link OrderRejected} with a reason.
     *
     * @param ts the command's submission time (epoch ms), copied onto every event
     */
    public List<EngineEvent> process(OrderCommand command, long ts) {
        List<EngineEvent> out = new ArrayList<>(8);
        process(command, ts, out);
        return out;
    }

    /**
     * {@link #process(OrderCommand, long)} appending the events to {@code out} instead of a new
     * list, for a caller that handles each command's events before the next command and can reuse
     * one list (the events themselves are new objects every time and may be kept).
     */
    public void process(OrderCommand command, long ts, List<EngineEvent> out) {
        MarketMatcher market = markets.get(command.market());
        if (market == null) {
            out.add(rejectOutsideSequence(command, ts, RejectReason.UNKNOWN_MARKET,
                    "unknown market " + command.market()));
            return;
        }
        market.process(command, ts, out);
    }

    /**
     * A rejection that belongs to no market's sequence ({@code seq} 0), for a command the engine
     * cannot attribute to a market's order of events; the engine's state is unchanged.
     */
    public static OrderRejected rejectOutsideSequence(OrderCommand command, long ts, RejectReason reason,
                                                      String message) {
        return new OrderRejected(String.valueOf(command.market()), 0, command.commandId(), ts, command.account(),
                command.clientOrderId(), reason, message);
    }

    /** Forgets a market's book, accounts and counters (before its commands are replayed from the start). */
    public void reset(String market) {
        markets.put(market, new MarketMatcher(state(market).spec));
    }

    /** The aggregated levels of a market's side, best first: price to total quantity (scaled). */
    public NavigableMap<Long, Long> levels(String market, Side side) {
        return state(market).book.levels(side);
    }

    /** An account's balances in a market, or empty if it never held funds there. */
    public Optional<MarketSnapshot.AccountState> balances(String market, long account) {
        Account a = state(market).accounts.get(account);
        return a == null ? Optional.empty() : Optional.of(new MarketSnapshot.AccountState(a.id, a.baseAvailable,
                a.baseLocked, a.quoteAvailable, a.quoteLocked));
    }

    /** The last {@code seq} issued in a market (0 before its first event). */
    public long lastSeq(String market) {
        return state(market).seq;
    }

    public MarketCatalog catalog() {
        return catalog;
    }

    /** Runs every market's invariant check; throws {@link IllegalStateException} on the first broken one. */
    public void validateInternalState() {
        for (MarketMatcher m : markets.values()) {
            m.validateInternalState();
        }
    }

    /** The market's state in canonical form. */
    public MarketSnapshot snapshot(String market) {
        MarketMatcher m = state(market);
        List<MarketSnapshot.AccountState> accounts = new ArrayList<>(m.accounts.size());
        m.accounts.values().stream().sorted((a, b) -> Long.compare(a.id, b.id)).forEach(a -> accounts.add(
                new MarketSnapshot.AccountState(a.id, a.baseAvailable, a.baseLocked, a.quoteAvailable, a.quoteLocked)));
        List<MarketSnapshot.OrderState> orders = new ArrayList<>(m.book.orderCount());
        for (RestingOrder o : m.book.ordersById()) {
            orders.add(new MarketSnapshot.OrderState(o.orderId, o.account, o.clientOrderId, o.side, o.price, o.remaining));
        }
        return new MarketSnapshot(market, m.seq, m.nextOrderId, m.nextTradeId, m.lastTradePrice, m.baseTotal,
                m.quoteTotal, List.copyOf(accounts), List.copyOf(orders));
    }

    /**
     * Replaces a market's state with a snapshot's, and checks the result's invariants.
     *
     * @throws IllegalArgumentException if the snapshot is of an unknown market or inconsistent
     */
    public void restore(MarketSnapshot snapshot) {
        MarketMatcher m = new MarketMatcher(state(snapshot.market()).spec);
        m.seq = snapshot.seq();
        m.nextOrderId = snapshot.nextOrderId();
        m.nextTradeId = snapshot.nextTradeId();
        m.lastTradePrice = snapshot.lastTradePrice();
        m.baseTotal = snapshot.baseTotal();
        m.quoteTotal = snapshot.quoteTotal();
        for (MarketSnapshot.AccountState a : snapshot.accounts()) {
            Account account = m.newAccount(a.account());
            account.baseAvailable = a.baseAvailable();
            account.baseLocked = a.baseLocked();
            account.quoteAvailable = a.quoteAvailable();
            account.quoteLocked = a.quoteLocked();
            m.accounts.put(account.id, account);
        }
        for (MarketSnapshot.OrderState o : snapshot.orders()) {
            Account account = m.accounts.get(o.account());
            if (account == null) {
                throw new IllegalArgumentException("snapshot of " + snapshot.market() + " has order " + o.orderId()
                        + " of an account it does not hold");
            }
            RestingOrder order = new RestingOrder(o.orderId(), account, o.clientOrderId(), o.side(), o.price(),
                    o.remaining());
            m.book.add(order);
            account.addOpen(order);
        }
        try {
            m.validateInternalState();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("inconsistent snapshot of " + snapshot.market() + ": " + e.getMessage(), e);
        }
        markets.put(snapshot.market(), m);
    }

    /**
     * SHA-256 (hex) of the canonical snapshots of the given markets, in the order given: equal for
     * equal states, so a replay of the command log can be checked against a live engine.
     */
    public String stateHash(Collection<String> marketSymbols) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String market : marketSymbols) {
                digest.update(Json.writeBytes(snapshot(market)));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** {@link #stateHash(Collection)} of every market. */
    public String stateHash() {
        return stateHash(markets.keySet());
    }

    private MarketMatcher state(String market) {
        MarketMatcher m = markets.get(market);
        if (m == null) {
            throw new IllegalArgumentException("unknown market " + market);
        }
        return m;
    }
}
